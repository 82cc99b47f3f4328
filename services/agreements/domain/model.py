"""The Customer aggregate."""

from __future__ import annotations

from stdnum.dk import cvr as cvr_number  # pure validation code, no I/O
from stdnum.exceptions import ValidationError

from services.agreements.domain.commands import RegisterCustomer
from services.agreements.domain.events import CustomerRegistered
from shared.domain import Aggregate
from shared.errors import DomainError


def valid_cvr(value: str) -> str:
    """The CVR number in its compact form; DomainError naming the reason if it is invalid."""
    try:
        return str(cvr_number.validate(value))
    except ValidationError as exc:
        raise DomainError(f"invalid CVR number {value!r}: {exc}", field="cvr") from exc


class Customer(Aggregate):
    """A customer of the provider."""

    stream_prefix = "customer"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.name = ""
        self.cvr: str | None = None
        self.kind = "business"

    @classmethod
    def register(cls, customer_id: str, command: RegisterCustomer) -> Customer:
        """Take on a customer; a business needs a valid CVR number."""
        if command.kind == "business" and not command.cvr:
            raise DomainError("a business customer needs a CVR number", field="cvr")
        cvr = valid_cvr(command.cvr) if command.cvr else None
        customer = cls(customer_id)
        customer._record(
            CustomerRegistered(
                customer_id=customer_id,
                name=command.name,
                cvr=cvr,
                kind=command.kind,
                address=command.address,
                finance_email=command.finance_email,
            )
        )
        return customer

    def when_CustomerRegistered(self, event: CustomerRegistered) -> None:
        self.name = event.name
        self.cvr = event.cvr
        self.kind = event.kind

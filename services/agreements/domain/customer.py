"""The Customer aggregate: who the customer is, its departments and people."""

from __future__ import annotations

from datetime import date

from stdnum.dk import cvr as cvr_number  # pure validation code, no I/O
from stdnum.exceptions import ValidationError

from services.agreements.domain.commands import AddDepartment, AddPerson, RegisterCustomer
from services.agreements.domain.events import (
    CustomerRegistered,
    DepartmentAdded,
    PersonAdded,
    PersonErased,
)
from shared.domain import Aggregate
from shared.errors import DomainError, NotFound
from shared.privacy import SealedPersonal


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
        self.kind = "business"
        self.registered_on: date | None = None
        self.departments: dict[str, str] = {}
        self.people: dict[str, str] = {}
        self.erased: set[str] = set()

    @classmethod
    def register(cls, customer_id: str, command: RegisterCustomer, today: date | None) -> Customer:
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
                registered_on=today,
            )
        )
        return customer

    def add_department(self, department_id: str, command: AddDepartment) -> None:
        """Add a department; names are unique within the customer."""
        if command.name.casefold() in {n.casefold() for n in self.departments.values()}:
            raise DomainError(
                f"the customer already has a department {command.name!r}", field="name"
            )
        self._record(
            DepartmentAdded(customer_id=self.id, department_id=department_id, name=command.name)
        )

    def check_person(self, command: AddPerson) -> None:
        """DomainError if the person cannot be added (before their data is sealed)."""
        if command.department_id and command.department_id not in self.departments:
            raise DomainError(f"no department {command.department_id}", field="department_id")

    def add_person(self, person_id: str, command: AddPerson, personal: SealedPersonal) -> None:
        """Add an employee, management approver or contact; personal is their sealed data."""
        self.check_person(command)
        self._record(
            PersonAdded(
                customer_id=self.id,
                person_id=person_id,
                role=command.role,
                personal=personal,
                department_id=command.department_id,
            )
        )

    def erase_person(self, person_id: str, today: date | None) -> bool:
        """Record an erasure (once); False if the person was erased already."""
        if person_id not in self.people:
            raise NotFound(f"no person {person_id} at this customer", field="person_id")
        if person_id in self.erased:
            return False
        self._record(PersonErased(customer_id=self.id, person_id=person_id, erased_on=today))
        return True

    def when_CustomerRegistered(self, event: CustomerRegistered) -> None:
        self.name = event.name
        self.kind = event.kind
        self.registered_on = event.registered_on

    def when_DepartmentAdded(self, event: DepartmentAdded) -> None:
        self.departments[event.department_id] = event.name

    def when_PersonAdded(self, event: PersonAdded) -> None:
        self.people[event.person_id] = event.role

    def when_PersonErased(self, event: PersonErased) -> None:
        self.erased.add(event.person_id)

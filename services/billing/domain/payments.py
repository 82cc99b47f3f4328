"""Payments: the Payment aggregate and how a payment finds its invoice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from services.billing.domain import events as ev
from shared.domain import Aggregate
from shared.errors import Conflict, DomainError

PAYMENT_ID = re.compile(r"(?<!\d)(\d{15})(?!\d)")


@dataclass(frozen=True)
class OpenInvoice:
    """An invoice as matching sees it."""

    number: int
    customer_id: str
    customer_name: str
    payment_id: str
    balance: Decimal
    issue_date: date
    regarding_invoice: int | None = None


@dataclass(frozen=True)
class Match:
    """Who paid, how it was found, and how the money is spread."""

    customer_id: str
    method: str
    allocations: list[tuple[int, Decimal]]
    credit: Decimal


def match_payment(
    amount: Decimal, reference: str | None, debtor_name: str | None, invoices: list[OpenInvoice]
) -> Match | None:
    """By FI payment ID first, then by amount and customer; None leaves it for an operator."""
    by_payment_id = {i.payment_id: i for i in invoices}
    for candidate in PAYMENT_ID.findall(reference or ""):
        if (invoice := by_payment_id.get(candidate)) is not None:
            applied = min(amount, max(invoice.balance, Decimal("0")))
            allocations = [(invoice.number, applied)] if applied > 0 else []
            return Match(
                invoice.customer_id, f"FI payment ID {candidate}", allocations, amount - applied
            )
    if not debtor_name or not (wanted := _name(debtor_name)):
        return None  # amount alone could be anyone's: leave it to an operator
    same_amount = [
        i
        for i in invoices
        if i.balance == amount
        and i.balance > 0
        and (wanted in _name(i.customer_name) or _name(i.customer_name) in wanted)
    ]
    if same_amount and len({i.customer_id for i in same_amount}) == 1:
        invoice = min(same_amount, key=lambda i: (i.issue_date, i.number))
        return Match(
            invoice.customer_id, "amount and customer", [(invoice.number, amount)], Decimal("0")
        )
    return None


def _name(value: str) -> str:
    return re.sub(r"[^0-9a-zæøå]", "", value.casefold())


class Payment(Aggregate):
    """One payment; its id is its reference (bank entry or manual registration)."""

    stream_prefix = "payment"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.amount = Decimal("0")
        self.paid_on = date.min
        self.matched = False
        self.source = "manual"
        self.reference: str | None = None
        self.debtor_name: str | None = None

    @classmethod
    def receive(
        cls,
        payment_ref: str,
        *,
        amount: Decimal,
        paid_on: date,
        source: Literal["manual", "camt.053", "camt.054"],
        reference: str | None,
        debtor_name: str | None,
        statement_id: str | None,
    ) -> Payment:
        """Record money received."""
        if amount <= 0:
            raise DomainError("a payment must be a positive amount", field="amount")
        payment = cls(payment_ref)
        payment._record(
            ev.PaymentReceived(
                payment_ref=payment_ref,
                amount=amount,
                paid_on=paid_on,
                source=source,
                reference=reference,
                debtor_name=debtor_name,
                statement_id=statement_id,
            )
        )
        return payment

    def match(self, match: Match) -> None:
        """Attach the payment to a customer and its invoices."""
        if self.matched:
            raise Conflict("the payment is already matched", field="payment_ref")
        self._record(
            ev.PaymentMatched(
                payment_ref=self.id,
                customer_id=match.customer_id,
                method=match.method,
                allocations=match.allocations,
                credit_balance_added=match.credit,
            )
        )

    def leave_unmatched(self, reason: str) -> None:
        """No match: it waits in the queue for an operator."""
        self._record(ev.PaymentUnmatched(payment_ref=self.id, reason=reason))

    def when_PaymentReceived(self, event: ev.PaymentReceived) -> None:
        self.amount, self.paid_on, self.source = event.amount, event.paid_on, event.source
        self.reference, self.debtor_name = event.reference, event.debtor_name

    def when_PaymentMatched(self, _: ev.PaymentMatched) -> None:
        self.matched = True

    def when_PaymentUnmatched(self, _: ev.PaymentUnmatched) -> None:
        self.matched = False

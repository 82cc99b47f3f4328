"""The Invoice aggregate: issued once, then paid, credited, disputed or overdue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from services.billing.documents.fik import fi_line, payment_id
from services.billing.domain import events as ev
from shared.calendar import roll_forward
from shared.domain import Aggregate
from shared.errors import Conflict, DomainError
from shared.money import dkk, vat_of

ZERO = Decimal("0")


def totals(
    lines: list[ev.InvoiceLine], vat_rate: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(taxable subtotal, VAT, exempt subtotal, total): VAT once on the sum of taxable lines."""
    taxable = sum((line.amount for line in lines if line.taxable), ZERO)
    exempt = sum((line.amount for line in lines if not line.taxable), ZERO)
    vat = vat_of(taxable, vat_rate)
    return dkk(taxable), vat, dkk(exempt), dkk(taxable + vat + exempt)


class Invoice(Aggregate):
    """One issued invoice; its id is its number."""

    stream_prefix = "invoice"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.number = int(aggregate_id)
        self.customer_id = ""
        self.issue_date = date.min
        self.due_date = date.min
        self.total = ZERO
        self.balance = ZERO
        self.vat_rate = ZERO
        self.payment_id = ""
        self.settled = False
        self.due_passed = False
        self.dispute_open = False
        self.lines: list[ev.InvoiceLine] = []
        self.credited = ZERO
        self.payment_refs: set[str] = set()

    @classmethod
    def issue(
        cls,
        number: int,
        *,
        customer_id: str,
        kind: Literal["run", "fees"],
        issue_date: date,
        payment_terms_days: int,
        lines: list[ev.InvoiceLine],
        vat_rate: Decimal,
        creditor_number: str,
        regarding_invoice: int | None = None,
        due_date: date | None = None,
    ) -> Invoice:
        """Issue an invoice: due date rolled to a business day, FI payment reference, totals."""
        if not lines:
            raise DomainError("an invoice needs at least one line", field="lines")
        taxable, vat, exempt, total = totals(lines, vat_rate)
        pid = payment_id(number)
        periods = [d for line in lines for d in (line.period_start, line.period_end) if d]
        invoice = cls(str(number))
        invoice._record(
            ev.InvoiceIssued(
                invoice_number=number,
                customer_id=customer_id,
                kind=kind,
                issue_date=issue_date,
                due_date=due_date or roll_forward(issue_date + timedelta(days=payment_terms_days)),
                payment_terms_days=payment_terms_days,
                lines=lines,
                taxable_subtotal=taxable,
                vat_rate=vat_rate,
                vat_amount=vat,
                exempt_subtotal=exempt,
                total=total,
                payment_id=pid,
                fi_payment_line=fi_line(pid, creditor_number),
                period_start=min(periods) if periods else None,
                period_end=max(periods) if periods else None,
                regarding_invoice=regarding_invoice,
            )
        )
        return invoice

    def apply_payment(self, payment_ref: str, amount: Decimal, paid_on: date) -> Decimal:
        """Settle up to the balance; returns what is left of the payment."""
        if payment_ref in self.payment_refs or amount <= 0 or self.balance <= 0:
            return amount if payment_ref not in self.payment_refs else ZERO
        applied = min(amount, self.balance)
        self._record(
            ev.PaymentApplied(
                invoice_number=self.number,
                payment_ref=payment_ref,
                amount=applied,
                paid_on=paid_on,
                balance=self.balance - applied,
            )
        )
        if self.balance == 0:
            self._record(ev.InvoiceSettled(invoice_number=self.number, settled_on=paid_on))
        return amount - applied

    def pass_due(self, today: date) -> bool:
        """Record DueDatePassed once, when the day after the due date starts unpaid."""
        if self.settled or self.due_passed or today <= self.due_date or self.balance <= 0:
            return False
        self._record(
            ev.DueDatePassed(
                invoice_number=self.number,
                due_date=self.due_date,
                balance=self.balance,
                noticed_on=today,
            )
        )
        return True

    def dispute(self, received_on: date, reason: str, dispute_days: int) -> ev.InvoiceDisputed:
        """A written question: within dispute_days of the invoice date it pauses dunning."""
        if self.dispute_open:
            raise Conflict("the invoice already has an open dispute", field="invoice_number")
        if received_on < self.issue_date:
            raise DomainError(f"the invoice was issued on {self.issue_date}", field="received_on")
        deadline = self.issue_date + timedelta(days=dispute_days)
        disputed = ev.InvoiceDisputed(
            invoice_number=self.number,
            received_on=received_on,
            reason=reason,
            in_time=received_on <= deadline,
            deadline=deadline,
        )
        self._record(disputed)
        return disputed

    def resolve_dispute(
        self, outcome: Literal["rejected", "credited"], resolved_on: date, note: str
    ) -> None:
        """End the open dispute."""
        if not self.dispute_open:
            raise Conflict("the invoice has no open dispute", field="invoice_number")
        self._record(
            ev.DisputeResolved(
                invoice_number=self.number, outcome=outcome, resolved_on=resolved_on, note=note
            )
        )

    def credit(
        self,
        credit_note_number: int,
        issue_date: date,
        reason: str,
        lines: list[ev.InvoiceLine] | None,
    ) -> ev.CreditNoteIssued:
        """Issue a credit note against this invoice: all of it, or the given lines."""
        credit_lines = lines if lines is not None else self.lines
        taxable, vat, exempt, total = totals(credit_lines, self.vat_rate)
        if total <= 0:
            raise DomainError("a credit note must credit a positive amount", field="lines")
        if total > self.total - self.credited:
            raise DomainError(
                f"at most {self.total - self.credited} kr. of the invoice is left to credit",
                field="lines",
            )
        issued = ev.CreditNoteIssued(
            credit_note_number=credit_note_number,
            invoice_number=self.number,
            customer_id=self.customer_id,
            issue_date=issue_date,
            reason=reason,
            lines=credit_lines,
            taxable_subtotal=taxable,
            vat_amount=vat,
            exempt_subtotal=exempt,
            total=total,
        )
        self._record(issued)
        reduces = min(total, self.balance)
        if reduces > 0:
            self._record(
                ev.CreditApplied(
                    invoice_number=self.number,
                    credit_note_number=credit_note_number,
                    amount=reduces,
                    balance=self.balance - reduces,
                )
            )
            if self.balance == 0:
                self._record(ev.InvoiceSettled(invoice_number=self.number, settled_on=issue_date))
        return issued

    def when_InvoiceIssued(self, event: ev.InvoiceIssued) -> None:
        self.customer_id, self.issue_date, self.due_date = (
            event.customer_id,
            event.issue_date,
            event.due_date,
        )
        self.total = self.balance = event.total
        self.vat_rate, self.payment_id, self.lines = event.vat_rate, event.payment_id, event.lines

    def when_PaymentApplied(self, event: ev.PaymentApplied) -> None:
        self.balance = event.balance
        self.payment_refs.add(event.payment_ref)

    def when_CreditApplied(self, event: ev.CreditApplied) -> None:
        self.balance = event.balance

    def when_InvoiceSettled(self, _: ev.InvoiceSettled) -> None:
        self.settled = True

    def when_DueDatePassed(self, _: ev.DueDatePassed) -> None:
        self.due_passed = True

    def when_InvoiceDisputed(self, event: ev.InvoiceDisputed) -> None:
        self.dispute_open = True

    def when_DisputeResolved(self, _: ev.DisputeResolved) -> None:
        self.dispute_open = False

    def when_CreditNoteIssued(self, event: ev.CreditNoteIssued) -> None:
        self.credited += event.total

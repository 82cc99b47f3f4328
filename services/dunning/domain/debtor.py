"""The Debtor aggregate: a customer's overdue invoices, one dunning case each, and its services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from services.dunning.domain import events as ev
from services.dunning.domain import ladder
from shared.domain import Aggregate
from shared.errors import Conflict, DomainError
from shared.profile import DunningPolicy

ZERO = Decimal("0")
DELETES_HOSTED_DATA = ("hosting",)


@dataclass
class InvoiceState:
    """An invoice as dunning follows it."""

    known: ev.InvoiceKnown
    balance: Decimal
    dispute_in_time: bool = False


@dataclass
class Case:
    """One overdue invoice's way down the ladder."""

    invoice_number: int
    due_date: date
    opened_on: date
    open: bool = True
    taken: list[ladder.StepTaken] = field(default_factory=list)
    paused: set[str] = field(default_factory=set)
    suspended: dict[str, date] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)
    compensated: bool = False
    interest_from: date | None = None
    not_before: date | None = None


class Debtor(Aggregate):
    """One per customer, so its cases share what is suspended and compensated."""

    stream_prefix = "debtor"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.name = ""
        self.kind = "business"
        self.cvr: str | None = None
        self.finance_email: str | None = None
        self.subscriptions: dict[str, ev.SubscriptionKnown] = {}
        self.invoices: dict[int, InvoiceState] = {}
        self.cases: dict[int, Case] = {}
        self.no_follow_up: ev.NoFollowUpSet | None = None
        self.compensated_subscriptions: dict[str, int] = {}
        self.permanently_closed: set[str] = set()  # by any case, until restored

    # --- what dunning learns -----------------------------------------------------------------

    def know_subscription(self, known: ev.SubscriptionKnown) -> None:
        """Remember a subscription (once)."""
        if known.subscription_id not in self.subscriptions:
            self._record(known)

    def know_invoice(self, known: ev.InvoiceKnown) -> None:
        """Remember an issued invoice (once)."""
        if known.invoice_number not in self.invoices:
            self._record(known)

    def change_balance(
        self, number: int, balance: Decimal, on: date, cause: str, policy: DunningPolicy
    ) -> None:
        """A payment or a credit note changed what is owed; a case paid in full closes."""
        invoice = self.invoices.get(number)
        if invoice is None or invoice.balance == balance:
            return
        self._record(
            ev.InvoiceBalanceChanged(invoice_number=number, balance=balance, on=on, cause=cause)
        )
        self._close_settled_cases(on, policy, "credited" if cause == "credit note" else "paid")

    def note_dispute(self, number: int, in_time: bool, today: date) -> None:
        """A dispute in time pauses the invoice's case (or the case it will open)."""
        self._record(ev.DisputeNoted(invoice_number=number, in_time=in_time))
        case = self.cases.get(number)
        if in_time and case is not None and case.open:
            self._pause(case, "invoice disputed in time", today)

    def end_dispute(self, number: int, outcome: str, today: date) -> None:
        """The dispute ended; a rejected one lets the ladder continue."""
        if number not in self.invoices:
            return
        self._record(ev.DisputeEnded(invoice_number=number, outcome=outcome))
        case = self.cases.get(number)
        if case is not None and case.open:
            self._resume(case, "invoice disputed in time", f"dispute {outcome}", today)

    def set_no_follow_up(self, reason: str, until: date, today: date) -> None:
        """An operator stops follow-up until a date."""
        if until < today:
            raise DomainError("the no-follow-up period must end today or later", field="until")
        if not reason.strip():
            raise DomainError("give the reason for stopping follow-up", field="reason")
        self._record(
            ev.NoFollowUpSet(customer_id=self.id, reason=reason, until=until, set_on=today)
        )
        for case in self._open_cases():
            self._pause(case, "no follow-up", today)

    def end_no_follow_up(self, today: date, reason: str) -> None:
        """Follow-up goes on; cases paused only for it resume."""
        if self.no_follow_up is None:
            raise Conflict("follow-up is not stopped for this customer", field="customer_id")
        self._record(ev.NoFollowUpEnded(customer_id=self.id, ended_on=today, reason=reason))
        for case in self._open_cases():
            self._resume(case, "no follow-up", reason, today)

    # --- the ladder ------------------------------------------------------------------------------

    def advance(self, today: date, policy: DunningPolicy) -> None:
        """Open cases for invoices past due and take every step due by today, each on its own date."""
        if self.no_follow_up is not None and self.no_follow_up.until < today:
            self.end_no_follow_up(today, "the no-follow-up period ended")
        for invoice in sorted(self.invoices.values(), key=lambda i: i.known.invoice_number):
            known = invoice.known
            if known.kind == "run" and known.due_date < today and invoice.balance > 0:
                if known.invoice_number not in self.cases:
                    self._open_case(invoice, policy)
        for case in self._open_cases():
            while not case.paused and (
                step := ladder.next_step(policy, case.due_date, case.taken, case.not_before)
            ):
                if step.action_date > today:
                    break
                self._take(case, step, policy)

    def demanded(self, number: int) -> Decimal:
        """What the case demands: the invoice's balance and its fee invoices'."""
        fees = sum(
            (i.balance for i in self.invoices.values() if i.known.regarding_invoice == number), ZERO
        )
        return self.invoices[number].balance + fees

    def _open_case(self, invoice: InvoiceState, policy: DunningPolicy) -> None:
        known = invoice.known
        opened_on = known.due_date + timedelta(days=1)
        self._record(
            ev.DunningCaseOpened(
                customer_id=self.id,
                invoice_number=known.invoice_number,
                due_date=known.due_date,
                opened_on=opened_on,
                outstanding=invoice.balance,
            )
        )
        case = self.cases[known.invoice_number]
        if invoice.dispute_in_time:
            self._pause(case, "invoice disputed in time", opened_on)
        if self.no_follow_up is not None:
            self._pause(case, "no follow-up", opened_on)

    def _take(self, case: Case, step: ladder.NextStep, policy: DunningPolicy) -> None:
        on, definition = step.action_date, step.step
        invoice = self.invoices[case.invoice_number]
        letters = [t for t in case.taken if t.reminder_number is not None]
        number = len(letters) + 1 if definition.letter != "none" else None
        fee, fee_reason = ladder.reminder_fee(definition, on, case.taken)
        self._record(
            ev.StepTaken(
                invoice_number=case.invoice_number,
                step=definition.id,
                on=on,
                deadline=step.new_deadline,
                fee=fee,
                reminder_number=number,
            )
        )
        if number is not None:
            compensation, compensation_reason = self._compensation(
                case, definition.compensation, policy
            )
            interest, _ = ladder.late_interest(
                policy, invoice.balance, case.interest_from or case.due_date, on
            )
            self._record(
                ev.ReminderIssued(
                    customer_id=self.id,
                    invoice_number=case.invoice_number,
                    step=definition.id,
                    title=definition.title,
                    reminder_number=number,
                    issued_on=on,
                    deadline=step.new_deadline,
                    fee=fee,
                    fee_reason=fee_reason,
                    compensation=compensation,
                    compensation_reason=compensation_reason,
                    interest=interest,
                    outstanding=self.demanded(case.invoice_number),
                    collection_notice=definition.letter == "collection_notice",
                    fi_payment_line=invoice.known.fi_payment_line,
                )
            )
        for action in definition.actions:
            if action == "suspend":
                self._suspend(case, on, policy)
            elif action == "close":
                self._close_services(case, on)
            else:
                self._delete_hosted_data(case, on)

    def _compensation(self, case: Case, asks: bool, policy: DunningPolicy) -> tuple[Decimal, str]:
        if not asks or case.compensated:
            return ZERO, "no compensation on this reminder"
        if self.kind != "business":
            return ZERO, "no compensation: the debtor is a consumer"
        for subscription_id in self.invoices[case.invoice_number].known.subscription_ids:
            earlier = self.compensated_subscriptions.get(subscription_id)
            if earlier is not None and earlier in self.cases and self.cases[earlier].open:
                sku = (
                    self.subscriptions[subscription_id].sku
                    if subscription_id in self.subscriptions
                    else subscription_id
                )
                return (
                    ZERO,
                    f"no compensation: continuous arrears on {sku}, charged with invoice {earlier}",
                )
        amount = policy.compensation_amount
        return (
            amount,
            f"compensation {amount} kr. (renteloven §9 a stk. 3): business debtor, once for this invoice",
        )

    def _in_scope(self, case: Case, policy: DunningPolicy) -> list[ev.SubscriptionKnown]:
        if policy.suspension_scope == "customer":
            candidates = list(self.subscriptions.values())
        else:
            ids = self.invoices[case.invoice_number].known.subscription_ids
            candidates = [self.subscriptions[i] for i in ids if i in self.subscriptions]
        return [s for s in candidates if s.suspendable]

    def _holder(self, subscription_id: str, other_than: int) -> Case | None:
        return next(
            (
                c
                for c in self._open_cases()
                if c.invoice_number != other_than and subscription_id in c.suspended
            ),
            None,
        )

    def _suspend(self, case: Case, on: date, policy: DunningPolicy) -> None:
        for sub in self._in_scope(case, policy):
            if sub.subscription_id in case.suspended:
                continue
            if self._holder(sub.subscription_id, case.invoice_number) is not None:
                self._record(
                    ev.SuspensionShared(
                        invoice_number=case.invoice_number, subscription_id=sub.subscription_id
                    )
                )
                continue
            self._record(
                ev.ServiceSuspended(
                    customer_id=self.id,
                    invoice_number=case.invoice_number,
                    subscription_id=sub.subscription_id,
                    sku=sub.sku,
                    service_kind=sub.service_kind,
                    suspended_on=on,
                )
            )

    def _close_services(self, case: Case, on: date) -> None:
        for subscription_id in sorted(case.suspended):
            if subscription_id in case.closed or any(
                subscription_id in c.closed for c in self._open_cases()
            ):
                continue
            sub = self.subscriptions[subscription_id]
            self._record(
                ev.ServicePermanentlyClosed(
                    customer_id=self.id,
                    invoice_number=case.invoice_number,
                    subscription_id=subscription_id,
                    sku=sub.sku,
                    service_kind=sub.service_kind,
                    closed_on=on,
                )
            )

    def _delete_hosted_data(self, case: Case, on: date) -> None:
        for subscription_id in sorted(case.closed):
            sub = self.subscriptions[subscription_id]
            if sub.service_kind in DELETES_HOSTED_DATA:
                self._record(
                    ev.HostedDataDeletionDue(
                        customer_id=self.id,
                        invoice_number=case.invoice_number,
                        subscription_id=subscription_id,
                        sku=sub.sku,
                        service_kind=sub.service_kind,
                        due_on=on,
                    )
                )

    def _close_settled_cases(self, on: date, policy: DunningPolicy, reason: str) -> None:
        for case in self._open_cases():
            if self.demanded(case.invoice_number) > 0:
                continue
            fee_charged = False
            for subscription_id in sorted(case.suspended):
                if self._holder(subscription_id, case.invoice_number) is not None:
                    continue  # another unpaid case still holds it suspended
                sub = self.subscriptions[subscription_id]
                closed = subscription_id in self.permanently_closed
                self._record(
                    ev.ServiceRestored(
                        customer_id=self.id,
                        invoice_number=case.invoice_number,
                        subscription_id=subscription_id,
                        sku=sub.sku,
                        service_kind=sub.service_kind,
                        restored_on=on,
                        after_permanent_closure=closed,
                        restore_within_hours=policy.hosting_restore_hours
                        if sub.service_kind == "hosting"
                        else None,
                        reopening_fee=ZERO if fee_charged else policy.reopening_fee,
                        extra_work_hours=policy.restore_after_closure_hours if closed else ZERO,
                    )
                )
                fee_charged = True
            self._record(
                ev.DunningCaseClosed(
                    customer_id=self.id,
                    invoice_number=case.invoice_number,
                    closed_on=on,
                    reason=reason,
                )
            )

    def _pause(self, case: Case, reason: str, on: date) -> None:
        if reason not in case.paused:
            self._record(
                ev.DunningPaused(
                    customer_id=self.id,
                    invoice_number=case.invoice_number,
                    reason=reason,
                    paused_on=on,
                )
            )

    def _resume(self, case: Case, lifts: str, reason: str, on: date) -> None:
        """Lift one pause; the case resumes when no other pause holds it."""
        if lifts not in case.paused:
            return
        if case.paused - {lifts}:
            self._record(ev.PauseLifted(invoice_number=case.invoice_number, lifts=lifts))
            return
        self._record(
            ev.DunningResumed(
                customer_id=self.id,
                invoice_number=case.invoice_number,
                reason=reason,
                resumed_on=on,
                lifts=lifts,
            )
        )

    def _open_cases(self) -> list[Case]:
        return [c for _, c in sorted(self.cases.items()) if c.open]

    # --- state -----------------------------------------------------------------------------------

    def when_DebtorRegistered(self, event: ev.DebtorRegistered) -> None:
        self.name, self.kind = event.name, event.kind
        self.cvr, self.finance_email = event.cvr, event.finance_email

    def when_SubscriptionKnown(self, event: ev.SubscriptionKnown) -> None:
        self.subscriptions[event.subscription_id] = event

    def when_InvoiceKnown(self, event: ev.InvoiceKnown) -> None:
        self.invoices[event.invoice_number] = InvoiceState(event, event.total)

    def when_InvoiceBalanceChanged(self, event: ev.InvoiceBalanceChanged) -> None:
        self.invoices[event.invoice_number].balance = event.balance

    def when_DisputeNoted(self, event: ev.DisputeNoted) -> None:
        self.invoices[event.invoice_number].dispute_in_time = event.in_time

    def when_DisputeEnded(self, event: ev.DisputeEnded) -> None:
        self.invoices[event.invoice_number].dispute_in_time = False

    def when_DunningCaseOpened(self, event: ev.DunningCaseOpened) -> None:
        self.cases[event.invoice_number] = Case(
            event.invoice_number, event.due_date, event.opened_on
        )

    def when_StepTaken(self, event: ev.StepTaken) -> None:
        case = self.cases[event.invoice_number]
        case.taken.append(
            ladder.StepTaken(event.step, event.on, event.deadline, event.fee, event.reminder_number)
        )

    def when_ReminderIssued(self, event: ev.ReminderIssued) -> None:
        case = self.cases[event.invoice_number]
        case.interest_from = event.issued_on
        if event.compensation > 0:
            case.compensated = True
            for subscription_id in self.invoices[event.invoice_number].known.subscription_ids:
                self.compensated_subscriptions[subscription_id] = event.invoice_number

    def when_ServiceSuspended(self, event: ev.ServiceSuspended) -> None:
        self.cases[event.invoice_number].suspended[event.subscription_id] = event.suspended_on

    def when_SuspensionShared(self, event: ev.SuspensionShared) -> None:
        holder = self._holder(event.subscription_id, event.invoice_number)
        self.cases[event.invoice_number].suspended[event.subscription_id] = (
            holder.suspended[event.subscription_id] if holder else date.min
        )

    def when_ServicePermanentlyClosed(self, event: ev.ServicePermanentlyClosed) -> None:
        self.cases[event.invoice_number].closed.add(event.subscription_id)
        self.permanently_closed.add(event.subscription_id)

    def when_HostedDataDeletionDue(self, _: ev.HostedDataDeletionDue) -> None:
        pass

    def when_ServiceRestored(self, event: ev.ServiceRestored) -> None:
        self.permanently_closed.discard(event.subscription_id)

    def when_DunningCaseClosed(self, event: ev.DunningCaseClosed) -> None:
        self.cases[event.invoice_number].open = False

    def when_DunningPaused(self, event: ev.DunningPaused) -> None:
        self.cases[event.invoice_number].paused.add(event.reason)

    def when_DunningResumed(self, event: ev.DunningResumed) -> None:
        case = self.cases[event.invoice_number]
        case.paused.discard(event.lifts)
        case.not_before = event.resumed_on

    def when_PauseLifted(self, event: ev.PauseLifted) -> None:
        self.cases[event.invoice_number].paused.discard(event.lifts)

    def when_NoFollowUpSet(self, event: ev.NoFollowUpSet) -> None:
        self.no_follow_up = event

    def when_NoFollowUpEnded(self, _: ev.NoFollowUpEnded) -> None:
        self.no_follow_up = None

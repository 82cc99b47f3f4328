"""The Account aggregate: what a customer has that is invoiced, and what was already invoiced."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.billing.domain import events as ev
from services.billing.domain.periods import Segment, billing_horizon, cost_in_period, periods_from
from shared.domain import Aggregate
from shared.errors import Conflict, DomainError, NotFound
from shared.money import dkk

WORK_UNIT_TERMS = "work"  # work and extra costs follow the profile's default payment terms


@dataclass
class SubscriptionTerms:
    """A subscription as billing sees it: its segments and what each period was invoiced."""

    subscription_id: str
    sku: str
    name: str
    unit: str
    billing_period: str
    payment_terms_days: int
    start: date
    segments: list[Segment]
    invoiced: dict[date, Decimal] = field(default_factory=dict)
    dirty_from: date | None = None


@dataclass
class ExtraCost:
    """An extra cost: held until approved, then invoiced once."""

    recorded: ev.ExtraCostRecorded
    approved: ev.ExtraCostApproved | None = None


@dataclass(frozen=True)
class Draft:
    """The lines of one invoice to issue (one payment-terms group) and what they cover."""

    payment_terms_days: int
    lines: list[ev.InvoiceLine]
    subscription_periods: list[tuple[str, date, Decimal]]
    work_entries: list[str]
    extra_costs: list[str]

    @property
    def total(self) -> Decimal:
        """The net total of the lines."""
        return sum((line.amount for line in self.lines), Decimal("0"))


class Account(Aggregate):
    """One per customer; the invoice run asks it what is due."""

    stream_prefix = "account"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.name = ""
        self.cvr: str | None = None
        self.address: str | None = None
        self.finance_email: str | None = None
        self.kind = "business"
        self.tier: str | None = None
        self.has_agreement = False
        self.on_trial = False
        self.subscriptions: dict[str, SubscriptionTerms] = {}
        self.work: dict[str, ev.WorkRecorded] = {}
        self.costs: dict[str, ExtraCost] = {}
        self.remote_hours_used: defaultdict[str, Decimal] = defaultdict(Decimal)
        self.credit_balance = Decimal("0")

    def note_agreement(self, tier: str | None, *, on_trial: bool, has_agreement: bool) -> None:
        """Remember what the agreement means for rating."""
        self._record(
            ev.AgreementTermsNoted(
                customer_id=self.id, tier=tier, on_trial=on_trial, has_agreement=has_agreement
            )
        )

    def note_subscription(self, started: ev.SubscriptionNoted) -> None:
        """A subscription to invoice from its start (a repeat of a known one changes nothing)."""
        if started.subscription_id not in self.subscriptions:
            self._record(started)

    def change_terms(
        self, subscription_id: str, effective: date, quantity: int, unit_price: Decimal, reason: str
    ) -> None:
        """From a date: a new quantity or unit price, or quantity 0 when the subscription ends."""
        if subscription_id not in self.subscriptions:
            return  # never started (e.g. ended during a trial): nothing was or will be invoiced
        if (
            Segment(effective, quantity, dkk(unit_price))
            in self.subscriptions[subscription_id].segments
        ):
            return  # the same change again (cancellation, then the end itself)
        self._record(
            ev.SubscriptionTermsChanged(
                customer_id=self.id,
                subscription_id=subscription_id,
                effective=effective,
                quantity=quantity,
                unit_price=dkk(unit_price),
                reason=reason,
            )
        )

    def record_work(self, recorded: ev.WorkRecorded) -> None:
        """Rated work, invoiced at the next run."""
        if recorded.entry_id in self.work:
            raise Conflict(f"work entry {recorded.entry_id} is already recorded", field="entry_id")
        self._record(recorded)

    def record_extra_cost(self, recorded: ev.ExtraCostRecorded) -> None:
        """An extra cost, held until the customer approves it."""
        self._record(recorded)

    def approve_extra_cost(self, cost_id: str, approved_by: str, approved_on: date) -> None:
        """The customer approved the extra cost in writing."""
        cost = self.costs.get(cost_id)
        if cost is None:
            raise NotFound(f"no extra cost {cost_id}", field="cost_id")
        if cost.approved is not None:
            raise Conflict(
                f"the extra cost was approved on {cost.approved.approved_on}", field="cost_id"
            )
        if not approved_by.strip():
            raise DomainError("name who approved the cost in writing", field="approved_by")
        self._record(
            ev.ExtraCostApproved(
                customer_id=self.id,
                cost_id=cost_id,
                approved_by=approved_by,
                approved_on=approved_on,
            )
        )

    def remote_hours_left(self, month: date, included: Decimal) -> Decimal:
        """Included remote support hours left in the day's month."""
        return max(Decimal("0"), included - self.remote_hours_used[month.strftime("%Y-%m")])

    def drafts(self, run_date: date, run_on: str, default_terms_days: int) -> list[Draft]:
        """What the invoice run on run_date issues: one draft per payment-terms group."""
        horizon = billing_horizon(run_date, run_on)
        groups: dict[int, Draft] = {}

        def group(terms: int) -> Draft:
            draft = groups.get(terms)
            if draft is None:
                draft = groups[terms] = Draft(terms, [], [], [], [])
            return draft

        for sub in self.subscriptions.values():
            for line, period_start, amount in self._subscription_lines(sub, horizon):
                draft = group(sub.payment_terms_days)
                draft.lines.append(line)
                draft.subscription_periods.append((sub.subscription_id, period_start, amount))
        for entry_id, work in self.work.items():
            if all(line.day <= run_date for line in work.lines):
                draft = group(default_terms_days)
                draft.lines.extend(_work_lines(work))
                draft.work_entries.append(entry_id)
        for cost_id, cost in self.costs.items():
            if cost.approved is not None and cost.recorded.incurred_on <= run_date:
                draft = group(default_terms_days)
                draft.lines.append(_cost_line(cost.recorded))
                draft.extra_costs.append(cost_id)
        # A group that would come to less than nothing waits for more lines (see docs/billing.md).
        return [
            d
            for d in sorted(groups.values(), key=lambda d: d.payment_terms_days)
            if d.lines and d.total > 0
        ]

    def mark_invoiced(self, invoice_number: int, draft: Draft) -> None:
        """Record what the issued invoice covered, so no run invoices it again."""
        self._record(
            ev.ItemsInvoiced(
                customer_id=self.id,
                invoice_number=invoice_number,
                subscription_periods=draft.subscription_periods,
                work_entries=draft.work_entries,
                extra_costs=draft.extra_costs,
            )
        )

    def change_credit_balance(self, change: Decimal, reason: str) -> None:
        """Keep an overpayment as credit (or use it)."""
        self._record(
            ev.CreditBalanceChanged(
                customer_id=self.id,
                change=change,
                balance=self.credit_balance + change,
                reason=reason,
            )
        )

    def _subscription_lines(
        self, sub: SubscriptionTerms, horizon: date
    ) -> list[tuple[ev.InvoiceLine, date, Decimal]]:
        # Re-examine from the last invoiced period (or the start), and from any change before that.
        first = max(sub.invoiced) if sub.invoiced else sub.start
        if sub.dirty_from is not None:
            first = min(first, sub.dirty_from)
        lines = []
        for period in periods_from(first, horizon, sub.billing_period, sub.start):
            cost, how = cost_in_period(period, sub.segments, sub.billing_period)
            owed = dkk(cost) - sub.invoiced.get(period.start, Decimal("0"))
            if owed == 0:
                continue
            already = period.start in sub.invoiced
            text = f"{sub.name}, {period.label(sub.billing_period)}"
            text += f": regulering ({how})" if already else f" ({how})"
            line = ev.InvoiceLine(
                description=text,
                quantity=Decimal("1"),
                unit="periode",
                unit_price=owed,
                amount=owed,
                period_start=period.start,
                period_end=period.end,
                sku=sub.sku,
                subscription_id=sub.subscription_id,
            )
            lines.append((line, period.start, owed))
        return lines

    def when_BillingAccountOpened(self, event: ev.BillingAccountOpened) -> None:
        self.name, self.cvr, self.kind = event.name, event.cvr, event.kind
        self.address, self.finance_email = event.address, event.finance_email

    def when_AgreementTermsNoted(self, event: ev.AgreementTermsNoted) -> None:
        self.tier, self.on_trial, self.has_agreement = (
            event.tier,
            event.on_trial,
            event.has_agreement,
        )

    def when_SubscriptionNoted(self, event: ev.SubscriptionNoted) -> None:
        self.subscriptions[event.subscription_id] = SubscriptionTerms(
            subscription_id=event.subscription_id,
            sku=event.sku,
            name=event.name,
            unit=event.unit,
            billing_period=event.billing_period,
            payment_terms_days=event.payment_terms_days,
            start=event.start,
            segments=[Segment(event.start, event.quantity, event.unit_price)],
        )

    def when_SubscriptionTermsChanged(self, event: ev.SubscriptionTermsChanged) -> None:
        sub = self.subscriptions[event.subscription_id]
        kept = [s for s in sub.segments if s.start < event.effective]
        sub.segments = [*kept, Segment(event.effective, event.quantity, event.unit_price)]
        sub.dirty_from = min(sub.dirty_from or event.effective, event.effective)

    def when_WorkRecorded(self, event: ev.WorkRecorded) -> None:
        self.work[event.entry_id] = event
        for line in event.lines:
            if line.included_hours_used:
                self.remote_hours_used[line.day.strftime("%Y-%m")] += line.included_hours_used

    def when_ExtraCostRecorded(self, event: ev.ExtraCostRecorded) -> None:
        self.costs[event.cost_id] = ExtraCost(event)

    def when_ExtraCostApproved(self, event: ev.ExtraCostApproved) -> None:
        self.costs[event.cost_id].approved = event

    def when_ItemsInvoiced(self, event: ev.ItemsInvoiced) -> None:
        for subscription_id, period_start, amount in event.subscription_periods:
            sub = self.subscriptions[subscription_id]
            sub.invoiced[period_start] = sub.invoiced.get(period_start, Decimal("0")) + amount
            sub.dirty_from = None
        for entry_id in event.work_entries:
            self.work.pop(entry_id, None)
        for cost_id in event.extra_costs:
            self.costs.pop(cost_id, None)

    def when_CreditBalanceChanged(self, event: ev.CreditBalanceChanged) -> None:
        self.credit_balance = event.balance


def _work_lines(work: ev.WorkRecorded) -> list[ev.InvoiceLine]:
    return [
        ev.InvoiceLine(
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount=line.discount,
            amount=line.amount,
            period_start=line.day,
            period_end=line.day,
        )
        for line in work.lines
    ]


def _cost_line(cost: ev.ExtraCostRecorded) -> ev.InvoiceLine:
    return ev.InvoiceLine(
        description=f"{cost.description} (godkendt udlæg)",
        quantity=cost.quantity,
        unit="stk.",
        unit_price=cost.unit_price,
        amount=dkk(cost.quantity * cost.unit_price),
        period_start=cost.incurred_on,
        period_end=cost.incurred_on,
    )

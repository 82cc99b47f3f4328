"""Accounts-receivable aging: open balances by days past due at the platform's business date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# (label, lowest days past due, highest or None). Due today is still in time, so "not yet due"
# ends at 0 days and the four buckets of the brief follow.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("Not yet due", -100_000, 0),
    ("0–30 days", 1, 30),
    ("31–60 days", 31, 60),
    ("61–90 days", 61, 90),
    ("90+ days", 91, None),
)


@dataclass(frozen=True)
class Bucket:
    """One bar of the aging chart."""

    label: str
    amount: Decimal
    invoices: int


def age(open_items: Iterable[tuple[date, Decimal]], today: date) -> list[Bucket]:
    """Sum open balances (due date, balance) into the buckets, by days past due at `today`."""
    amounts = {label: Decimal("0") for label, _, _ in BUCKETS}
    counts = {label: 0 for label, _, _ in BUCKETS}
    for due, balance in open_items:
        overdue = (today - due).days
        for label, low, high in BUCKETS:
            if overdue >= low and (high is None or overdue <= high):
                amounts[label] += balance
                counts[label] += 1
                break
    return [Bucket(label, amounts[label], counts[label]) for label, _, _ in BUCKETS]

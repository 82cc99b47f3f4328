"""The assets rules on their own: workbook periods, visit days, package allocation, warranty."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.assets.domain.dates import add_months
from services.assets.domain.reconciliation import Device, PackageSource, reconcile
from services.assets.domain.visits import visit_due_on
from services.assets.domain.workbook import WorkbookRow, period_ending, total_of


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 31), ("2026-03", date(2026, 2, 27), date(2026, 3, 30))),
        (date(2026, 2, 27), ("2026-02", date(2026, 1, 30), date(2026, 2, 26))),
        (date(2026, 12, 30), ("2026-12", date(2026, 11, 30), date(2026, 12, 29))),
        (date(2026, 3, 30), None),
        (date(2026, 12, 31), None),
    ],
)
def test_the_workbook_is_made_on_the_last_business_day_for_the_moves_since_the_last_one(
    day: date, expected: tuple[str, date, date] | None
) -> None:
    period = period_ending(day)
    assert (None if period is None else (period.month, period.start, period.end)) == expected


def test_the_workbook_total_is_the_sum_of_the_rows_in_whole_oere() -> None:
    rows = [
        WorkbookRow("laptop", "T14", "Salg", "Lager", Decimal("7500.00"), date(2026, 3, 3)),
        WorkbookRow("monitor", "P27", None, "Lager", Decimal("2250.50"), date(2026, 3, 4)),
    ]
    assert total_of(rows) == Decimal("9750.50")
    assert total_of([]) == Decimal("0.00")


def test_two_visits_a_year_fall_six_and_twelve_months_after_the_start() -> None:
    start = date(2026, 8, 31)
    assert [visit_due_on(start, 2, n) for n in (1, 2, 3)] == [
        date(2027, 2, 28),
        date(2027, 8, 31),
        date(2028, 2, 29),
    ]


def test_a_one_year_warranty_from_29_february_ends_on_28_february() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_packages_cover_the_oldest_devices_included_ones_before_paid_subscriptions() -> None:
    devices = [Device(f"h{n}", "laptop", "T14", f"S{n}", None, None) for n in range(1, 5)]
    included = PackageSource("included in it-agreement-silver", 5)
    subscribed = PackageSource("pc-security subscription", 2, "sub-1")
    outcome = reconcile(devices, [included, subscribed])
    assert outcome.devices_without_package == []
    assert [(s.source, s.unused) for s in outcome.packages_without_device] == [
        ("included in it-agreement-silver", 1),
        ("pc-security subscription", 2),
    ]
    short = reconcile(devices, [PackageSource("pc-security subscription", 3, "sub-1")])
    assert [d.serial for d in short.devices_without_package] == ["S4"]

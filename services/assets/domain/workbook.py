"""The monthly hardware workbook: which moves it covers, its rows and total, and its issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from services.assets.domain import events as ev
from services.assets.domain.dates import (
    is_month_end_run,
    month_key,
    month_name_da,
    previous_month_end_run,
)
from shared.domain import Aggregate
from shared.money import dkk


@dataclass(frozen=True)
class AccountingPeriod:
    """The moves one workbook covers: from the previous run day up to the day before this one.

    The workbook is made when the last business day starts, so that day's own moves go in
    the next month's workbook: every move is reported exactly once.
    """

    month: str
    title: str
    start: date
    end: date


def period_ending(today: date) -> AccountingPeriod | None:
    """The period whose workbook is issued today, or None if today is not a month-end run."""
    if not is_month_end_run(today):
        return None
    return AccountingPeriod(
        month=month_key(today),
        title=month_name_da(today),
        start=previous_month_end_run(today),
        end=today - timedelta(days=1),
    )


@dataclass(frozen=True)
class WorkbookRow:
    """One move as the finance department reads it."""

    product_type: str
    product_name: str
    from_department: str | None
    to_department: str | None
    estimated_price: Decimal
    moved_on: date


def total_of(rows: list[WorkbookRow]) -> Decimal:
    """The sum of the rows' estimated prices."""
    return dkk(sum((row.estimated_price for row in rows), Decimal("0")))


class Workbook(Aggregate):
    """One customer's workbook for one month; its stream makes it exist at most once."""

    stream_prefix = "workbook"

    @staticmethod
    def key(customer_id: str, month: str) -> str:
        """The aggregate id: customer and month."""
        return f"{customer_id}-{month}"

    @classmethod
    def issue(
        cls,
        workbook_id: str,
        customer_id: str,
        period: AccountingPeriod,
        rows: list[WorkbookRow],
        today: date,
        document: tuple[str, str],
        recipients: list[str],
    ) -> Workbook:
        """Issue the workbook; document is (filename, sha256 of its bytes)."""
        filename, sha256 = document
        workbook = cls(cls.key(customer_id, period.month))
        workbook._record(
            ev.HardwareWorkbookIssued(
                customer_id=customer_id,
                workbook_id=workbook_id,
                month=period.month,
                period_start=period.start,
                period_end=period.end,
                issued_on=today,
                rows=len(rows),
                total=total_of(rows),
                filename=filename,
                sha256=sha256,
                recipients=recipients,
            )
        )
        return workbook

    def when_HardwareWorkbookIssued(self, _: ev.HardwareWorkbookIssued) -> None:
        pass

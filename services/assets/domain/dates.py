"""Month arithmetic for warranties, workbook periods and service visits."""

from __future__ import annotations

import calendar
from datetime import date

from shared.calendar import last_business_day_of_month

MONTHS_DA = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip


def add_months(day: date, months: int) -> date:
    """The same day n months later, clamped to the month's end (29 Feb 2028 + 12 = 28 Feb 2029)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_key(day: date) -> str:
    """The month as YYYY-MM."""
    return f"{day.year:04d}-{day.month:02d}"


def month_name_da(day: date) -> str:
    """The month in Danish, e.g. 'marts 2026'."""
    return f"{MONTHS_DA[day.month - 1]} {day.year}"


def is_month_end_run(day: date) -> bool:
    """True on the last business day of the day's month."""
    return day == last_business_day_of_month(day.year, day.month)


def previous_month_end_run(day: date) -> date:
    """The last business day of the month before the day's month."""
    first = day.replace(day=1)
    before = (
        date(first.year - 1, 12, 1) if first.month == 1 else first.replace(month=first.month - 1)
    )
    return last_business_day_of_month(before.year, before.month)

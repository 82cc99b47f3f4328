"""Danish bank business days, from Nationalbanken's closing days (danish-banking-holidays)."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta

from danish_banking_holidays import DanishBankingCalendar

_BANK = DanishBankingCalendar()


def is_business_day(day: date) -> bool:
    """Monday to Friday that is not a Danish bank closing day."""
    return not _BANK.is_holiday(day)


def closing_day_name(day: date) -> str | None:
    """The bank closing day's name, or None on an ordinary day."""
    name: str | None = _BANK.get_holiday_name(day)
    return name


def roll_forward(day: date) -> date:
    """The day itself if it is a business day, else the next business day."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def next_business_day(day: date) -> date:
    """The first business day strictly after the given day."""
    return roll_forward(day + timedelta(days=1))


def last_business_day_of_month(year: int, month: int) -> date:
    """The last business day of a month, e.g. 30 Dec 2026."""
    day = date(year, month, _calendar.monthrange(year, month)[1])
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def last_business_day_of_quarter(year: int, month: int) -> date:
    """The last business day of the quarter the month falls in."""
    quarter_end_month = ((month - 1) // 3 + 1) * 3
    return last_business_day_of_month(year, quarter_end_month)

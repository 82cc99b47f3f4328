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


def add_months(day: date, months: int) -> date:
    """The same day n months later, clamped to the month's end (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def end_of_month(day: date) -> date:
    """The last day of the day's month."""
    return date(day.year, day.month, _calendar.monthrange(day.year, day.month)[1])


def end_of_quarter(day: date) -> date:
    """The last day of the day's quarter."""
    return end_of_month(date(day.year, ((day.month - 1) // 3 + 1) * 3, 1))


def term_anniversary(start: date, months: int) -> date:
    """When a term of n months that began on start is followed by the next one.

    A term from 29 Feb 2028 is followed on 1 Mar 2029, so it ends on 28 Feb 2029.
    """
    anniversary = add_months(start, months)
    if anniversary.day < start.day:
        return anniversary + timedelta(days=1)
    return anniversary


def end_of_term(start: date, notice_date: date, term_months: int = 12) -> date:
    """The end of the running term: terms of term_months from the start, back to back."""
    terms = 1
    while (end := term_anniversary(start, term_months * terms) - timedelta(days=1)) < notice_date:
        terms += 1
    return end

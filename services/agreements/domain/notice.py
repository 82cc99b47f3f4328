"""Notice rules: from the day notice is given to the last day of service."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from shared.profile import NoticeRule


def add_months(day: date, months: int) -> date:
    """The same day n months later, clamped to the month's end (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_month(day: date) -> date:
    """The last day of the day's month."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


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


def last_day_of_service(rule: NoticeRule, notice_date: date, term_start: date) -> date:
    """The last day the service runs (and is invoiced) after notice on notice_date."""
    match rule.rule:
        case "current_month_plus_months":
            # Notice on 10 Feb ends the service on 31 Mar.
            return end_of_month(add_months(notice_date.replace(day=1), rule.months))
        case "months_from_notice":
            return add_months(notice_date, rule.months)
        case "end_of_term":
            return end_of_term(term_start, notice_date)
        case "end_of_following_quarter":
            # MICO: 10 Feb and 31 Mar both end on 30 Jun.
            return end_of_quarter(add_months(end_of_quarter(notice_date), 1))
    raise ValueError(f"unknown notice rule {rule.rule}")

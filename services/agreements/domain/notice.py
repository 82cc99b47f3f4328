"""Notice rules: from the day notice is given to the last day of service."""

from __future__ import annotations

from datetime import date

from shared.calendar import add_months, end_of_month, end_of_quarter, end_of_term
from shared.profile import NoticeRule


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

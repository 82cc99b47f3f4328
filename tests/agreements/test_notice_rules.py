"""Each product's notice rule, with the dates of DOMAIN.md and the edges of the calendar."""

from __future__ import annotations

from datetime import date

import pytest

from services.agreements.domain.notice import last_day_of_service
from shared.profile import NoticeRule

MONTH_PLUS_ONE = NoticeRule(
    rule="current_month_plus_months", months=1, description="current month + 1"
)
ONE_MONTH = NoticeRule(rule="months_from_notice", months=1, description="one month")
END_OF_TERM = NoticeRule(rule="end_of_term", description="end of term")
MICO = NoticeRule(rule="end_of_following_quarter", months=3, description="end of following quarter")
ANY_START = date(2025, 1, 1)


@pytest.mark.parametrize(
    ("notice", "last_day"),
    [
        (date(2026, 2, 10), date(2026, 3, 31)),  # DOMAIN.md
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 12, 15), date(2027, 1, 31)),
        (date(2028, 2, 29), date(2028, 3, 31)),
        (date(2026, 3, 31), date(2026, 4, 30)),
    ],
)
def test_current_month_plus_one_month(notice: date, last_day: date) -> None:
    assert last_day_of_service(MONTH_PLUS_ONE, notice, ANY_START) == last_day


@pytest.mark.parametrize(
    ("notice", "last_day"),
    [
        (date(2026, 2, 10), date(2026, 6, 30)),  # DOMAIN.md
        (date(2026, 3, 31), date(2026, 6, 30)),  # DOMAIN.md: last day of a quarter
        (date(2026, 1, 1), date(2026, 6, 30)),
        (date(2026, 4, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), date(2027, 3, 31)),
        (date(2028, 2, 29), date(2028, 6, 30)),
    ],
)
def test_mico_three_months_to_the_end_of_the_following_quarter(
    notice: date, last_day: date
) -> None:
    assert last_day_of_service(MICO, notice, ANY_START) == last_day


@pytest.mark.parametrize(
    ("notice", "last_day"),
    [
        (date(2026, 2, 10), date(2026, 3, 10)),
        (date(2026, 1, 31), date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2028, 2, 29), date(2028, 3, 29)),
    ],
)
def test_monthly_microsoft_365_one_month_from_notice(notice: date, last_day: date) -> None:
    assert last_day_of_service(ONE_MONTH, notice, ANY_START) == last_day


@pytest.mark.parametrize(
    ("start", "notice", "last_day"),
    [
        (date(2026, 3, 15), date(2026, 5, 1), date(2027, 3, 14)),
        (date(2026, 3, 15), date(2027, 3, 14), date(2027, 3, 14)),  # notice on the term's last day
        (date(2026, 3, 15), date(2027, 3, 15), date(2028, 3, 14)),  # the next term has begun
        (date(2028, 2, 29), date(2028, 6, 1), date(2029, 2, 28)),  # a term from 29 Feb
    ],
)
def test_yearly_microsoft_365_runs_to_the_end_of_its_term(
    start: date, notice: date, last_day: date
) -> None:
    assert last_day_of_service(END_OF_TERM, notice, start) == last_day

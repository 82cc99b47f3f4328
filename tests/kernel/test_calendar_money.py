"""Danish bank days and money rounding, with the dates of DOMAIN.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.calendar import (
    is_business_day,
    last_business_day_of_month,
    last_business_day_of_quarter,
    next_business_day,
    roll_forward,
)
from shared.money import dkk, format_dkk, vat_of


def test_the_last_business_day_of_december_2026_is_the_30th() -> None:
    assert last_business_day_of_month(2026, 12) == date(2026, 12, 30)


def test_the_last_business_day_of_january_2026_is_friday_the_30th() -> None:
    assert last_business_day_of_month(2026, 1) == date(2026, 1, 30)


def test_bank_closing_days_are_not_business_days() -> None:
    closing = [
        date(2026, 1, 1),
        date(2026, 4, 2),  # Maundy Thursday
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 15),  # the Friday after
        date(2026, 5, 25),  # Whit Monday
        date(2026, 6, 5),  # Constitution Day
        date(2026, 12, 24),
        date(2026, 12, 31),
    ]
    assert [d for d in closing if is_business_day(d)] == []


def test_the_first_of_may_and_the_old_great_prayer_day_are_business_days() -> None:
    # In 2026 the Great Prayer Day, abolished from 2024, would have fallen on 1 May.
    assert is_business_day(date(2026, 5, 1))
    assert is_business_day(date(2023, 5, 5)) is False, "before 2024 it was a closing day"


def test_a_saturday_deadline_rolls_to_monday() -> None:
    assert roll_forward(date(2026, 2, 14)) == date(2026, 2, 16)
    assert roll_forward(date(2026, 2, 13)) == date(2026, 2, 13)
    assert next_business_day(date(2026, 2, 13)) == date(2026, 2, 16)


def test_a_quarter_ends_on_its_last_business_day() -> None:
    assert last_business_day_of_quarter(2026, 2) == date(2026, 3, 31)
    assert last_business_day_of_quarter(2026, 11) == date(2026, 12, 30)


def test_amounts_round_half_up_to_whole_ore() -> None:
    assert dkk("0.125") == Decimal("0.13")
    assert dkk("2.675") == Decimal("2.68")
    assert vat_of(Decimal("1275.00")) == Decimal("318.75")
    assert format_dkk(Decimal("1234567.5")) == "1.234.567,50 kr."

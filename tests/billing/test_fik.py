"""The FI-kort (+71) payment reference: Luhn check digit, FI line, parsing, refusals."""

from __future__ import annotations

import pytest
from stdnum import luhn

from services.billing.documents.fik import (
    FiReference,
    check_creditor_number,
    fi_line,
    invoice_number_of,
    parse_fi_line,
    payment_id,
)

NUMBERS = [0, 1, 7, 1042, 99_999, 123_456_789, 10**13, 10**14 - 1]


@pytest.mark.parametrize("number", NUMBERS)
def test_payment_id_is_the_zero_padded_number_and_a_luhn_check_digit(number: int) -> None:
    pid = payment_id(number)
    assert len(pid) == 15 and pid.isdigit()
    assert pid[:14] == f"{number:014d}"
    assert pid[14] == luhn.calc_check_digit(pid[:14])
    assert luhn.is_valid(pid)


def test_payment_id_for_a_known_invoice_number() -> None:
    # Luhn by hand on 00000000001042: 2*2=4, 4, 0*2=0, 1 -> 9, check digit 1.
    assert payment_id(1042) == "000000000010421"


@pytest.mark.parametrize("number", NUMBERS)
def test_fi_line_round_trips(number: int) -> None:
    pid = payment_id(number)
    line = fi_line(pid, "81234567")
    assert line == f"+71<{pid}+81234567<"
    assert parse_fi_line(line) == FiReference(payment_id=pid, creditor_number="81234567")
    assert invoice_number_of(parse_fi_line(line).payment_id) == number


def test_parse_tolerates_surrounding_whitespace() -> None:
    assert parse_fi_line("  +71<000000000010421+81234567<\n").payment_id == "000000000010421"


@pytest.mark.parametrize("number", [-1, 10**14, True, 1.0, "1042", None])
def test_payment_id_refuses_what_is_not_a_14_digit_number(number: object) -> None:
    with pytest.raises(ValueError):
        payment_id(number)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("pid", "reason"),
    [
        ("00000000001042", "exactly 15 digits"),  # 14 digits
        ("0000000000104210", "exactly 15 digits"),  # 16 digits
        ("000000000010422", "check digit"),  # wrong Luhn digit
        ("00000000001042A", "exactly 15 digits"),
        (" 000000000010421", "exactly 15 digits"),
    ],
)
def test_fi_line_refuses_a_bad_payment_id(pid: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        fi_line(pid, "81234567")


@pytest.mark.parametrize("creditor", ["1234567", "123456789", "8123456X", "", "8123 4567"])
def test_fi_line_refuses_a_bad_creditor_number(creditor: str) -> None:
    with pytest.raises(ValueError, match="8 digits"):
        fi_line("000000000010421", creditor)
    with pytest.raises(ValueError):
        check_creditor_number(creditor)


@pytest.mark.parametrize(
    "line",
    [
        "+71<000000000010421+81234567",  # no closing '<'
        "71<000000000010421+81234567<",  # no leading '+'
        "+73<000000000010421+81234567<",  # another card type
        "+71<00000000001042+81234567<",  # 14-digit payment id
        "+71<000000000010421+8123456<",  # 7-digit creditor
        "+71< 000000000010421+81234567<",  # space inside
        "",
    ],
)
def test_parse_refuses_what_is_not_an_fi_71_line(line: str) -> None:
    with pytest.raises(ValueError, match="not an FI"):
        parse_fi_line(line)


def test_parse_refuses_a_wrong_check_digit() -> None:
    with pytest.raises(ValueError, match="check digit"):
        parse_fi_line("+71<000000000010422+81234567<")


def test_parse_refuses_non_text() -> None:
    with pytest.raises(ValueError):
        parse_fi_line(None)  # type: ignore[arg-type]

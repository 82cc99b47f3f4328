"""The FI-kort payment reference (indbetalingskort, kortart +71).

An FI line reads ``+71<`` + 15-digit payment ID + ``+`` + 8-digit creditor number + ``<``.
The payment ID is the invoice number zero-padded to 14 digits followed by a Luhn
(modulus 10) check digit, so a bank statement's reference leads back to the invoice.
"""

from __future__ import annotations

import re
from typing import NamedTuple

CARD_TYPE = "71"
PAYMENT_ID_DIGITS = 15
CREDITOR_DIGITS = 8
_BODY_DIGITS = PAYMENT_ID_DIGITS - 1
_FI_LINE = re.compile(r"^\+71<(\d{15})\+(\d{8})<$")


class FiReference(NamedTuple):
    """What an FI line says: whom to pay (creditor number) and what for (payment ID)."""

    payment_id: str
    creditor_number: str


def payment_id(number: int) -> str:
    """The 15-digit payment ID for an invoice number: 14 digits, zero-padded, + Luhn check digit."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError(f"the invoice number must be an integer, not {number!r}")
    if number < 0:
        raise ValueError(f"the invoice number must not be negative, got {number}")
    if number >= 10**_BODY_DIGITS:
        raise ValueError(f"the invoice number {number} does not fit in {_BODY_DIGITS} digits")
    body = f"{number:0{_BODY_DIGITS}d}"
    return body + str(-_luhn_sum(body + "0") % 10)


def check_payment_id(value: str) -> str:
    """Return the payment ID if it is 15 digits with a valid Luhn check digit, else ValueError."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{15}", value):
        raise ValueError(f"a payment ID is exactly {PAYMENT_ID_DIGITS} digits, got {value!r}")
    if _luhn_sum(value) % 10:
        raise ValueError(f"the payment ID {value} has a wrong check digit (Luhn)")
    return value


def _luhn_sum(digits: str) -> int:
    """The Luhn (modulus 10) sum: every second digit from the right doubled, digits added."""
    # The doubled digits' digit sums through a translation table: a C loop, not a Python one.
    return sum(map(int, digits[::-1][::2])) + sum(map(int, digits[-2::-2].translate(_DOUBLED)))


_DOUBLED = str.maketrans("0123456789", "0246813579")


def check_creditor_number(value: str) -> str:
    """Return the FI creditor number if it is exactly 8 digits, else ValueError."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{8}", value):
        raise ValueError(
            f"an FI creditor number is exactly {CREDITOR_DIGITS} digits, got {value!r}"
        )
    return value


def fi_line(payment_id: str, creditor_number: str) -> str:
    """The FI-kort line ``+71<payment id+creditor number<``, both parts validated."""
    check_payment_id(payment_id)
    check_creditor_number(creditor_number)
    return f"+{CARD_TYPE}<{payment_id}+{creditor_number}<"


def parse_fi_line(line: str) -> FiReference:
    """Read an FI line (+71 only) back into its payment ID and creditor number."""
    if not isinstance(line, str):
        raise ValueError(f"an FI line is text, not {line!r}")
    text = line.strip()
    match = _FI_LINE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"not an FI +71 line (expected '+71<' + 15 digits + '+' + 8 digits + '<'): {line!r}"
        )
    pid, creditor = match.groups()
    check_payment_id(pid)
    return FiReference(payment_id=pid, creditor_number=creditor)


def invoice_number_of(payment_id: str) -> int:
    """The invoice number a valid payment ID was made from."""
    return int(check_payment_id(payment_id)[:_BODY_DIGITS])

"""Wording of rated lines: Danish descriptions for the customer, English rules for staff."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from services.billing.domain.work import WorkEntry, WorkKind
from shared.money import format_dkk

# En dash, as Danish invoices write time spans (15:30 to 16:00) and separate a note.
DASH = "\u2013"

KIND_DA: dict[WorkKind, str] = {
    "consulting": "Konsulentbistand",
    "remote": "Fjernsupport",
    "onsite": "Udekørende support",
    "setup": "Opsætning",
}
KIND_EN: dict[WorkKind, str] = {
    "consulting": "consulting",
    "remote": "remote support",
    "onsite": "on-site support",
    "setup": "setup",
}


def plain(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent: 1.50 -> "1.5", 10.00 -> "10"."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def kr(amount: Decimal) -> str:
    """Danish money, whole kroner without øre: 1275 -> "1.275 kr.", 3.94 -> "3,94 kr."."""
    text = format_dkk(amount)
    return text.removesuffix(",00 kr.") + " kr." if text.endswith(",00 kr.") else text


def per_unit(unit_minutes: int) -> str:
    """How the unit is said in a rule: per started hour / half hour / N minutes."""
    if unit_minutes == 60:
        return "per started hour"
    if unit_minutes == 30:
        return "per started half hour"
    return f"per started {unit_minutes} minutes"


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def period_da(start: datetime, end: datetime) -> str:
    """E.g. 16.03.2026 15:30-16:00; an end at the next midnight is 24:00, a later day is dated."""
    text = f"{start:%d.%m.%Y} {_clock(start)}{DASH}"
    if end.date() == start.date():
        return text + _clock(end)
    if end.time() == time(0) and (end.date() - start.date()).days == 1:
        return text + "24:00"
    return text + f"{end:%d.%m.%Y} {_clock(end)}"


def describe(entry: WorkEntry, start: datetime, end: datetime, notes: list[str]) -> str:
    """The customer's line text: kind, date and time, why (in Danish), the entry's own note."""
    text = f"{KIND_DA[entry.kind]} {period_da(start, end)}"
    if notes:
        text += f" ({', '.join(notes)})"
    if entry.description:
        text += f" {DASH} {entry.description}"
    return text

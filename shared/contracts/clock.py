"""Time as an event: one DayStarted per calendar day, Europe/Copenhagen."""

from __future__ import annotations

import datetime as dt

from shared.contracts import Contract, contract

TOPIC = "clock.events"


@contract
class DayStarted(Contract):
    """A business day has begun; every time-based rule runs from this."""

    context = "clock"
    date: dt.date
    timezone: str = "Europe/Copenhagen"
    is_business_day: bool
    catching_up: bool = False

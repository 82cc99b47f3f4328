"""Integration events the agreements context subscribes to (besides DayStarted): none yet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shared.consumer import EventHandler
from shared.contracts import Contract


def handlers() -> Mapping[type[Contract], Sequence[EventHandler]]:
    """Agreements is upstream of every other context."""
    return {}

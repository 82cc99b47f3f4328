"""The wall clock, injectable: the embedded platform runs vendors on its own business date."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The wall clock in UTC."""
    return datetime.now(UTC)

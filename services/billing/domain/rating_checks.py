"""What a work entry must satisfy before it can be rated; each refusal names its field."""

from __future__ import annotations

from datetime import timedelta

from services.billing.domain.rating_text import KIND_DA
from services.billing.domain.work import RatingContext, WorkEntry
from shared.errors import DomainError

# Longer entries are almost always a forgotten stop; the person splits them knowingly.
MAX_ENTRY = timedelta(hours=24)


def check_entry(entry: WorkEntry, context: RatingContext) -> None:
    """Raise DomainError(field=...) for an entry the rating rules cannot price."""
    if entry.kind not in KIND_DA:
        raise DomainError(f"unknown kind of work {entry.kind!r}", field="kind")
    if entry.end <= entry.start:
        raise DomainError("the end must be after the start", field="end")
    if entry.end - entry.start > MAX_ENTRY:
        raise DomainError("an entry may be at most 24 hours; split it", field="end")
    if entry.km < 0:
        raise DomainError("km cannot be negative", field="km")
    if entry.km > 0 and entry.kind == "remote":
        raise DomainError("remote support has no driving; record it as on-site", field="km")
    if entry.devices < 0:
        raise DomainError("devices cannot be negative", field="devices")
    tier = context.tier
    per_device = tier is not None and tier.device_setup_price is not None
    if entry.kind == "setup" and per_device and entry.devices < 1:
        raise DomainError("setup per device needs at least one device", field="devices")
    if context.included_remote_hours_left < 0:
        raise DomainError("cannot be negative", field="included_remote_hours_left")
    if context.km_driven_this_year < 0:
        raise DomainError("cannot be negative", field="km_driven_this_year")

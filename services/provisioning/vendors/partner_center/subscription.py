"""The Partner Center subscription resource as JSON, and what the port makes of it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast, get_args

from services.provisioning.vendors.errors import VendorError
from services.provisioning.vendors.ports import LicenseState, SubscriptionStatus

VENDOR = "partner_center"
STATUSES: tuple[str, ...] = get_args(SubscriptionStatus)


def license_state(body: dict[str, Any]) -> LicenseState:
    """A subscription resource as the port's LicenseState."""
    status = body.get("status")
    if status not in STATUSES:
        message = f"unknown subscription status {status!r}"
        raise VendorError(VENDOR, 200, "unexpected_status", message, retryable=False)
    return LicenseState(
        subscription_id=str(body.get("id", "")),
        status=cast(SubscriptionStatus, status),
        auto_renew_enabled=bool(body.get("autoRenewEnabled", False)),
        quantity=int(body.get("quantity", 0)),
        cancellation_allowed_until=parse_datetime(body.get("cancellationAllowedUntilDate")),
        commitment_end_date=parse_date(body.get("commitmentEndDate")),
    )


def etag_of(body: dict[str, Any]) -> str:
    """The version Partner Center expects back in If-Match."""
    attributes = body.get("attributes") or {}
    return str(attributes.get("etag", ""))


def parse_datetime(value: object) -> datetime | None:
    """An ISO date-time; one without an offset is taken as UTC (Partner Center speaks UTC)."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_date(value: object) -> date | None:
    """A date from an ISO date or date-time."""
    if not value:
        return None
    text = str(value)
    return date.fromisoformat(text[:10])

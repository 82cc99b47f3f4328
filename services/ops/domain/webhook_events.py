"""Ops' own events about webhooks; never carrying a secret."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict


class WebhookEvent(BaseModel):
    """Base: frozen, and its type is its class name."""

    model_config = ConfigDict(frozen=True)
    stream_prefix: ClassVar[str] = "webhook-endpoint"


class WebhookEndpointRegistered(WebhookEvent):
    """An external system's endpoint will receive the events its filter names."""

    endpoint_id: str
    url: str
    description: str | None
    event_types: list[str]
    registered_at: datetime
    secret_source: Literal["generated", "provided"]


class WebhookEndpointDisabled(WebhookEvent):
    """No more deliveries to the endpoint (410 Gone, five days of failure, or by hand)."""

    endpoint_id: str
    reason: str
    disabled_at: datetime


class WebhookEndpointEnabled(WebhookEvent):
    """Deliveries to the endpoint start again (for events observed from now on)."""

    endpoint_id: str
    enabled_at: datetime


class WebhookReplayRequested(WebhookEvent):
    """Send again what did not arrive since a time (and, if asked, what did)."""

    endpoint_id: str
    since: datetime
    include_delivered: bool
    requested_at: datetime


class WebhookDeliveryReplayRequested(WebhookEvent):
    """Send one message to one endpoint again."""

    stream_prefix: ClassVar[str] = "webhook-delivery"
    delivery_id: str
    endpoint_id: str
    requested_at: datetime


class WebhookAttemptRecorded(WebhookEvent):
    """One HTTP attempt to deliver a message, and what came of it."""

    stream_prefix: ClassVar[str] = "webhook-delivery"
    delivery_id: str
    endpoint_id: str
    event_id: str
    number: int
    attempted_at: datetime
    outcome: Literal["delivered", "failed", "gone"]
    status_code: int | None
    error: str | None
    response: str | None
    duration_ms: int
    next_attempt_at: datetime | None


def delivery_id(endpoint_id: str, event_id: str) -> str:
    """One delivery per endpoint and message; replays add attempts to it."""
    return f"{endpoint_id}:{event_id}"


def endpoint_stream(endpoint_id: str) -> str:
    """The endpoint's event stream."""
    return f"webhook-endpoint-{endpoint_id}"


def delivery_stream(delivery: str) -> str:
    """A delivery's event stream (its attempts and replays)."""
    return f"webhook-delivery-{delivery}"

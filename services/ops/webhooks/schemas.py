"""Request and response bodies of the webhook API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr, StringConstraints

Pattern = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.*?]{1,120}$")]


class WebhookCreate(BaseModel):
    """A new endpoint: where to send, which events, and optionally your own whsec_ secret."""

    url: str = Field(max_length=2000, examples=["https://erp.example.dk/hooks/msp"])
    event_types: list[Pattern] = Field(
        default_factory=list,
        max_length=50,
        description="Event names (InvoiceIssued), context.Name (billing.InvoicePaid) or patterns "
        "(dunning.*); empty means every event",
        examples=[["InvoiceIssued", "dunning.*"]],
    )
    description: str | None = Field(default=None, max_length=200)
    secret: SecretStr | None = Field(
        default=None, description="whsec_ and base64 of 24–64 bytes; generated when left out"
    )


class WebhookEndpointRead(BaseModel):
    """An endpoint as the API shows it (never with its secret)."""

    endpoint_id: str
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    created_at: datetime
    created_by: str
    failing_since: datetime | None
    last_success_at: datetime | None


class WebhookCreated(WebhookEndpointRead):
    """The new endpoint with its signing secret: shown this once, never again."""

    secret: str


class DeliveryRead(BaseModel):
    """One message to one endpoint."""

    delivery_id: str
    endpoint_id: str
    event_id: str
    event_name: str
    customer_id: str | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class AttemptRead(BaseModel):
    """One HTTP attempt."""

    number: int
    attempted_at: datetime
    outcome: str
    status_code: int | None
    error: str | None
    response: str | None
    duration_ms: int | None
    next_attempt_at: datetime | None


class DeliveryDetail(DeliveryRead):
    """A delivery with every attempt made."""

    attempts_made: list[AttemptRead]


class DisableEndpoint(BaseModel):
    """Why the endpoint is switched off."""

    reason: str = Field(default="disabled by hand", min_length=1, max_length=200)


class ReplaySince(BaseModel):
    """Send again what failed (or was missed) since a time."""

    since: datetime
    include_delivered: bool = Field(default=False, description="Also re-send what arrived")


class ReplayQueued(BaseModel):
    """How many deliveries to the endpoint now wait to be sent."""

    endpoint_id: str
    pending: int

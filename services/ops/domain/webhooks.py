"""Webhook rules (Standard Webhooks): signatures, the retry schedule, filters, secrets."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase

SECRET_PREFIX = "whsec_"
# Delays after attempt 1, 2, …: Standard Webhooks' schedule (the first attempt is immediate).
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER = timedelta(days=5)
# A receiver may ask for a pause, but not for longer than a day per attempt.
MAX_RETRY_AFTER = timedelta(hours=24)
Jitter = Callable[[timedelta], timedelta]


class InvalidSecret(ValueError):
    """A secret that is not whsec_ followed by base64 of 24 to 64 bytes (never echoed)."""


def new_secret() -> str:
    """A fresh signing secret: whsec_ and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key: the base64-decoded part after the whsec_ prefix."""
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidSecret("the secret must start with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSecret("the part after whsec_ must be base64") from exc
    if not 24 <= len(key) <= 64:
        raise InvalidSecret("the secret must hold 24 to 64 bytes")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value: v1, and base64 HMAC-SHA256 of id.timestamp.body."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, message_id: str, sent_at: datetime, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt."""
    timestamp = int(sent_at.timestamp())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def no_jitter(delay: timedelta) -> timedelta:
    """For tests that want the bare schedule."""
    return delay


def next_attempt_at(
    attempt: int, attempted_at: datetime, retry_after: timedelta | None, jitter: Jitter
) -> datetime | None:
    """When to try again after failed attempt number `attempt`; None once the schedule is spent."""
    if attempt >= MAX_ATTEMPTS:
        return None
    delay = jitter(RETRY_DELAYS[attempt - 1])
    if retry_after is not None:
        # Retry-After is honoured as "not before": never sooner than the receiver asked.
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return attempted_at + delay


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when - now, timedelta(0)) if when.tzinfo else None


def matches(patterns: Sequence[str], context: str, name: str) -> bool:
    """An empty filter takes everything; else a name, context.Name, or a * pattern must match."""
    if not patterns:
        return True
    qualified = f"{context}.{name}"
    return any(fnmatchcase(name, p) or fnmatchcase(qualified, p) for p in patterns)


def should_disable(failing_since: datetime | None, attempted_at: datetime) -> bool:
    """Every attempt to the endpoint has failed for five days."""
    return failing_since is not None and attempted_at - failing_since >= DISABLE_AFTER

"""One error type for every vendor, so retry and dead-lettering need not know the vendor."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterable

import httpx


class VendorError(Exception):
    """A vendor refused or failed a call; `retryable` says whether trying again can help."""

    def __init__(
        self,
        vendor: str,
        status: int | None,
        code: str | None,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(vendor, status, code, message)
        self.vendor = vendor
        self.status = status  # None when no response arrived (timeout, connection lost)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        status = self.status if self.status is not None else "no response"
        code = f" [{self.code}]" if self.code else ""
        return f"{self.vendor} {status}{code}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"VendorError(vendor={self.vendor!r}, status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, retryable={self.retryable!r}, "
            f"retry_after={self.retry_after!r})"
        )


def retryable_status(status: int) -> bool:
    """429, 408 and 5xx may pass; any other 4xx will fail the same way again."""
    return status in (408, 429) or status >= 500


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def error_from_response(
    vendor: str,
    response: httpx.Response,
    code: str | None,
    message: str,
    *,
    retryable: bool | None = None,
) -> VendorError:
    """A VendorError for an HTTP error response, classified by status unless told otherwise."""
    status = response.status_code
    return VendorError(
        vendor,
        status,
        code,
        message or response.reason_phrase or f"HTTP {status}",
        retryable=retryable_status(status) if retryable is None else retryable,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


class Redactor:
    """Blanks the secrets a client currently holds out of text that came back from a vendor."""

    def __init__(self, secrets: Callable[[], Iterable[str]]) -> None:
        # A callable, so access tokens fetched later are blanked too without piling up.
        self._secrets = secrets

    def __call__(self, text: str) -> str:
        # Longest first, so a secret that contains another is blanked whole.
        for secret in sorted({s for s in self._secrets() if s}, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

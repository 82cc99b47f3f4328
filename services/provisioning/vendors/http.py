"""One vendor's HTTP session: hard timeouts, request logging without secrets, typed errors."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

from services.provisioning.vendors.errors import Redactor, VendorError


class VendorHttp:
    """Sends requests for one vendor; no response in time becomes a retryable VendorError."""

    def __init__(
        self, vendor: str, *, timeout: float, redact: Redactor, http: httpx.AsyncClient | None
    ) -> None:
        self.vendor = vendor
        self.timeout = timeout
        self.redact = redact
        self._owned = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self.log = logging.getLogger(f"msp.provisioning.vendors.{vendor}")

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = None,
        data: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> httpx.Response:
        """Send one request; secrets go in `headers`/`data` and are never logged."""
        path = httpx.URL(url).path
        started = time.monotonic()
        try:
            # httpx's own timeout does not reach in-process ASGI apps; this one always holds.
            async with asyncio.timeout(self.timeout):
                response = await self._http.request(
                    method, url, headers=headers, json=json, data=data, params=params
                )
        except (TimeoutError, httpx.TimeoutException):
            self.log.warning("%s %s timed out request_id=%s", method, path, request_id)
            # `from None`: httpx errors carry the request, and the request carries the secrets.
            raise VendorError(
                self.vendor,
                None,
                "timeout",
                f"{method} {path} got no response within {self.timeout}s",
                retryable=True,
            ) from None
        except httpx.TransportError as exc:
            self.log.warning("%s %s failed: %s", method, path, type(exc).__name__)
            raise VendorError(
                self.vendor,
                None,
                "transport",
                f"{method} {path} failed: {type(exc).__name__}",
                retryable=True,
            ) from None
        self.log.info(
            "%s %s -> %d in %.0f ms request_id=%s",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            request_id,
        )
        return response

    async def aclose(self) -> None:
        """Close the connection pool if this session opened it."""
        if self._owned:
            await self._http.aclose()


def json_body(response: httpx.Response) -> Any:
    """The response's JSON, or None when the body is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None

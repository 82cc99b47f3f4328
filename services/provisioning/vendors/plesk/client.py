"""HostingPort over the Plesk REST API v2.

Verified: the REST API exists under /api/v2 for the administrator only, authenticates
with `X-API-Key` (docs.plesk.com "About REST API"); the endpoints below and their
shapes match an SDK generated from Plesk's OpenAPI spec (Team-Nifty-GmbH/plesk-sdk):
`GET /domains?name=`, `GET|PUT /domains/{id}/status` with
`{"status": "active|disabled|suspended"}`, `DELETE /domains/{id}`, errors `{"code", "message"}`.
Unverified:
- whether PUT of the status a domain already has is harmless: the client reads first;
- Plesk has no documented idempotency header: `X-Request-Id` is sent for the
  simulator's call log and any proxy's logs, and Plesk ignores it;
- the error codes Plesk REST uses for "not found" or "authentication failed".
"""

from __future__ import annotations

from typing import Any, cast, get_args

import httpx

from services.provisioning.vendors.errors import Redactor, VendorError, error_from_response
from services.provisioning.vendors.http import VendorHttp, json_body
from services.provisioning.vendors.plesk.settings import PleskSettings
from services.provisioning.vendors.ports import HostingStatus, WriteOutcome

VENDOR = "plesk"
STATUSES: tuple[str, ...] = get_args(HostingStatus)


class PleskHosting:
    """Web hosting subscriptions on one Plesk server, addressed by domain name."""

    def __init__(self, settings: PleskSettings, *, http: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        secret = settings.api_key.get_secret_value()
        self._http = VendorHttp(
            VENDOR, timeout=settings.timeout_seconds, redact=Redactor(lambda: [secret]), http=http
        )

    def __repr__(self) -> str:
        return f"PleskHosting(base_url={self._settings.base_url!r})"

    async def aclose(self) -> None:
        """Close the HTTP session."""
        await self._http.aclose()

    async def status(self, domain: str) -> HostingStatus:
        """The domain's status, or "absent" when Plesk does not know it."""
        domain_id = await self._find(domain)
        if domain_id is None:
            return "absent"
        return await self._status(domain_id)

    async def suspend(self, domain: str, *, request_id: str) -> WriteOutcome:
        """Suspend the domain (its sites stop answering)."""
        return await self._set_status(domain, "suspended", request_id)

    async def activate(self, domain: str, *, request_id: str) -> WriteOutcome:
        """Make the domain active again."""
        return await self._set_status(domain, "active", request_id)

    async def delete(self, domain: str, *, request_id: str) -> WriteOutcome:
        """Remove the domain and its data; a domain already gone counts as done."""
        domain_id = await self._find(domain)
        if domain_id is None:
            return WriteOutcome.ALREADY
        try:
            await self._call("DELETE", f"/domains/{domain_id}", request_id=request_id)
        except VendorError as error:
            if error.status == 404:  # deleted between our read and our write
                return WriteOutcome.ALREADY
            raise
        return WriteOutcome.CHANGED

    async def _set_status(self, domain: str, wanted: str, request_id: str) -> WriteOutcome:
        domain_id = await self._find(domain)
        if domain_id is None:
            raise VendorError(VENDOR, 404, None, f"no domain {domain!r}", retryable=False)
        if await self._status(domain_id) == wanted:
            return WriteOutcome.ALREADY
        path = f"/domains/{domain_id}/status"
        await self._call("PUT", path, json={"status": wanted}, request_id=request_id)
        return WriteOutcome.CHANGED

    async def _find(self, domain: str) -> int | None:
        found = await self._call("GET", "/domains", params={"name": domain})
        for entry in found if isinstance(found, list) else []:
            if isinstance(entry, dict) and str(entry.get("name", "")).lower() == domain.lower():
                return int(entry["id"])
        return None

    async def _status(self, domain_id: int) -> HostingStatus:
        body = await self._call("GET", f"/domains/{domain_id}/status")
        status = body.get("status") if isinstance(body, dict) else None
        if status not in STATUSES:
            message = f"unknown domain status {status!r}"
            raise VendorError(VENDOR, 200, "unexpected_status", message, retryable=False)
        return cast(HostingStatus, status)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> Any:
        headers = {
            "X-API-Key": self._settings.api_key.get_secret_value(),
            "Accept": "application/json",
        }
        if request_id:
            headers["X-Request-Id"] = request_id
        url = self._settings.base_url.rstrip("/") + path
        response = await self._http.request(
            method, url, headers=headers, json=json, params=params, request_id=request_id
        )
        body = json_body(response)
        if response.is_success:
            return body
        envelope = body if isinstance(body, dict) else {}
        code = envelope.get("code")
        message = self._http.redact(str(envelope.get("message") or ""))
        raise error_from_response(VENDOR, response, None if code is None else str(code), message)

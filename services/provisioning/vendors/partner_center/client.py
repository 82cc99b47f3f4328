"""LicensePort over the Partner Center REST API.

Verified on learn.microsoft.com (Partner Center developer docs):
- suspend / reactivate: GET the subscription, change `status`, PATCH the whole resource
  to /v1/customers/{customer}/subscriptions/{id}; 200 with the updated resource;
- cancel a New Commerce subscription: PATCH `status: deleted`, only within the
  cancellation window (7 days of purchase or renewal); the resource's
  `cancellationAllowedUntilDate` is the last moment, null when it cannot be cancelled;
- headers: `MS-RequestId` (GUID, "used to ensure idempotency; if there's a timeout,
  the retry call should include the same value", reset after any answer),
  `MS-CorrelationId` (new per call), `If-Match` (etag from the last GET);
- errors: `{"code", "description", "data", "source"}`; 412 precondition failed; 429.
Unverified, so handled defensively:
- whether PATCHing a subscription to the status it already has is harmless: the client
  reads first and writes nothing when the status already matches;
- whether PATCH requires If-Match: it is always sent;
- whether `autoRenewEnabled: false` may be PATCHed on a suspended subscription.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from services.provisioning.vendors.clock import utc_now
from services.provisioning.vendors.errors import Redactor, VendorError, error_from_response
from services.provisioning.vendors.http import VendorHttp, json_body
from services.provisioning.vendors.oauth import ClientCredentials
from services.provisioning.vendors.partner_center.settings import PartnerCenterSettings
from services.provisioning.vendors.partner_center.subscription import VENDOR, etag_of, license_state
from services.provisioning.vendors.ports import LicenseEnd, LicenseState, WriteOutcome, can_cancel

_REQUEST_ID_NAMESPACE = uuid.UUID("6f1c2a3e-93c4-4d55-9a0e-2f54b1c0a001")

# Given the subscription as read, the whole resource to PATCH, or None when already right.
Plan = Callable[[dict[str, Any]], dict[str, Any] | None]


def ms_request_id(request_id: str, etag: str) -> str:
    """The MS-RequestId for one PATCH: a retry of the same write reuses it, a new version not.

    Partner Center wants the same id on a retry after a timeout and a fresh one after
    any answer (a 412 included), so the caller's id is combined with the etag written
    against: unchanged after a lost response, new after someone else's write.
    """
    return str(uuid.uuid5(_REQUEST_ID_NAMESPACE, f"{request_id}\n{etag}"))


class PartnerCenterLicenses:
    """Microsoft 365 subscriptions through Partner Center (see the module docstring)."""

    def __init__(
        self,
        settings: PartnerCenterSettings,
        *,
        http: httpx.AsyncClient | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._settings = settings
        self._now = now
        self._http = VendorHttp(
            VENDOR, timeout=settings.timeout_seconds, redact=Redactor(self._secrets), http=http
        )
        self._auth = ClientCredentials.from_settings(self._http, settings)

    def __repr__(self) -> str:
        return f"PartnerCenterLicenses(base_url={self._settings.base_url!r})"

    async def aclose(self) -> None:
        """Close the HTTP session."""
        await self._http.aclose()

    async def get(self, tenant_id: str, subscription_id: str) -> LicenseState:
        """The subscription as Partner Center reports it now."""
        return license_state(await self._read(tenant_id, subscription_id))

    async def suspend(
        self, tenant_id: str, subscription_id: str, *, request_id: str
    ) -> WriteOutcome:
        """Set status suspended (billing continues for New Commerce, per Microsoft)."""
        outcome, _ = await self._converge(
            tenant_id, subscription_id, request_id, _status("suspended")
        )
        return outcome

    async def reactivate(
        self, tenant_id: str, subscription_id: str, *, request_id: str
    ) -> WriteOutcome:
        """Set status active."""
        outcome, _ = await self._converge(tenant_id, subscription_id, request_id, _status("active"))
        return outcome

    async def end(self, tenant_id: str, subscription_id: str, *, request_id: str) -> LicenseEnd:
        """Cancel within the cancellation window, else turn auto-renew off to lapse at term end."""

        def plan(current: dict[str, Any]) -> dict[str, Any] | None:
            if current.get("status") == "deleted":
                return None
            if can_cancel(license_state(current), self._now()):
                return {**current, "status": "deleted"}
            if current.get("autoRenewEnabled") is False:
                return None
            return {**current, "autoRenewEnabled": False}

        outcome, final = await self._converge(tenant_id, subscription_id, request_id, plan)
        state = license_state(final)
        if state.status == "deleted":
            return LicenseEnd("cancelled", outcome, None)
        return LicenseEnd("lapses_at_term_end", outcome, state.commitment_end_date)

    async def _converge(
        self, tenant_id: str, subscription_id: str, request_id: str, plan: Plan
    ) -> tuple[WriteOutcome, dict[str, Any]]:
        """Read, and PATCH only if needed; after a 412 read again, a bounded number of times."""
        url = self._url(tenant_id, subscription_id)
        for attempt in itertools.count():
            current = await self._read(tenant_id, subscription_id)
            desired = plan(current)
            if desired is None:
                return WriteOutcome.ALREADY, current
            etag = etag_of(current)
            headers = {"If-Match": etag, "MS-RequestId": ms_request_id(request_id, etag)}
            try:
                updated = await self._call("PATCH", url, json=desired, headers=headers)
            except VendorError as error:
                if error.status != 412 or attempt >= self._settings.etag_retries:
                    raise
                self._http.log.info("stale etag on %s; reading it again", url)
                continue
            return WriteOutcome.CHANGED, updated
        raise AssertionError("unreachable")  # pragma: no cover

    async def _read(self, tenant_id: str, subscription_id: str) -> dict[str, Any]:
        return await self._call("GET", self._url(tenant_id, subscription_id))

    def _url(self, tenant_id: str, subscription_id: str) -> str:
        base = self._settings.base_url.rstrip("/")
        return f"{base}/customers/{tenant_id}/subscriptions/{subscription_id}"

    async def _call(
        self,
        method: str,
        url: str,
        *,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One API call with a bearer token; a refused token is replaced once."""
        for retry_auth in (True, False):
            token = await self._auth.token()
            sent = {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "MS-CorrelationId": str(uuid.uuid4()),
                **(headers or {}),
            }
            response = await self._http.request(
                method, url, headers=sent, json=json, request_id=sent.get("MS-RequestId")
            )
            if response.status_code == 401 and retry_auth:
                self._auth.invalidate(token)
                continue
            body = json_body(response)
            if response.is_success and isinstance(body, dict):
                return body
            raise self._error(response, body)
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, response: httpx.Response, body: object) -> VendorError:
        envelope = body if isinstance(body, dict) else {}
        code = envelope.get("code")
        description = str(envelope.get("description") or "")
        # A 412 means someone else wrote first: reading again resolves it.
        retryable = True if response.status_code == 412 else None
        return error_from_response(
            VENDOR,
            response,
            None if code is None else str(code),
            self._http.redact(description),
            retryable=retryable,
        )

    def _secrets(self) -> list[str]:
        token = self._auth.current if hasattr(self, "_auth") else None
        return [self._settings.client_secret.get_secret_value(), token or ""]


def _status(wanted: str) -> Plan:
    def plan(current: dict[str, Any]) -> dict[str, Any] | None:
        return None if current.get("status") == wanted else {**current, "status": wanted}

    return plan

"""MonitoringPort over the SuperOps GraphQL API; a client is a SuperOps client accountId.

Verified: one GraphQL endpoint per region (api.superops.ai/msp, euapi.superops.ai/msp),
headers `Authorization: Bearer <api token>` and `CustomerSubDomain`, errors in
`errors[]` (GraphQL), 800 requests per minute.
Unverified, isolated in SuperOpsSettings and overridable per tenant:
- which query reads and which mutation changes monitoring: the defaults read and set
  the client's status (Active / Inactive / Archived) and assume that is what stops
  monitoring and patching;
- error `extensions.code` values; those meaning "try again" are listed in RETRYABLE;
- SuperOps has no documented idempotency header: `X-Request-Id` is sent and ignored.
"""

from __future__ import annotations

from typing import Any, cast

import httpx

from services.provisioning.vendors.errors import Redactor, VendorError, error_from_response
from services.provisioning.vendors.http import VendorHttp, json_body
from services.provisioning.vendors.ports import MonitoringState, WriteOutcome
from services.provisioning.vendors.superops.settings import SuperOpsSettings

VENDOR = "superops"
RETRYABLE = frozenset(
    {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TOO_MANY_REQUESTS", "RATE_LIMITED", "TIMEOUT"}
)


class SuperOpsMonitoring:
    """Monitoring of a SuperOps client, switched through the client's status."""

    def __init__(
        self, settings: SuperOpsSettings, *, http: httpx.AsyncClient | None = None
    ) -> None:
        self._settings = settings
        secret = settings.api_token.get_secret_value()
        self._http = VendorHttp(
            VENDOR, timeout=settings.timeout_seconds, redact=Redactor(lambda: [secret]), http=http
        )

    def __repr__(self) -> str:
        return f"SuperOpsMonitoring(url={self._settings.url!r})"

    async def aclose(self) -> None:
        """Close the HTTP session."""
        await self._http.aclose()

    async def monitoring_state(self, client: str) -> MonitoringState:
        """The monitoring state the client's status stands for."""
        data = await self._graphql(self._settings.status_query, {"input": {"accountId": client}})
        status = _first(data).get("status")
        for state, value in self._settings.statuses.items():
            if value == status:
                return cast(MonitoringState, state)
        message = f"client status {status!r} maps to no monitoring state"
        raise VendorError(VENDOR, 200, "unexpected_status", message, retryable=False)

    async def pause_monitoring(self, client: str, *, request_id: str) -> WriteOutcome:
        """Mark the client inactive (unverified: see the module docstring)."""
        return await self._set(client, "paused", request_id)

    async def resume_monitoring(self, client: str, *, request_id: str) -> WriteOutcome:
        """Mark the client active again."""
        return await self._set(client, "monitored", request_id)

    async def remove_devices(self, client: str, *, request_id: str) -> WriteOutcome:
        """Archive the client (unverified: see the module docstring)."""
        return await self._set(client, "removed", request_id)

    async def _set(self, client: str, state: MonitoringState, request_id: str) -> WriteOutcome:
        current = await self.monitoring_state(client)
        # An archived client has nothing left to pause or resume; reviving it is not ours to do.
        if current == state or current == "removed":
            return WriteOutcome.ALREADY
        variables = {"input": {"accountId": client, "status": self._settings.statuses[state]}}
        await self._graphql(self._settings.update_mutation, variables, request_id=request_id)
        return WriteOutcome.CHANGED

    async def _graphql(
        self, document: str, variables: dict[str, Any], *, request_id: str | None = None
    ) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {self._settings.api_token.get_secret_value()}",
            "CustomerSubDomain": self._settings.customer_subdomain,
        }
        if request_id:
            headers["X-Request-Id"] = request_id
        response = await self._http.request(
            "POST",
            self._settings.url,
            headers=headers,
            json={"query": document, "variables": variables},
            request_id=request_id,
        )
        body = json_body(response)
        envelope = body if isinstance(body, dict) else {}
        errors = envelope.get("errors") or []
        if response.is_success and not errors:
            data = envelope.get("data")
            return data if isinstance(data, dict) else {}
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        code = (first.get("extensions") or {}).get("code")
        message = self._http.redact(str(first.get("message") or ""))
        # HTTP status decides for 429/5xx; inside a 200 the error's code does.
        retryable = None if not response.is_success else code in RETRYABLE
        raise error_from_response(VENDOR, response, code, message, retryable=retryable)


def _first(data: dict[str, Any]) -> dict[str, Any]:
    """The one root field's object of a single-field query."""
    value = next(iter(data.values()), None)
    if not isinstance(value, dict):
        raise VendorError(VENDOR, 200, "empty", "the query returned no object", retryable=False)
    return value

"""MonitoringPort over NinjaOne maintenance mode; a client is a NinjaOne organization id.

Verified (NinjaOne public API v2 as mirrored by SDKs generated from its OpenAPI spec,
e.g. imagenetmit/ninjapy, and the NinjaOne PowerShell module): OAuth 2.0 client
credentials with scopes monitoring / management; `GET /v2/organization/{id}/devices`
(paged with `pageSize` and `after`); `GET /v2/device/{id}` with `maintenance.status`
PENDING | IN_MAINTENANCE | FAILED; `PUT /v2/device/{id}/maintenance`
`{"disabledFeatures": [ALERTS, PATCHING, AVSCANS, TASKS], "start", "end", "reasonMessage"}`
(Unix seconds) and `DELETE /v2/device/{id}/maintenance`.
Unverified:
- the token path (default {base_url}/ws/oauth/token; configurable);
- device removal: the public API documents none; `remove_device_path` (default
  DELETE /v2/device/{device_id}) is a guess kept configurable;
- the error body layout (`resultCode` / `errorMessage`, or `error` / `message`);
- NinjaOne has no documented idempotency header: `X-Request-Id` is sent and ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from services.provisioning.vendors.clock import utc_now
from services.provisioning.vendors.errors import Redactor, VendorError, error_from_response
from services.provisioning.vendors.http import VendorHttp, json_body
from services.provisioning.vendors.ninjaone.settings import NinjaOneSettings
from services.provisioning.vendors.oauth import ClientCredentials
from services.provisioning.vendors.ports import MonitoringState, WriteOutcome

VENDOR = "ninjaone"
IN_MAINTENANCE = frozenset({"PENDING", "IN_MAINTENANCE"})


class NinjaOneMonitoring:
    """Every device of an organization in (or out of) maintenance mode."""

    def __init__(
        self,
        settings: NinjaOneSettings,
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
        return f"NinjaOneMonitoring(base_url={self._settings.base_url!r})"

    async def aclose(self) -> None:
        """Close the HTTP session."""
        await self._http.aclose()

    async def monitoring_state(self, client: str) -> MonitoringState:
        """Paused when every device is in maintenance; removed when none is left."""
        devices = await self._devices(client)
        if not devices:
            return "removed"
        paused = [await self._in_maintenance(device) for device in devices]
        return "paused" if all(paused) else "monitored"

    async def pause_monitoring(self, client: str, *, request_id: str) -> WriteOutcome:
        """Put each device not yet in maintenance into it (alerts, patching, AV scans, tasks off)."""
        start = self._now()
        window = {
            "disabledFeatures": list(self._settings.disabled_features),
            "start": start.timestamp(),
            "end": (start + timedelta(days=self._settings.pause_days)).timestamp(),
            "reasonMessage": self._settings.reason,
        }
        changed = False
        for device in await self._devices(client):
            if not await self._in_maintenance(device):
                path = f"/v2/device/{device}/maintenance"
                await self._call("PUT", path, json=window, request_id=f"{request_id}:{device}")
                changed = True
        return WriteOutcome.CHANGED if changed else WriteOutcome.ALREADY

    async def resume_monitoring(self, client: str, *, request_id: str) -> WriteOutcome:
        """End maintenance on each device that is in it."""
        changed = False
        for device in await self._devices(client):
            if await self._in_maintenance(device):
                path = f"/v2/device/{device}/maintenance"
                await self._call("DELETE", path, request_id=f"{request_id}:{device}")
                changed = True
        return WriteOutcome.CHANGED if changed else WriteOutcome.ALREADY

    async def remove_devices(self, client: str, *, request_id: str) -> WriteOutcome:
        """Remove every device of the organization (endpoint unverified, see module docs)."""
        changed = False
        for device in await self._devices(client):
            path = self._settings.remove_device_path.format(device_id=device)
            try:
                await self._call("DELETE", path, request_id=f"{request_id}:{device}")
            except VendorError as error:
                if error.status != 404:  # gone between listing and removing
                    raise
            changed = True
        return WriteOutcome.CHANGED if changed else WriteOutcome.ALREADY

    async def _devices(self, organization: str) -> list[int]:
        devices: list[int] = []
        size = self._settings.page_size
        while True:
            params = {"pageSize": str(size)}
            if devices:
                params["after"] = str(devices[-1])
            page = await self._call(
                "GET", f"/v2/organization/{organization}/devices", params=params
            )
            batch = (
                [int(d["id"]) for d in page if isinstance(d, dict)]
                if isinstance(page, list)
                else []
            )
            devices.extend(batch)
            if len(batch) < size:
                return devices

    async def _in_maintenance(self, device: int) -> bool:
        detail = await self._call("GET", f"/v2/device/{device}")
        maintenance = detail.get("maintenance") if isinstance(detail, dict) else None
        return isinstance(maintenance, dict) and maintenance.get("status") in IN_MAINTENANCE

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> Any:
        url = self._settings.base_url.rstrip("/") + path
        for retry_auth in (True, False):
            token = await self._auth.token()
            headers = {"Authorization": f"Bearer {token}"}
            if request_id:
                headers["X-Request-Id"] = request_id
            response = await self._http.request(
                method, url, headers=headers, json=json, params=params, request_id=request_id
            )
            if response.status_code == 401 and retry_auth:
                self._auth.invalidate(token)
                continue
            body = json_body(response)
            if response.is_success:
                return body
            envelope = body if isinstance(body, dict) else {}
            code = envelope.get("resultCode") or envelope.get("error")
            message = envelope.get("errorMessage") or envelope.get("message") or ""
            raise error_from_response(
                VENDOR,
                response,
                None if code is None else str(code),
                self._http.redact(str(message)),
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _secrets(self) -> list[str]:
        token = self._auth.current if hasattr(self, "_auth") else None
        return [self._settings.client_secret.get_secret_value(), token or ""]

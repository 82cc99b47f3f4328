"""AntivirusPort over the ESET MSP Administrator 2 API.

Verified on help.eset.com/ema/2/api: `POST /Token/Get {username, password}` returns
`{accessToken, refreshToken}` and `POST /Token/Renew {refreshToken}` a new pair (the
access token lives minutes; 401 means it expired); `POST /License/Detail
{publicLicenseKey}` returns `state` (0 Error, 1 Normal, 2 Obsolete, 3 Suspended,
4 Warning); `/License/Suspend` and `/License/Unsuspend` return `{}`, and refuse with
code 8 subCode 21 LicenseIsAlreadySuspend / 22 LicenseIsAlreadyUnsuspended (and 36
LicenseIsNotSuspended), which this adapter treats as success; `/Company/Suspend`
suspends the company and all its licences; `/Company/Delete` needs a suspended
company; 503 code 99 subCode 2 is maintenance.
Unverified:
- the JSON layout of error bodies (top-level `code`/`subCode`/`message`, or the same
  under `error`: both are read);
- what /Company/Suspend answers for an already suspended company (configurable:
  ESET_COMPANY_ALREADY_SUSPENDED, default "8.21") and that a deleted company answers 404;
- ESET has no documented idempotency header: `X-Request-Id` is sent and ignored.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.provisioning.vendors.errors import Redactor, VendorError, error_from_response
from services.provisioning.vendors.eset.settings import EsetSettings
from services.provisioning.vendors.http import VendorHttp, json_body
from services.provisioning.vendors.ports import LicenceSeatState, WriteOutcome

VENDOR = "eset"
STATES: dict[int, LicenceSeatState] = {
    0: "error",
    1: "normal",
    2: "obsolete",
    3: "suspended",
    4: "warning",
}
ALREADY_SUSPENDED = frozenset({"8.21"})
ALREADY_UNSUSPENDED = frozenset({"8.22", "8.36"})


class EsetAntivirus:
    """ESET licences and companies of the MSP's customers."""

    def __init__(self, settings: EsetSettings, *, http: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        self._access: str | None = None
        self._refresh: str | None = None
        self._lock = asyncio.Lock()
        self._http = VendorHttp(
            VENDOR, timeout=settings.timeout_seconds, redact=Redactor(self._secrets), http=http
        )

    def __repr__(self) -> str:
        return f"EsetAntivirus(base_url={self._settings.base_url!r})"

    async def aclose(self) -> None:
        """Close the HTTP session."""
        await self._http.aclose()

    async def licence_state(self, public_licence_key: str) -> LicenceSeatState:
        """The licence's state as EMA 2 reports it."""
        body = await self._call("/License/Detail", {"publicLicenseKey": public_licence_key})
        state = STATES.get(int(body.get("state", -1)))
        if state is None:
            message = f"unknown licence state {body.get('state')!r}"
            raise VendorError(VENDOR, 200, "unexpected_state", message, retryable=False)
        return state

    async def suspend(self, public_licence_key: str, *, request_id: str) -> WriteOutcome:
        """Suspend the licence; products activated by it stop protecting."""
        body = {"publicLicenseKey": public_licence_key}
        return await self._write("/License/Suspend", body, request_id, ALREADY_SUSPENDED)

    async def unsuspend(self, public_licence_key: str, *, request_id: str) -> WriteOutcome:
        """Lift the suspension."""
        body = {"publicLicenseKey": public_licence_key}
        return await self._write("/License/Unsuspend", body, request_id, ALREADY_UNSUSPENDED)

    async def delete_company(self, company_id: str, *, request_id: str) -> WriteOutcome:
        """Suspend the company (ESET requires it), then delete it; a gone company is done."""
        body = {"companyId": company_id}
        already = frozenset(self._settings.company_already_suspended)
        try:
            await self._write("/Company/Suspend", body, f"{request_id}:suspend", already)
            await self._call("/Company/Delete", body, request_id=f"{request_id}:delete")
        except VendorError as error:
            if error.status == 404:
                return WriteOutcome.ALREADY
            raise
        return WriteOutcome.CHANGED

    async def _write(
        self, path: str, body: dict[str, Any], request_id: str, already: frozenset[str]
    ) -> WriteOutcome:
        try:
            await self._call(path, body, request_id=request_id)
        except VendorError as error:
            if error.code in already:
                return WriteOutcome.ALREADY
            raise
        return WriteOutcome.CHANGED

    async def _call(
        self, path: str, body: dict[str, Any], *, request_id: str | None = None
    ) -> dict[str, Any]:
        """POST with the access token; after a 401 renew (or log in again) once."""
        for retry_auth in (True, False):
            token = await self._token()
            headers = {"Authorization": f"Bearer {token}"}
            if request_id:
                headers["X-Request-Id"] = request_id
            response = await self._post(path, body, headers, request_id)
            if response.status_code == 401 and retry_auth:
                await self._renew(token)
                continue
            return self._parse(response)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _token(self) -> str:
        async with self._lock:
            if self._access is None:
                await self._get_tokens()
            assert self._access is not None
            return self._access

    async def _renew(self, refused: str) -> None:
        async with self._lock:
            if self._access != refused:
                return  # another call renewed it meanwhile
            try:
                if self._refresh is None:
                    raise VendorError(VENDOR, 401, None, "no refresh token", retryable=False)
                headers = {"Authorization": f"Bearer {refused}"}
                body = {"refreshToken": self._refresh}
                self._store(self._parse(await self._post("/Token/Renew", body, headers, None)))
            except VendorError as error:
                if error.status not in (400, 401, 403):
                    raise
                await self._get_tokens()  # the session ended: log in again

    async def _get_tokens(self) -> None:
        credentials = {
            "username": self._settings.username,
            "password": self._settings.password.get_secret_value(),
        }
        self._store(self._parse(await self._post("/Token/Get", credentials, {}, None)))

    def _store(self, tokens: dict[str, Any]) -> None:
        if not tokens.get("accessToken"):
            raise VendorError(VENDOR, 200, "token_failed", "no accessToken", retryable=False)
        self._access = str(tokens["accessToken"])
        self._refresh = str(tokens.get("refreshToken") or "") or None

    async def _post(
        self, path: str, body: dict[str, Any], headers: dict[str, str], request_id: str | None
    ) -> httpx.Response:
        url = self._settings.base_url.rstrip("/") + path
        return await self._http.request(
            "POST", url, headers=headers, json=body, request_id=request_id
        )

    def _parse(self, response: httpx.Response) -> dict[str, Any]:
        """The JSON object of a success, or the error envelope as a VendorError."""
        body = json_body(response)
        if response.is_success:
            return body if isinstance(body, dict) else {}
        envelope = body if isinstance(body, dict) else {}
        if isinstance(envelope.get("error"), dict):
            envelope = envelope["error"]
        code, sub_code = envelope.get("code"), envelope.get("subCode")
        joined = None if code is None else str(code) if sub_code is None else f"{code}.{sub_code}"
        message = self._http.redact(str(envelope.get("message") or ""))
        raise error_from_response(VENDOR, response, joined, message)

    def _secrets(self) -> list[str]:
        password = self._settings.password.get_secret_value()
        return [password, self._access or "", self._refresh or ""]

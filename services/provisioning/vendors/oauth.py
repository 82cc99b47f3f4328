"""OAuth 2.0 client-credentials tokens, fetched once and reused until shortly before expiry."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from pydantic import SecretStr

from services.provisioning.vendors.errors import error_from_response
from services.provisioning.vendors.http import VendorHttp, json_body

# Refresh a little early so a token never expires in flight.
EXPIRY_MARGIN_SECONDS = 60.0


class OAuthSettings(Protocol):
    """What a vendor's settings give for client-credentials tokens."""

    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> SecretStr: ...
    @property
    def scope(self) -> str: ...
    def resolved_token_url(self) -> str: ...


class ClientCredentials:
    """An access token from a token endpoint; `invalidate` after a 401 forces a new one."""

    def __init__(
        self,
        http: VendorHttp,
        *,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        scope: str,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, http: VendorHttp, settings: OAuthSettings) -> ClientCredentials:
        """The token source a vendor's settings describe."""
        return cls(
            http,
            token_url=settings.resolved_token_url(),
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scope=settings.scope,
        )

    @property
    def current(self) -> str | None:
        """The token held now (for redaction), if any."""
        return self._token

    async def token(self) -> str:
        """A valid access token, fetching one when none is held or it is about to expire."""
        async with self._lock:  # many concurrent calls, one token request
            if self._token is None or time.monotonic() >= self._expires_at:
                await self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget `token` (it was refused); a token fetched meanwhile is kept."""
        if self._token == token:
            self._token = None

    async def _fetch(self) -> None:
        response = await self._http.request(
            "POST",
            self._token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret.get_secret_value(),
                "scope": self._scope,
            },
        )
        body = json_body(response)
        if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            # Identity platforms answer {"error", "error_description"}.
            detail = body if isinstance(body, dict) else {}
            raise error_from_response(
                self._http.vendor,
                response,
                str(detail.get("error") or "token_failed"),
                self._http.redact(str(detail.get("error_description") or "token request refused")),
            )
        self._token = str(body["access_token"])
        lifetime = float(body.get("expires_in", 3600))
        self._expires_at = time.monotonic() + max(0.0, lifetime - EXPIRY_MARGIN_SECONDS)

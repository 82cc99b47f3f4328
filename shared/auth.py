"""Bearer API keys with scopes; keys are kept as SHA-256 and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.settings import ApiKeySetting

ADMIN = "admin"
KEY_FILE = "api-keys.json"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller; its name is the actor on every event it causes."""

    name: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        """True if the key carries the scope or admin."""
        return ADMIN in self.scopes or scope in self.scopes


@dataclass(frozen=True)
class _StoredKey:
    name: str
    digest: bytes
    scopes: frozenset[str]


class KeyRing:
    """The keys a service accepts."""

    def __init__(self, keys: list[ApiKeySetting]) -> None:
        self._keys = [
            _StoredKey(
                name=k.name,
                digest=_digest(k.key.get_secret_value())
                if k.key
                else bytes.fromhex(k.sha256 or ""),
                scopes=frozenset(k.scopes),
            )
            for k in keys
        ]

    def verify(self, presented: str) -> Principal | None:
        """The key's principal, or None; every stored key is compared, in constant time."""
        digest = _digest(presented)
        found: _StoredKey | None = None
        for key in self._keys:
            if hmac.compare_digest(key.digest, digest):
                found = key
        return Principal(found.name, found.scopes) if found else None

    def principal_named(self, name: str) -> Principal | None:
        """What a key of that name may do now (None once no such key is configured): a
        dashboard session started with a key ends or narrows when the key is revoked or
        its scopes are cut. Keys sharing a name (a rotation) give the union of their scopes."""
        scopes = [key.scopes for key in self._keys if key.name == name]
        return Principal(name, frozenset().union(*scopes)) if scopes else None

    def __len__(self) -> int:
        return len(self._keys)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def new_key() -> str:
    """A fresh random API key."""
    return "msp_" + secrets.token_urlsafe(32)


def embedded_keys(var_dir: Path) -> tuple[list[ApiKeySetting], str | None]:
    """Keys kept under var/; on first start an admin key is made and returned (shown once)."""
    path = var_dir / KEY_FILE
    if path.exists():
        return [ApiKeySetting.model_validate(k) for k in json.loads(path.read_text())], None
    key = new_key()
    stored = [{"name": "admin", "sha256": _digest(key).hex(), "scopes": [ADMIN]}]
    var_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, indent=2))
    path.chmod(0o600)
    return [ApiKeySetting.model_validate(k) for k in stored], key


def reset_admin_key(var_dir: Path) -> str:
    """Replace the embedded admin key (when the printed one was lost)."""
    path = var_dir / KEY_FILE
    path.unlink(missing_ok=True)
    _, key = embedded_keys(var_dir)
    assert key is not None
    return key


class ScopeGuard:
    """A service's API behind its keys: GET needs service:read, anything else service:write.

    It wraps each route's ASGI app rather than being a FastAPI dependency: a dependency
    costs a dependency-solving pass of its own per request (query, header and cookie
    parsing included), about a tenth of a read's CPU in bench/http_read.py. A refusal is
    the HTTPException a dependency would raise, answered by the app's handler the same way,
    and it comes before any validation of the request, as the dependency's did.
    """

    def __init__(self, service: str, keyring: KeyRing) -> None:
        self._keyring = keyring
        self._read = f"{service}:read"
        self._write = f"{service}:write"

    def principal(self, scope: Any) -> Principal:
        """The caller the request's bearer key names, or the 401/403 refusal."""
        header = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        scheme, _, token = header.decode("latin-1").partition(" ")
        principal = (
            self._keyring.verify(token.strip()) if scheme.lower() == "bearer" and token else None
        )
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="a valid API key is required (Authorization: Bearer <key>)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        needed = self._read if scope["method"] in ("GET", "HEAD") else self._write
        if not principal.allows(needed):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail=f"this key lacks the scope {needed}"
            )
        return principal

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """The route's app, answering only callers whose key allows the request."""

        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            scope.setdefault("state", {})["principal"] = self.principal(scope)
            await app(scope, receive, send)

        return guarded

    def dependency(self) -> Any:
        """The same check as a FastAPI dependency (for routes that cannot be wrapped)."""

        async def guard(request: Request) -> Principal:  # async: no thread hop per request
            principal = self.principal(request.scope)
            request.state.principal = principal
            return principal

        return Depends(guard)


def current_principal(request: Request) -> Principal:
    """The principal the scope guard authenticated."""
    principal: Principal = request.state.principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

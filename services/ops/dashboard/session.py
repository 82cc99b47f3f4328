"""Dashboard sessions: an API key logs in once; a signed, expiring token rides in a cookie.

The cookie is HttpOnly and SameSite=Strict and holds no key, only who logged in, their scopes
and when the session ends, signed with HMAC-SHA256. Forms also carry a CSRF token tied to it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status

from services.ops.wiring import parts
from shared.auth import Principal
from shared.service import RuntimeDep

COOKIE = "msp_ops_session"
COOKIE_PATH = "/dashboard"
LOGIN = "/dashboard/login"


@dataclass(frozen=True)
class Session:
    """Who is logged in to the dashboard, and until when."""

    name: str
    scopes: frozenset[str]
    expires: int
    nonce: str

    @property
    def principal(self) -> Principal:
        """The same principal the API key would give (the actor on events)."""
        return Principal(self.name, self.scopes)

    @property
    def can_write(self) -> bool:
        """May change things (advance the clock, disable endpoints, replay)."""
        return self.principal.allows("ops:write")


def issue(key: bytes, principal: Principal, hours: int, now: float | None = None) -> str:
    """A signed session token for the principal."""
    payload = {
        "n": principal.name,
        "s": sorted(principal.scopes),
        "e": int((now or time.time()) + hours * 3600),
        "c": secrets.token_urlsafe(16),
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_sign(key, body)}"


def verify(key: bytes, token: str, now: float | None = None) -> Session | None:
    """The session the token stands for, or None if forged, malformed or expired."""
    body, _, signature = token.partition(".")
    # As bytes: compare_digest refuses str with non-ASCII, and a cookie may hold anything.
    if not body or not hmac.compare_digest(signature.encode(), _sign(key, body).encode()):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        session = Session(
            str(payload["n"]), frozenset(payload["s"]), int(payload["e"]), str(payload["c"])
        )
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires > (now or time.time()) else None


def csrf_token(key: bytes, session: Session) -> str:
    """The token forms post back; it only fits this session."""
    return _sign(key, f"csrf:{session.nonce}")


def check_csrf(key: bytes, session: Session, presented: str | None) -> None:
    """Refuse a form that did not come from one of our pages."""
    if not presented or not hmac.compare_digest(
        presented.encode(), csrf_token(key, session).encode()
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="the form expired; reload the page and try again"
        )


def login_redirect(request: Request) -> HTTPException:
    """Send the browser to the login page, and back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(
        status.HTTP_303_SEE_OTHER, headers={"Location": f"{LOGIN}?next={quote(target)}"}
    )


def current_session(request: Request, runtime: RuntimeDep) -> Session:
    """The logged-in session (sets request.state.principal for command metadata)."""
    token = request.cookies.get(COOKIE)
    session = verify(parts(runtime).session_key, token) if token else None
    # The key behind the session must still be configured: a revoked key ends its sessions,
    # and a key whose scopes were cut keeps only what it still holds.
    held = runtime.keyring.principal_named(session.name) if session else None
    if session is None or held is None:
        raise login_redirect(request)
    if not session.scopes <= held.scopes:
        session = replace(session, scopes=session.scopes & held.scopes)
    if not session.principal.allows("ops:read"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this key lacks the scope ops:read")
    request.state.principal = session.principal
    return session


SessionDep = Annotated[Session, Depends(current_session)]


def safe_next(target: str | None) -> str:
    """Only ever return into the dashboard (no open redirect)."""
    if target and target.startswith("/dashboard") and not target.startswith("//"):
        return target
    return "/dashboard"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _sign(key: bytes, text: str) -> str:
    return _b64(hmac.new(key, text.encode(), hashlib.sha256).digest())

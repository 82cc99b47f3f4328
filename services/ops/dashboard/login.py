"""Log in with an API key (verified by the service's KeyRing), log out."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from services.ops.dashboard.forms import read_form
from services.ops.dashboard.render import environment
from services.ops.dashboard.session import (
    COOKIE,
    COOKIE_PATH,
    SessionDep,
    check_csrf,
    issue,
    safe_next,
)
from services.ops.wiring import parts
from shared.service import RuntimeDep

router = APIRouter(prefix="/dashboard", include_in_schema=False)
log = logging.getLogger("msp.ops.dashboard")


def _login_page(next_url: str, error: str | None = None, code: int = 200) -> HTMLResponse:
    html = environment.get_template("login.html").render(next=next_url, error=error)
    return HTMLResponse(html, status_code=code)


@router.get("/login")
async def login_form(request: Request) -> HTMLResponse:
    return _login_page(safe_next(request.query_params.get("next")))


@router.post("/login", response_model=None)
async def login(request: Request, runtime: RuntimeDep) -> HTMLResponse | RedirectResponse:
    form = await read_form(request)
    target = safe_next(form.get("next"))
    principal = runtime.keyring.verify(form.get("api_key", "").strip())
    if principal is None:
        # Never log or echo what was typed: it may be a real key with a typo.
        log.info("dashboard login refused from %s", request.client.host if request.client else "?")
        return _login_page(target, "That API key is not valid.", status.HTTP_401_UNAUTHORIZED)
    if not principal.allows("ops:read"):
        return _login_page(
            target,
            f"The key “{principal.name}” lacks the scope ops:read.",
            status.HTTP_403_FORBIDDEN,
        )
    settings = parts(runtime).dashboard
    token = issue(parts(runtime).session_key, principal, settings.session_hours)
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookie or request.url.scheme == "https",
    )
    log.info("dashboard login by %s", principal.name)
    return response


@router.post("/logout")
async def logout(request: Request, runtime: RuntimeDep, session: SessionDep) -> RedirectResponse:
    form = await read_form(request)
    check_csrf(parts(runtime).session_key, session, form.get("csrf"))
    response = RedirectResponse("/dashboard/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response

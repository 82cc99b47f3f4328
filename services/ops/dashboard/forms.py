"""Form posts of the dashboard: parsing, CSRF, and the redirect back with a notice."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import HTTPException, Request, status
from fastapi.responses import RedirectResponse

from services.ops.dashboard.render import FLASH
from services.ops.dashboard.session import Session, check_csrf, safe_next
from services.ops.wiring import parts
from shared.service import Runtime

MAX_FORM_BYTES = 16_384


async def read_form(request: Request) -> dict[str, str]:
    """The url-encoded form, first value per field (no multipart needed for these forms)."""
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, detail="form too large")
    return {
        k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()
    }


async def writable_form(request: Request, runtime: Runtime, session: Session) -> dict[str, str]:
    """The form of a change: it must come from our page, from someone who may write."""
    form = await read_form(request)
    check_csrf(parts(runtime).session_key, session, form.get("csrf"))
    if not session.can_write:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this key lacks the scope ops:write")
    return form


def back(form: dict[str, str], notice: str, default: str = "/dashboard") -> RedirectResponse:
    """Return to the page the form was on, with a one-time notice."""
    response = RedirectResponse(
        safe_next(form.get("back") or default), status_code=status.HTTP_303_SEE_OTHER
    )
    response.set_cookie(
        FLASH, notice[:300], path="/dashboard", httponly=True, samesite="strict", max_age=60
    )
    return response

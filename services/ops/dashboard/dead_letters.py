"""The dashboard's dead-letter page: what each service gave up on, and why."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.ops import dead_letters
from services.ops.dashboard.render import page
from services.ops.dashboard.session import SessionDep
from shared.service import RuntimeDep

router = APIRouter(prefix="/dashboard", include_in_schema=False)


@router.get("/dead-letters")
async def dead_letter_page(
    request: Request, runtime: RuntimeDep, session: SessionDep, group: str | None = None
) -> HTMLResponse:
    async with runtime.store.engine.connect() as conn:
        rows = await dead_letters.letters(conn, group=group or None, limit=200)
        per_group = await dead_letters.counts(conn)
    return await page(
        request,
        runtime,
        session,
        "dead_letters.html",
        "dead_letters",
        rows=rows,
        per_group=per_group,
        group=group or "",
    )

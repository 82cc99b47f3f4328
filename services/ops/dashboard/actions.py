"""What staff can do from the dashboard: advance the clock, manage webhooks, nudge provisioning.

Every change goes through the same handlers as the API, with the logged-in key as the actor.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.ops.dashboard.forms import back, writable_form
from services.ops.dashboard.pages import webhook_context
from services.ops.dashboard.render import page
from services.ops.dashboard.session import SessionDep
from services.ops.webhooks import handlers
from services.ops.wiring import parts
from shared import clock
from shared.errors import DomainError
from shared.service import MetadataDep, RuntimeDep

router = APIRouter(prefix="/dashboard", include_in_schema=False)


@router.post("/clock")
async def advance_clock(
    request: Request, runtime: RuntimeDep, session: SessionDep, meta: MetadataDep
) -> RedirectResponse:
    form = await writable_form(request, runtime, session)
    if runtime.platform.clock_mode != "manual":
        return back(form, "The clock follows the calendar here (MSP_CLOCK_MODE=ticker).")
    today = await clock.current_day(runtime.store)
    try:
        if form.get("to"):
            until = date.fromisoformat(form["to"])
        elif today is None:
            return back(form, "The clock has not started yet: choose a date to start it on.")
        else:
            until = today + timedelta(days=int(form.get("days") or 1))
        started = await clock.advance_to(runtime.store, until, meta)
    except (ValueError, DomainError) as exc:
        return back(form, f"Could not advance the clock: {getattr(exc, 'message', exc)}")
    if not started:
        return back(form, "The clock is already there.")
    return back(
        form, f"Started {len(started)} day(s); the business date is now {started[-1]:%a %-d %b %Y}."
    )


@router.post("/webhooks", response_model=None)
async def register_webhook(
    request: Request, runtime: RuntimeDep, session: SessionDep, meta: MetadataDep
) -> HTMLResponse | RedirectResponse:
    form = await writable_form(request, runtime, session)
    patterns = [
        p.strip() for p in form.get("event_types", "").replace("\n", ",").split(",") if p.strip()
    ]
    try:
        _, secret = await handlers.register(
            runtime.store,
            meta,
            parts(runtime).webhooks,
            url=form.get("url", "").strip(),
            event_types=patterns,
            description=form.get("description", "").strip() or None,
            secret=None,
        )
    except DomainError as exc:
        return back(form, f"Not registered: {exc.message}", "/dashboard/webhooks")
    # Rendered, not redirected: the secret must not travel in a URL or a cookie.
    async with runtime.store.engine.connect() as conn:
        context = await webhook_context(conn, None, new_secret=secret)
    response = await page(request, runtime, session, "webhooks.html", "webhooks", **context)
    response.headers["cache-control"] = "no-store"
    return response


@router.post("/webhooks/{endpoint_id}/disable")
async def disable_webhook(
    endpoint_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, meta: MetadataDep
) -> RedirectResponse:
    form = await writable_form(request, runtime, session)
    return await _do(
        form,
        "Endpoint disabled.",
        handlers.disable(runtime.store, meta, endpoint_id, "disabled from the dashboard"),
    )


@router.post("/webhooks/{endpoint_id}/enable")
async def enable_webhook(
    endpoint_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, meta: MetadataDep
) -> RedirectResponse:
    form = await writable_form(request, runtime, session)
    return await _do(form, "Endpoint enabled.", handlers.enable(runtime.store, meta, endpoint_id))


@router.post("/webhooks/{endpoint_id}/replay")
async def replay_webhooks(
    endpoint_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, meta: MetadataDep
) -> RedirectResponse:
    form = await writable_form(request, runtime, session)
    try:
        since = datetime.fromisoformat(form.get("since", ""))
    except ValueError:
        return back(form, "Give the time to replay from.")
    since = (since.replace(tzinfo=UTC) if since.tzinfo is None else since).astimezone(UTC)
    include = form.get("include_delivered") == "on"
    work = handlers.replay_since(runtime.store, meta, endpoint_id, since, include)
    return await _do(form, "Replay queued.", work)


@router.post("/webhooks/deliveries/{delivery_id}/replay")
async def replay_delivery(
    delivery_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, meta: MetadataDep
) -> RedirectResponse:
    form = await writable_form(request, runtime, session)
    return await _do(
        form, "Delivery queued again.", handlers.replay_one(runtime.store, meta, delivery_id)
    )


@router.post("/provisioning/actions/{action_id}/retry")
async def retry_action(
    action_id: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> RedirectResponse:
    form = await writable_form(request, runtime, session)
    return await _provisioning(
        runtime, session.name, form, f"/actions/{action_id}/retry", "Retry requested."
    )


@router.post("/provisioning/tasks/{task_id}/done")
async def complete_task(
    task_id: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> RedirectResponse:
    form = await writable_form(request, runtime, session)
    return await _provisioning(
        runtime, session.name, form, f"/manual-tasks/{task_id}/complete", "Task marked done."
    )


async def _do(form: dict[str, str], done: str, work: object) -> RedirectResponse:
    try:
        await work  # type: ignore[misc]
    except DomainError as exc:
        return back(form, exc.message)
    return back(form, done)


async def _provisioning(
    runtime: RuntimeDep, person: str, form: dict[str, str], path: str, done: str
) -> RedirectResponse:
    """Forward to the provisioning API (OPS_DASHBOARD_PROVISIONING_URL) with ops' own key."""
    settings = parts(runtime).dashboard
    headers = {"x-on-behalf-of": person}
    if settings.provisioning_api_key is not None:
        headers["authorization"] = f"Bearer {settings.provisioning_api_key.get_secret_value()}"
    try:
        async with httpx.AsyncClient(base_url=settings.provisioning_url, timeout=10) as client:
            response = await client.post(path, headers=headers, json={"requested_by": person})
    except httpx.HTTPError as exc:
        return back(
            form,
            f"The provisioning API at {settings.provisioning_url} did not answer ({type(exc).__name__}).",
        )
    if response.is_error:
        return back(form, f"The provisioning API answered {response.status_code} to {path}.")
    return back(form, done)

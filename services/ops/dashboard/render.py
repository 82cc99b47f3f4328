"""Jinja2 rendering for the dashboard: filters for Danish amounts and business dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.ops.dashboard.session import Session, csrf_token
from services.ops.wiring import parts
from shared.money import format_dkk
from shared.service import Runtime

TEMPLATES = Path(__file__).parent / "templates"
FLASH = "msp_ops_flash"
NAV = (
    ("overview", "/dashboard", "Overview"),
    ("events", "/dashboard/events", "Live events"),
    ("customers", "/dashboard/customers", "Customers"),
    ("dunning", "/dashboard/dunning", "Dunning board"),
    ("receivables", "/dashboard/receivables", "Receivables"),
    ("provisioning", "/dashboard/provisioning", "Provisioning"),
    ("webhooks", "/dashboard/webhooks", "Webhooks"),
    ("dead_letters", "/dashboard/dead-letters", "Dead letters"),
)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def _dkk(value: Any) -> str:
    return format_dkk(Decimal(str(value if value is not None else 0)))


def _day(value: date | str | None, long: bool = False) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%a %-d %b %Y" if long else "%-d %b %Y")


def _moment(value: datetime | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # SQLite returns the stored UTC time without its zone
    return value.astimezone(COPENHAGEN).strftime("%-d %b %Y %H:%M")


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["dkk"] = _dkk
environment.filters["day"] = _day
environment.filters["moment"] = _moment
environment.globals["nav"] = NAV


def fragment(template: str, **context: Any) -> str:
    """Render a template to text (rows for the live stream)."""
    return environment.get_template(template).render(**context)


async def page(
    request: Request, runtime: Runtime, session: Session, template: str, active: str, **context: Any
) -> HTMLResponse:
    """A full dashboard page with the chrome: navigation, business date, clock control."""
    html = environment.get_template(template).render(
        request=request,
        user=session,
        csrf=csrf_token(parts(runtime).session_key, session),
        active=active,
        today=await runtime.store.business_date(),
        clock_mode=runtime.platform.clock_mode,
        profile=runtime.profile,
        flash=request.cookies.get(FLASH),
        **context,
    )
    response = HTMLResponse(html)
    if request.cookies.get(FLASH):
        response.delete_cookie(FLASH, path="/dashboard")
    return response

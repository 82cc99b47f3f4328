"""The assets HTTP API, one router per area."""

from __future__ import annotations

from fastapi import APIRouter

from services.assets.api import hardware, purchases, reports, visits


def routers() -> list[APIRouter]:
    """Every assets router."""
    return [hardware.router, purchases.router, reports.router, visits.router]

"""The dashboard's routers: public to the kernel's bearer guard, guarded by the session instead."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from services.ops.dashboard import actions, dead_letters, login, pages, static_files, stream


def routers() -> Sequence[APIRouter]:
    """Login, pages, actions, the live stream and static files (none in the OpenAPI schema)."""
    return [
        login.router,
        static_files.router,
        stream.router,
        actions.router,
        pages.router,
        dead_letters.router,
    ]

"""The dashboard's stylesheet and script, served from the package (no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from shared.errors import NotFound

router = APIRouter(prefix="/dashboard/static", include_in_schema=False)
STATIC = Path(__file__).parent / "static"
FILES = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}


@router.get("/{name}")
async def static_file(name: str) -> FileResponse:
    if name not in FILES:
        raise NotFound(f"no file {name}", field="name")
    return FileResponse(
        STATIC / name, media_type=FILES[name], headers={"cache-control": "public, max-age=300"}
    )

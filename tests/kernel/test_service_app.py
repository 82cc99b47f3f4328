"""A service's app adds its routers' routes to itself; it serves and documents the same API as
`include_router` would (shared/service.py, `_include_flat`)."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from fastapi import FastAPI

from shared.auth import KeyRing, ScopeGuard
from shared.platform import SERVICES, app_from_environment, service_app
from shared.service import _add_error_handlers, _add_operational_routes


@pytest.mark.parametrize("name", SERVICES)
def test_the_app_documents_what_included_routers_would(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MSP_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MSP_API_KEYS", json.dumps([{"name": "a", "key": "k", "scopes": ["admin"]}]))
    app = service_app(name)
    runtime = app.state.runtime
    included = FastAPI(
        title=runtime.spec.title, description=runtime.spec.description, version="1.0"
    )
    guard = ScopeGuard(runtime.name, KeyRing([])).dependency()
    for router in runtime.spec.routers():
        included.include_router(router, dependencies=[guard])
    for router in runtime.spec.public_routers():
        included.include_router(router)
    _add_operational_routes(included, runtime)
    _add_error_handlers(included)

    assert app.openapi() == included.openapi()
    nested = [route for route in app.routes if not hasattr(route, "path")]
    assert not nested, "every router's routes are the app's own"


async def test_a_served_service_leaves_its_startup_heap_out_of_garbage_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MSP_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MSP_SERVICE", "billing")
    assert gc.get_freeze_count() == 0
    try:
        served = app_from_environment()  # `msp serve`'s app
        async with served.router.lifespan_context(served):
            frozen = gc.get_freeze_count()
        assert frozen > 50_000, "the modules, models and routes loaded at startup"
        # An app that is not its process's own (tests, the embedded platform's) leaves it.
        gc.unfreeze()
        other = service_app("billing")
        async with other.router.lifespan_context(other):
            assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()

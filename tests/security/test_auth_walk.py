"""Every route of every service refuses a missing, a wrong and an under-scoped key.

The walk goes over the apps' routes, not a hand-made list: a route added without the guard
fails here. Public routes are public by design and named below.
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Route

from services.ops.dashboard.session import COOKIE, csrf_token, issue, verify
from services.ops.wiring import parts
from shared.auth import Principal
from shared.platform import SERVICES
from tests.e2e.platform import RunningPlatform
from tests.security.conftest import SCOPES, all_but

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Reachable without a key, on purpose: probes, the schema and its viewers, the dashboard's login.
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/dashboard/login"),
    ("POST", "/dashboard/login"),
    ("GET", "/dashboard/static/{name}"),
}
# Dashboard routes a logged-in reader may use: the scope they need is ops:read, not ops:write.
DASHBOARD_FOR_READERS = {("POST", "/dashboard/logout")}
WRONG_KEYS = {
    "no key": {},
    "an unknown key": {"authorization": "Bearer msp_not-a-key-we-ever-issued"},
    "a key in the wrong scheme": {"authorization": f"Basic msp_all-but-{SCOPES[0]}"},
    "an empty bearer": {"authorization": "Bearer "},
}


def routes(running: RunningPlatform, service: str) -> list[tuple[str, str]]:
    """Every (method, path) the service answers, schema or not: its own and its routers'."""
    spec = running.platform.runtimes[service].spec
    app = running.platform.apps()[service]
    own = [route for route in app.routes if isinstance(route, Route)]
    routed = [
        route for router in [*spec.routers(), *spec.public_routers()] for route in router.routes
    ]
    assert all(isinstance(route, Route) for route in routed), "a nested router the walk cannot see"
    return [
        (method, route.path)
        for route in [*own, *routed]
        if isinstance(route, Route)
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]


def concrete(path: str) -> str:
    """The path with every parameter filled in (numbers parse as ids and as text)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def anonymous(app: FastAPI, service: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{service}")


async def test_every_api_route_refuses_missing_wrong_and_underscoped_keys(
    running: RunningPlatform,
) -> None:
    walked = 0
    for service, app in running.platform.apps().items():
        schema = app.openapi()
        in_schema = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
        async with anonymous(app, service) as client:
            for method, path in routes(running, service):
                if (method, path) in PUBLIC or path.startswith("/dashboard"):
                    continue
                assert (method, path) in in_schema, f"{method} {path} is served but not documented"
                url, seen = concrete(path), f"{service}: {method} {path}"
                for what, headers in WRONG_KEYS.items():
                    refused = await client.request(method, url, headers=headers)
                    assert refused.status_code == 401, f"{seen} with {what}: {refused.status_code}"
                    assert refused.headers["www-authenticate"] == "Bearer", seen
                    assert "API key" in refused.json()["detail"], seen
                needed = f"{service}:{'read' if method == 'GET' else 'write'}"
                lacking = await client.request(
                    method, url, headers={"authorization": f"Bearer {all_but(needed)}"}
                )
                assert lacking.status_code == 403, f"{seen} without {needed}: {lacking.status_code}"
                assert needed in lacking.json()["detail"], seen
                walked += 1
    assert walked > 80, "the walk reached every service's API"


async def test_every_dashboard_page_and_action_needs_a_session_with_the_scope(
    running: RunningPlatform,
) -> None:
    app = running.platform.apps()["ops"]
    key = parts(running.platform.runtimes["ops"]).session_key
    # Sessions of configured keys (a session whose key is not configured goes to the login).
    no_ops_read = Principal("all-but-ops:read", frozenset(s for s in SCOPES if s != "ops:read"))
    reader = Principal("all-but-ops:write", frozenset(s for s in SCOPES if s != "ops:write"))
    forged = issue(b"not the service's key" * 2, Principal("admin", frozenset({"admin"})), 1)
    reader_token = issue(key, reader, 1)
    reader_session = verify(key, reader_token)
    assert reader_session is not None
    csrf = csrf_token(key, reader_session)
    walked = 0
    async with anonymous(app, "ops") as client:
        for method, path in routes(running, "ops"):
            if (method, path) in PUBLIC or not path.startswith("/dashboard"):
                continue
            url, seen = concrete(path), f"{method} {path}"
            for what, cookie in (("no session", None), ("a forged session", forged)):
                headers = {"cookie": f"{COOKIE}={cookie}"} if cookie else {}
                sent = await client.request(method, url, headers=headers)
                assert sent.status_code == 303, f"{seen} with {what}: {sent.status_code}"
                assert sent.headers["location"].startswith("/dashboard/login"), seen
            if method == "GET" or (method, path) in DASHBOARD_FOR_READERS:
                token, needed, form = issue(key, no_ops_read, 1), "ops:read", {}
            else:
                token, needed, form = reader_token, "ops:write", {"csrf": csrf}
            lacking = await client.request(
                method, url, data=form, headers={"cookie": f"{COOKIE}={token}"}
            )
            assert lacking.status_code == 403, f"{seen} without {needed}: {lacking.status_code}"
            assert needed in lacking.text, seen
            walked += 1
    assert walked >= 15, "the walk reached the dashboard's pages and actions"


async def test_every_route_named_public_is_served(running: RunningPlatform) -> None:
    served = {route for service in SERVICES for route in routes(running, service)}
    assert PUBLIC <= served, f"named public but not served: {PUBLIC - served}"

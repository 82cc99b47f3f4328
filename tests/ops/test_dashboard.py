"""The dashboard behind its login: sessions, pages, the clock control and the live stream."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import httpx
import pytest

from services.ops.dashboard import session as sessions
from shared.auth import KeyRing, Principal
from shared.settings import ApiKeySetting
from tests.e2e.platform import RunningPlatform, embedded
from tests.ops.harness import NORDHAVN, anonymous, login, ops_app, register_customer, served

PAGES = (
    "/dashboard",
    "/dashboard/events",
    "/dashboard/customers",
    "/dashboard/dunning",
    "/dashboard/receivables",
    "/dashboard/provisioning",
    "/dashboard/webhooks",
)
DISPATCHER = ApiKeySetting(
    name="dispatcher", key="msp_dispatcher-key", scopes=["ops:read", "ops:write"]
)
VIEWER = ApiKeySetting(name="controller", key="msp_controller-key", scopes=["ops:read"])
BILLING_ONLY = ApiKeySetting(name="erp-sync", key="msp_erp-key", scopes=["billing:read"])


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page carries a CSRF token in its forms"
    return found.group(1)


async def logged_in(running: RunningPlatform, key: str) -> httpx.AsyncClient:
    client = anonymous(running)
    response = await login(client, key)
    assert response.status_code == 303, response.text
    return client


async def test_unauthenticated_requests_redirect_to_the_login_page(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running, anonymous(running) as client:
        pages = [
            await client.get(path)
            for path in (*PAGES, "/dashboard/stream", "/dashboard/customers/x")
        ]
        posted = await client.post("/dashboard/clock", data={"days": "1"})
        with_bearer_only = await running.clients["ops"].get("/dashboard/dunning")
        login_page = await client.get("/dashboard/login")
    for response in [*pages, posted, with_bearer_only]:
        assert response.status_code == 303, response.request.url
        assert response.headers["location"].startswith("/dashboard/login?next=")
    assert pages[3].headers["location"] == "/dashboard/login?next=/dashboard/dunning"
    assert login_page.status_code == 200 and 'name="api_key"' in login_page.text


async def test_the_session_cookie_is_httponly_strict_signed_and_holds_no_key(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running, anonymous(running) as client:
        response = await login(client, running.admin_key)
        page = await client.get("/dashboard")
    cookie = response.headers["set-cookie"]
    assert response.headers["location"] == "/dashboard"
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/dashboard" in cookie
    assert running.admin_key not in cookie
    assert page.status_code == 200


async def test_a_wrong_key_is_refused_and_never_echoed(tmp_path: Path) -> None:
    typo = "msp_almost-the-right-key"
    async with embedded(tmp_path, api_keys=[BILLING_ONLY]) as running, anonymous(running) as client:
        wrong = await login(client, typo)
        unscoped = await login(client, BILLING_ONLY.key.get_secret_value())  # type: ignore[union-attr]
        still_out = await client.get("/dashboard")
    assert wrong.status_code == 401 and "not valid" in wrong.text
    assert typo not in wrong.text and "set-cookie" not in wrong.headers
    assert unscoped.status_code == 403 and "ops:read" in unscoped.text
    assert still_out.status_code == 303


def test_a_forged_or_expired_session_is_refused() -> None:
    key = b"k" * 32
    token = sessions.issue(key, Principal("controller", frozenset({"ops:read"})), hours=8)
    body, _, signature = token.partition(".")
    session = sessions.verify(key, token)
    assert session is not None and session.name == "controller" and not session.can_write
    forged = sessions.issue(b"x" * 32, Principal("controller", frozenset({"admin"})), hours=8)
    assert sessions.verify(key, forged) is None
    assert sessions.verify(key, body[:-2] + "AA." + signature) is None
    assert sessions.verify(key, token, now=time.time() + 9 * 3600) is None


async def test_the_clock_control_starts_days_as_the_logged_in_key(tmp_path: Path) -> None:
    async with embedded(tmp_path, api_keys=[DISPATCHER, VIEWER]) as running:
        await running.advance_to("2026-02-13")
        dispatcher = await logged_in(running, "msp_dispatcher-key")
        viewer = await logged_in(running, "msp_controller-key")
        page = (await dispatcher.get("/dashboard/dunning")).text
        moved = await dispatcher.post(
            "/dashboard/clock",
            data={"csrf": csrf_of(page), "days": "1", "back": "/dashboard/dunning"},
        )
        jumped = await dispatcher.post(
            "/dashboard/clock", data={"csrf": csrf_of(page), "to": "2026-02-16"}
        )
        no_token = await dispatcher.post("/dashboard/clock", data={"days": "1"})
        viewer_page = (await viewer.get("/dashboard")).text
        viewer_try = await viewer.post(
            "/dashboard/clock", data={"csrf": csrf_of(viewer_page), "days": "1"}
        )
        await running.settle()
        clock = await running.call("ops", "GET", "/clock")
        days = await running.call(
            "ops", "GET", "/events", params={"name": "DayStarted", "limit": 3}
        )
        notice = (await dispatcher.get("/dashboard/dunning")).text
    assert moved.status_code == 303 and moved.headers["location"] == "/dashboard/dunning"
    assert jumped.status_code == 303
    assert no_token.status_code == 403, "a form without its CSRF token is refused"
    assert viewer_try.status_code == 403 and 'action="/dashboard/clock"' not in viewer_page
    assert clock["today"] == "2026-02-16"
    assert [(d["business_date"], d["actor"]) for d in days] == [
        ("2026-02-16", "dispatcher"),
        ("2026-02-15", "dispatcher"),
        ("2026-02-14", "dispatcher"),
    ]
    assert "Mon 16 Feb 2026" in notice


async def test_the_live_stream_yields_an_event_when_one_is_observed(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running, served(ops_app(running)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=20) as browser:
            await login(browser, running.admin_key)
            async with browser.stream("GET", "/dashboard/stream") as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                customer = asyncio.create_task(register_customer(running, NORDHAVN))
                observed = await asyncio.wait_for(_first_observed(stream), timeout=15)
                customer_id = await customer
    assert observed["name"] == "CustomerRegistered"
    assert observed["customer_id"] == customer_id
    assert "Nordhavn Revision ApS registered" in observed["html"]


async def _first_observed(stream: httpx.Response) -> dict[str, str]:
    event = None
    async for line in stream.aiter_lines():
        if line == "event: observed":
            event = "observed"
        elif event and line.startswith("data: "):
            found: dict[str, str] = json.loads(line[len("data: ") :])
            return found
    raise AssertionError("the stream ended without an event")


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPS_WEBHOOK_ALLOWED_NETWORKS", '["127.0.0.0/8"]')


@pytest.mark.usefixtures("loopback_only")
async def test_a_webhook_registered_on_the_dashboard_shows_its_secret_once(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        client = await logged_in(running, running.admin_key)
        page = (await client.get("/dashboard/webhooks")).text
        form = {
            "csrf": csrf_of(page),
            "url": "http://127.0.0.1:9/hook",
            "event_types": "InvoiceIssued, dunning.*",
        }
        registered = await client.post("/dashboard/webhooks", data=form)
        later = await client.get("/dashboard/webhooks")
        listed = await running.call("ops", "GET", "/webhooks")
        await client.aclose()
    secrets = re.findall(r"whsec_[A-Za-z0-9+/=]+", registered.text)
    assert registered.status_code == 200 and len(secrets) == 1
    assert registered.headers["cache-control"] == "no-store"
    assert "whsec_" not in later.text
    assert listed[0]["event_types"] == ["InvoiceIssued", "dunning.*"]
    assert listed[0]["created_by"] == "admin"


async def test_a_revoked_key_ends_its_sessions_and_a_cut_key_loses_its_buttons(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path, api_keys=[DISPATCHER, VIEWER]) as running:
        dispatcher = await logged_in(running, "msp_dispatcher-key")
        viewer = await logged_in(running, "msp_controller-key")
        before = await dispatcher.get("/dashboard")
        # The configuration changes: the controller's key is gone, the dispatcher's was
        # rotated to a read-only one of the same name.
        running.platform.runtimes["ops"].keyring = KeyRing(
            [ApiKeySetting(name="dispatcher", key="msp_dispatcher-key-2", scopes=["ops:read"])]
        )
        after = await dispatcher.get("/dashboard")
        clock = await dispatcher.post(
            "/dashboard/clock", data={"csrf": csrf_of(before.text), "days": "1"}
        )
        revoked = await viewer.get("/dashboard")
    assert before.status_code == 200 and 'action="/dashboard/clock"' in before.text
    assert after.status_code == 200 and 'action="/dashboard/clock"' not in after.text
    assert clock.status_code == 403, "the cut key may no longer move the clock"
    assert revoked.status_code == 303
    assert revoked.headers["location"].startswith("/dashboard/login")

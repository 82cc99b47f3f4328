"""Webhooks to external systems: signed per Standard Webhooks, retried, disabled, replayed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

from services.ops.domain.webhooks import RETRY_DELAYS
from shared.envelope import utcnow
from tests.e2e.platform import RunningPlatform, embedded
from tests.ops.harness import (
    HAVNEKONTORET,
    LOOPBACK_ONLY,
    NORDHAVN,
    FakeClock,
    ops_runtime,
    register_customer,
    worker,
)

HOOK = "http://127.0.0.1:9/hooks/msp"


class Receiver:
    """An external system's endpoint: answers with the statuses it is given, then 204."""

    def __init__(self, *answers: int | Exception, headers: dict[str, str] | None = None) -> None:
        self.answers = list(answers)
        self.headers = headers or {}
        self.received: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        answer = self.answers.pop(0) if self.answers else 204
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, headers=self.headers, request=request)

    @property
    def transport(self) -> httpx.MockTransport:
        """The network the worker uses."""
        return httpx.MockTransport(self)


def down() -> Exception:
    return httpx.ConnectError("connection refused")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPS_WEBHOOK_ALLOWED_NETWORKS", LOOPBACK_ONLY)


async def endpoint(running: RunningPlatform, *types: str, url: str = HOOK) -> dict[str, str]:
    body = {"url": url, "event_types": list(types), "description": "ERP sync"}
    created: dict[str, str] = await running.call("ops", "POST", "/webhooks", expect=201, json=body)
    return created


async def deliveries(running: RunningPlatform, endpoint_id: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = await running.call(
        "ops", "GET", f"/webhooks/{endpoint_id}/deliveries"
    )
    return found


async def test_our_signatures_verify_with_the_standardwebhooks_package(tmp_path: Path) -> None:
    receiver = Receiver()
    async with embedded(tmp_path) as running:
        sender = worker(running, FakeClock(), receiver.transport)
        hook = await endpoint(running, "CustomerRegistered")
        customer = await register_customer(running, NORDHAVN)
        await sender.deliver_due()
    (request,) = receiver.received
    assert hook["secret"].startswith("whsec_")
    payload = Webhook(hook["secret"]).verify(request.content, dict(request.headers))
    assert payload["type"] == "msp.agreements.CustomerRegistered.v1"
    assert payload["data"]["customer_id"] == customer
    assert request.headers["webhook-id"] == payload["id"], "webhook-id is the event id"
    assert request.headers["webhook-signature"].startswith("v1,")


async def test_a_receiver_down_for_three_attempts_gets_the_message_on_the_fourth_once(
    tmp_path: Path,
) -> None:
    receiver = Receiver(down(), 503, down())
    clock = FakeClock()
    async with embedded(tmp_path) as running:
        sender = worker(running, clock, receiver.transport)
        hook = await endpoint(running, "CustomerRegistered")
        await register_customer(running, NORDHAVN)
        await sender.deliver_due()  # immediately: down
        clock.advance(timedelta(seconds=4))
        assert await sender.deliver_due() == 0, "not before 5 seconds"
        for delay in RETRY_DELAYS[:3]:  # 5 s: 503; 5 min: down; 30 min: delivered
            clock.advance(delay)
            await sender.deliver_due()
        clock.advance(timedelta(days=2))
        await sender.deliver_due()
        (delivery,) = await deliveries(running, hook["endpoint_id"])
        detail = await running.call("ops", "GET", f"/webhooks/deliveries/{delivery['delivery_id']}")
    assert len(receiver.received) == 4
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1, (
        "the same message id each time"
    )
    assert delivery["status"] == "delivered"
    assert [(a["number"], a["outcome"], a["status_code"]) for a in detail["attempts_made"]] == [
        (1, "failed", None),
        (2, "failed", 503),
        (3, "failed", None),
        (4, "delivered", 204),
    ]
    assert "ConnectError" in detail["attempts_made"][0]["error"]


async def test_410_gone_disables_the_endpoint_and_nothing_more_is_queued(tmp_path: Path) -> None:
    receiver = Receiver(410)
    async with embedded(tmp_path) as running:
        sender = worker(running, FakeClock(), receiver.transport)
        hook = await endpoint(running)
        await register_customer(running, NORDHAVN)
        await sender.deliver_due()
        after = await running.call("ops", "GET", f"/webhooks/{hook['endpoint_id']}")
        queued_before = len(await deliveries(running, hook["endpoint_id"]))
        await register_customer(running, HAVNEKONTORET)
        queued_after = len(await deliveries(running, hook["endpoint_id"]))
        stream = await ops_runtime(running).store.read_stream(
            f"webhook-endpoint-{hook['endpoint_id']}"
        )
    assert after["enabled"] is False
    assert "410" in after["disabled_reason"]
    assert queued_after == queued_before, "a disabled endpoint gets no new deliveries"
    assert [(e.type, e.meta["actor"]) for e in stream] == [
        ("WebhookEndpointRegistered", "admin"),
        ("WebhookEndpointDisabled", "service:ops"),
    ]


@pytest.mark.parametrize(
    "url",
    [
        "http://10.20.30.40/hook",
        "http://192.168.1.10:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
    ],
)
async def test_a_private_or_link_local_address_is_refused_naming_the_url(
    tmp_path: Path, url: str
) -> None:
    async with embedded(tmp_path) as running:
        refused = await running.clients["ops"].post("/webhooks", json={"url": url})
        listed = await running.call("ops", "GET", "/webhooks")
    assert refused.status_code == 422
    (detail,) = refused.json()["detail"]
    assert detail["loc"] == ["body", "url"]
    assert "private or reserved" in detail["msg"]
    assert listed == []


async def test_loopback_is_refused_unless_its_network_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPS_WEBHOOK_ALLOWED_NETWORKS", "[]")
    async with embedded(tmp_path) as running:
        refused = await running.clients["ops"].post(
            "/webhooks", json={"url": "http://localhost:8080/hook"}
        )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "url"]


async def test_a_bad_secret_is_refused_without_echoing_it(tmp_path: Path) -> None:
    attempt = "whsec_not-base64-at-all!"
    async with embedded(tmp_path) as running:
        refused = await running.clients["ops"].post(
            "/webhooks", json={"url": HOOK, "secret": attempt}
        )
        missing_url = await running.clients["ops"].post("/webhooks", json={"secret": attempt})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "secret"]
    assert missing_url.status_code == 422
    assert missing_url.json()["detail"][0]["loc"] == ["body", "url"]
    assert attempt not in refused.text and attempt not in missing_url.text


async def test_the_secret_is_shown_once_and_never_in_listings_or_events(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        hook = await endpoint(running)
        listed = await running.clients["ops"].get("/webhooks")
        one = await running.clients["ops"].get(f"/webhooks/{hook['endpoint_id']}")
        stored = [e async for e in ops_runtime(running).store.iterate_all()]
    assert hook["secret"] not in listed.text and "secret" not in listed.json()[0]
    assert hook["secret"] not in one.text
    assert all(hook["secret"] not in str(e.data) for e in stored)


async def test_replay_since_a_time_resends_the_failed_messages_from_then(tmp_path: Path) -> None:
    receiver = Receiver(*[500] * 16)  # down through every attempt of two messages
    clock = FakeClock()
    async with embedded(tmp_path) as running:
        sender = worker(running, clock, receiver.transport)
        hook = await endpoint(running, "CustomerRegistered")
        await register_customer(running, NORDHAVN)
        since = utcnow()
        await register_customer(running, HAVNEKONTORET)
        await sender.deliver_due()
        for delay in RETRY_DELAYS:
            clock.advance(delay)
            await sender.deliver_due()
        failed = await deliveries(running, hook["endpoint_id"])
        # Counted before the replay: the service's own worker may send it as soon as it is
        # queued, before the explicit round below.
        sent_before = len(receiver.received)
        queued = await running.call(
            "ops",
            "POST",
            f"/webhooks/{hook['endpoint_id']}/replay",
            expect=202,
            json={"since": since.isoformat()},
        )
        await sender.deliver_due()
        replayed = receiver.received[sent_before:]
        after = await deliveries(running, hook["endpoint_id"])
    assert [d["status"] for d in failed] == ["failed", "failed"]
    assert all(d["attempts"] == 8 for d in failed), "immediately, then the seven retries"
    assert queued["pending"] == 1
    assert len(replayed) == 1, "only what failed since the time is sent again"
    assert sorted((str(d["status"]), str(d["attempts"])) for d in after) == [
        ("delivered", "9"),
        ("failed", "8"),
    ]


async def test_one_failed_message_can_be_replayed_on_its_own(tmp_path: Path) -> None:
    receiver = Receiver(410)
    async with embedded(tmp_path) as running:
        sender = worker(running, FakeClock(), receiver.transport)
        hook = await endpoint(running, "CustomerRegistered")
        await register_customer(running, NORDHAVN)
        await sender.deliver_due()
        (gone,) = await deliveries(running, hook["endpoint_id"])
        refused = await running.clients["ops"].post(
            f"/webhooks/deliveries/{gone['delivery_id']}/replay"
        )
        await running.call("ops", "POST", f"/webhooks/{hook['endpoint_id']}/enable")
        await running.call(
            "ops", "POST", f"/webhooks/deliveries/{gone['delivery_id']}/replay", expect=202
        )
        await sender.deliver_due()
        (again,) = await deliveries(running, hook["endpoint_id"])
    assert refused.status_code == 409, "a disabled endpoint is enabled before replaying to it"
    assert again["status"] == "delivered" and again["attempts"] == 2


async def test_every_attempt_failing_for_five_days_disables_the_endpoint(tmp_path: Path) -> None:
    receiver = Receiver(*[500] * 100)
    clock = FakeClock()
    async with embedded(tmp_path) as running:
        sender = worker(running, clock, receiver.transport)
        hook = await endpoint(running, "CustomerRegistered")
        await register_customer(running, NORDHAVN)
        await sender.deliver_due()
        clock.advance(timedelta(days=4, hours=23))
        await register_customer(running, HAVNEKONTORET)
        await sender.deliver_due()  # both fail; the failing started 4 days 23 hours ago
        still = await running.call("ops", "GET", f"/webhooks/{hook['endpoint_id']}")
        clock.advance(timedelta(hours=2))
        await sender.deliver_due()
        after = await running.call("ops", "GET", f"/webhooks/{hook['endpoint_id']}")
    assert still["enabled"] is True
    assert after["enabled"] is False
    assert after["disabled_reason"] == "every attempt failed for 5 days"


async def test_a_restart_loses_no_delivery_and_retry_after_is_honoured(tmp_path: Path) -> None:
    clock = FakeClock()
    first = Receiver(503, headers={"retry-after": "3600"})
    async with embedded(tmp_path) as running:
        sender = worker(running, clock, first.transport)
        hook = await endpoint(running, "CustomerRegistered")
        await register_customer(running, NORDHAVN)
        await sender.deliver_due()
        (waiting,) = await deliveries(running, hook["endpoint_id"])
    (tmp_path / "api-keys.json").unlink()  # the harness wants a fresh admin key
    second = Receiver()
    async with embedded(tmp_path) as running:
        sender = worker(running, clock, second.transport)
        clock.advance(timedelta(minutes=59))
        early = await sender.deliver_due()
        clock.advance(timedelta(minutes=2))
        await sender.deliver_due()
        (after,) = await deliveries(running, hook["endpoint_id"])
    assert waiting["status"] == "pending" and waiting["attempts"] == 1
    assert early == 0, "Retry-After: 3600 is honoured over the 5-second step"
    assert len(second.received) == 1
    assert after["status"] == "delivered" and after["attempts"] == 2


class Hanging(httpx.AsyncBaseTransport):
    """A receiver that never answers; an attempt stopped meanwhile takes a while to end."""

    def __init__(self) -> None:
        self.in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        cleanup = 0.1 * self.in_flight  # each attempt needs longer to let go
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(cleanup)
            raise
        finally:
            self.in_flight -= 1
        raise AssertionError("never answers")


async def test_a_worker_stopped_mid_delivery_leaves_no_attempt_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The platform's own delivery loop makes its first round at start, then waits an hour:
    # the round under test is the only one sending.
    monkeypatch.setenv("OPS_WEBHOOK_POLL_SECONDS", "3600")
    receiver = Hanging()
    async with embedded(tmp_path) as running:
        sender = worker(running, FakeClock(), receiver)
        hook = await endpoint(running, "CustomerRegistered")
        await register_customer(running, NORDHAVN)
        await register_customer(running, HAVNEKONTORET)
        for _ in range(500):  # ops queues a delivery once it has observed each event
            if len(await deliveries(running, hook["endpoint_id"])) == 2:
                break
            await asyncio.sleep(0.01)
        delivering = asyncio.create_task(sender.deliver_due())
        for _ in range(500):
            if receiver.in_flight == 2:
                break
            await asyncio.sleep(0.01)
        assert receiver.in_flight == 2, "both messages are being sent"
        delivering.cancel()  # the service stops
        with pytest.raises(asyncio.CancelledError):
            await delivering
        assert receiver.in_flight == 0, "an attempt ran on after its worker had stopped"

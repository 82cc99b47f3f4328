"""A worker killed mid-action, several workers at once, and one subscription's order."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.provisioning.vendors.ports import LicensePort, WriteOutcome
from services.provisioning.worker import ActionWorker
from shared.contracts import dunning as d
from shared.money import Amount
from tests.provisioning.harness import Provisioning, fast_env, provisioning

CUSTOMER = "c-nordhavn"
TENANT = "tenant-nordhavn"
ON = date(2026, 2, 23)


class LandsThenHangs:
    """A LicensePort whose write reaches Partner Center, after which the process 'dies'."""

    def __init__(self, inner: LicensePort) -> None:
        self.inner = inner
        self.landed = asyncio.Event()
        self.release = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def suspend(
        self, tenant_id: str, subscription_id: str, *, request_id: str
    ) -> WriteOutcome:
        outcome = await self.inner.suspend(tenant_id, subscription_id, request_id=request_id)
        self.landed.set()
        await self.release.wait()  # killed here: the vendor changed, nothing is recorded yet
        return outcome


def worker(
    running: Provisioning, name: str, *, later: float = 0.0, **changes: object
) -> ActionWorker:
    """A worker on the service's ports; `later` moves its clock forward (a lease lapses)."""
    base = running.wiring.worker(running.runtime.store, name)
    clock = lambda: datetime.now(UTC) + timedelta(seconds=later)  # noqa: E731
    return dataclasses.replace(base, clock=clock, **changes)  # type: ignore[arg-type]


async def licence(running: Provisioning, subscription: str) -> None:
    await running.subscription(
        CUSTOMER,
        subscription,
        sku="m365-business-standard",
        kind="m365",
        reference={"tenant_id": TENANT, "vendor_subscription_id": f"pc-{subscription}"},
    )


async def suspend(running: Provisioning, subscription: str) -> None:
    await running.publish(
        d.ServiceSuspended(
            customer_id=CUSTOMER,
            invoice_number=1,
            subscription_id=subscription,
            sku="m365-business-standard",
            service_kind="m365",
            suspended_on=ON,
        ),
        customer_id=CUSTOMER,
        on=ON,
    )


async def restore(running: Provisioning, subscription: str) -> None:
    await running.publish(
        d.ServiceRestored(
            customer_id=CUSTOMER,
            invoice_number=1,
            subscription_id=subscription,
            sku="m365-business-standard",
            service_kind="m365",
            restored_on=ON,
            after_permanent_closure=False,
            restore_within_hours=None,
            reopening_fee=Amount("0"),
            extra_work_hours=Amount("0"),
        ),
        customer_id=CUSTOMER,
        on=ON,
    )


async def test_a_worker_killed_after_the_vendor_write_is_finished_by_the_next_without_a_second_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_env(monkeypatch, PROVISIONING_WORKER_ENABLED="false", PROVISIONING_LEASE_SECONDS="60")
    async with provisioning(tmp_path) as running:
        await running.start_day(ON)
        await licence(running, "sub-1")
        await suspend(running, "sub-1")
        crashing = LandsThenHangs(running.wiring.ports.licences)
        ports = dataclasses.replace(running.wiring.ports, licences=crashing)
        first = asyncio.create_task(worker(running, "process-1", ports=ports).run_due())
        await crashing.landed.wait()
        meanwhile = await worker(running, "process-2").run_due()
        first.cancel()  # the process dies before the outcome commits
        with contextlib.suppress(asyncio.CancelledError):
            await first
        orphaned = await running.action("sub-1-suspend-1")
        after_restart = await worker(running, "process-3", later=61).run_due()
        await running.platform.settle()
        finished = await running.action("sub-1-suspend-1")
        deactivated = await running.published("LicenseDeactivated")
        calls = running.sim("partner_center").calls
    assert meanwhile == 0, "no second worker takes an action whose claim still holds"
    assert orphaned["state"] == "in_flight"
    assert after_restart == 1
    assert finished["state"] == "done"
    assert [(t["attempt"], t["worker"], t["outcome"]) for t in finished["attempt_log"]] == [
        (1, "process-1", "abandoned"),
        (2, "process-3", "succeeded"),
    ]
    assert [c.state for c in calls.changes(f"{TENANT}/pc-sub-1")] == ["suspended"]
    assert len(calls.writes(f"{TENANT}/pc-sub-1")) == 1, (
        "the restarted try read first and wrote nothing"
    )
    assert [(e.data["outcome"], e.data["request_id"]) for e in deactivated] == [
        ("already", "sub-1-suspend-1:licence.suspend")
    ], "published once, naming the request id both tries used"


async def test_several_workers_never_run_one_action_twice(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVISIONING_DATABASE_URL", database_url)  # SQLite and PostgreSQL
    fast_env(monkeypatch, PROVISIONING_WORKER_ENABLED="false")
    subscriptions = [f"sub-{n}" for n in range(12)]
    async with provisioning(tmp_path) as running:
        await running.start_day(ON)
        for subscription in subscriptions:
            await licence(running, subscription)
            await suspend(running, subscription)
        workers = [worker(running, f"process-{n}") for n in range(4)]
        ran = await asyncio.gather(*(w.run_due() for w in workers))
        await running.platform.settle()
        actions = await running.actions()
        calls = running.sim("partner_center").calls
    assert sum(ran) == 12
    assert {a["state"] for a in actions} == {"done"}
    assert {a["attempts"] for a in actions} == {1}, "each action claimed once"
    assert sorted(c.resource or "" for c in calls.changes()) == sorted(
        f"{TENANT}/pc-{s}" for s in subscriptions
    )


async def test_a_restore_waits_for_the_suspension_still_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_env(monkeypatch, PROVISIONING_WORKER_ENABLED="false")
    async with provisioning(tmp_path) as running:
        await running.start_day(ON)
        await licence(running, "sub-1")
        await suspend(running, "sub-1")
        slow = LandsThenHangs(running.wiring.ports.licences)
        ports = dataclasses.replace(running.wiring.ports, licences=slow)
        suspending = asyncio.create_task(worker(running, "process-1", ports=ports).run_due())
        await slow.landed.wait()
        await restore(running, "sub-1")
        while_suspending = await worker(running, "process-2").run_due()
        slow.release.set()
        await suspending
        afterwards = await worker(running, "process-2").run_due()
        await running.platform.settle()
        actions = {a["action_id"]: a for a in await running.actions()}
        calls = running.sim("partner_center").calls
    assert while_suspending == 0, "the restore is held back while the suspension runs"
    assert afterwards == 1
    assert actions["sub-1-restore-1"]["sequence"] == 2
    assert {a["state"] for a in actions.values()} == {"done"}
    assert [c.state for c in calls.changes()] == ["suspended", "active"]


async def test_a_restore_before_the_suspension_ran_supersedes_it_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_env(monkeypatch, PROVISIONING_WORKER_ENABLED="false")
    async with provisioning(tmp_path) as running:
        await running.start_day(ON)
        await licence(running, "sub-1")
        await suspend(running, "sub-1")
        await restore(running, "sub-1")
        await worker(running, "process-1").run_due()
        await running.platform.settle()
        actions = {a["action_id"]: a for a in await running.actions()}
        superseded = await running.published("ProvisioningActionSuperseded")
        writes = running.sim("partner_center").calls.writes()
    assert actions["sub-1-suspend-1"]["state"] == "superseded"
    assert actions["sub-1-suspend-1"]["superseded_by"] == "sub-1-restore-1"
    assert actions["sub-1-restore-1"]["state"] == "done"
    assert writes == [], "paid before we acted: no writes"
    assert [e.data["action_id"] for e in superseded] == ["sub-1-suspend-1"]

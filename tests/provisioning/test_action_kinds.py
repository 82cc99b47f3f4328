"""Per kind of service: what suspension, restore, closure and deletion do at the vendors."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.provisioning.vendors.simulation import FaultPlan
from shared.contracts import Contract
from shared.contracts import agreements as a
from shared.contracts import dunning as d
from shared.money import Amount
from tests.provisioning.harness import Provisioning, fast_env, provisioning

CUSTOMER = "c-kunde"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_env(monkeypatch)


async def decide(
    running: Provisioning,
    what: str,
    subscription: str,
    sku: str,
    kind: str,
    on: date,
    invoice: int = 1,
    **extra: Any,
) -> None:
    """Publish one of dunning's decisions about a subscription."""
    common = {
        "customer_id": CUSTOMER,
        "invoice_number": invoice,
        "subscription_id": subscription,
        "sku": sku,
        "service_kind": kind,
    }
    message: Contract
    if what == "suspend":
        message = d.ServiceSuspended(**common, suspended_on=on)
    elif what == "close":
        message = d.ServicePermanentlyClosed(**common, closed_on=on)
    elif what == "delete":
        message = d.HostedDataDeletionDue(**common, due_on=on)
    else:
        message = d.ServiceRestored(
            **common,
            restored_on=on,
            after_permanent_closure=extra.get("after_closure", False),
            restore_within_hours=48 if kind == "hosting" else None,
            reopening_fee=Amount("0"),
            extra_work_hours=Amount("0"),
        )
    await running.start_day(on)
    await running.publish(message, customer_id=CUSTOMER, on=on)


async def test_a_subscription_without_a_vendor_reference_is_reported_and_runs_once_it_has_one(
    tmp_path: Path,
) -> None:
    async with provisioning(tmp_path) as running:
        await running.subscription(
            CUSTOMER, "sub-m365", sku="m365-business-basic", kind="m365", reference={}
        )
        await decide(
            running, "suspend", "sub-m365", "m365-business-basic", "m365", date(2026, 2, 23)
        )
        waiting = await running.actions("needs_reference")
        reported = await running.published("VendorReferenceMissing")
        reference = {"tenant_id": "tenant-k", "vendor_subscription_id": "pc-k"}
        await running.publish(
            a.SubscriptionVendorReferenceSet(
                customer_id=CUSTOMER,
                subscription_id="sub-m365",
                sku="m365-business-basic",
                service_kind="m365",
                vendor_reference=reference,
            ),
            customer_id=CUSTOMER,
            on=date(2026, 2, 24),
        )
        actions = await running.settle_actions()
        status = running.sim("partner_center").snapshot()["subscriptions"]["tenant-k/pc-k"][
            "status"
        ]
    assert [(w["action_id"], w["missing"]) for w in waiting] == [
        ("sub-m365-suspend-1", ["tenant_id", "vendor_subscription_id"])
    ]
    assert [e.data["missing"] for e in reported] == [["tenant_id", "vendor_subscription_id"]]
    assert [x["state"] for x in actions] == ["done"]
    assert status == "suspended"


async def test_web_security_has_no_api_so_operations_get_a_task_tracked_to_done(
    tmp_path: Path,
) -> None:
    async with provisioning(tmp_path) as running:
        await running.subscription(
            CUSTOMER,
            "sub-web",
            sku="web-security",
            kind="web-security",
            reference={"site": "kunde.dk"},
        )
        await decide(
            running, "suspend", "sub-web", "web-security", "web-security", date(2026, 2, 23)
        )
        await running.settle_actions()
        (task,) = (await running.api.get("/manual-tasks", params={"state": "open"})).json()
        waiting = await running.action("sub-web-suspend-1")
        completed = await running.api.post(
            f"/manual-tasks/{task['task_id']}/complete", json={"note": "paused in ManageWP"}
        )
        await running.settle_actions()
        done = await running.action("sub-web-suspend-1")
        twice = await running.api.post(f"/manual-tasks/{task['task_id']}/complete", json={})
        events = [
            e.event_name for e in await running.published("ManualTaskOpened", "ManualTaskCompleted")
        ]
    assert task["instructions"] == "Pause backups and updates of kunde.dk in ManageWP."
    assert waiting["state"] == "awaiting_operator"
    assert completed.status_code == 200
    assert completed.json()["completed_by"] == "admin"
    assert done["state"] == "done"
    assert twice.status_code == 409
    assert events == ["ManualTaskOpened", "ManualTaskCompleted"]


async def test_pc_security_pauses_antivirus_and_monitoring_and_closing_removes_them(
    tmp_path: Path,
) -> None:
    reference = {"licence_key": "3AB-CDE-FGH", "company_id": "eset-kunde", "rmm_client": "kunde"}
    async with provisioning(tmp_path) as running:
        await running.subscription(
            CUSTOMER,
            "sub-pc",
            sku="pc-security",
            kind="pc-security",
            reference=reference,
            quantity=8,
        )
        await decide(running, "suspend", "sub-pc", "pc-security", "pc-security", date(2026, 2, 23))
        await running.settle_actions()
        paused = (running.sim("eset").snapshot(), running.sim("superops").snapshot())
        await decide(running, "close", "sub-pc", "pc-security", "pc-security", date(2026, 3, 10))
        await running.settle_actions()
        closed = (running.sim("eset").snapshot(), running.sim("superops").snapshot())
        names = [e.event_name for e in await running.published()]
    assert paused[0]["licenses"]["3AB-CDE-FGH"]["state"] == "suspended"
    assert paused[1]["clients"]["kunde"] == "Inactive"
    assert closed[0]["companies"]["eset-kunde"] == "deleted"
    assert closed[1]["clients"]["kunde"] == "Archived"
    # The antivirus and monitoring actions run side by side: each vendor's own steps keep
    # their order, and both pauses come before either removal.
    antivirus = [n for n in names if n.startswith("Antivirus")]
    monitoring = [n for n in names if n.startswith("Monitoring")]
    assert antivirus == ["AntivirusSuspended", "AntivirusCompanyDeleted"]
    assert monitoring == ["MonitoringPaused", "MonitoringDevicesRemoved"]
    assert max(names.index("AntivirusSuspended"), names.index("MonitoringPaused")) < min(
        names.index("AntivirusCompanyDeleted"), names.index("MonitoringDevicesRemoved")
    )


async def test_microsoft_365_closed_permanently_is_left_to_lapse_outside_the_cancellation_window(
    tmp_path: Path,
) -> None:
    reference = {"tenant_id": "tenant-k", "vendor_subscription_id": "pc-k"}
    async with provisioning(tmp_path) as running:
        await running.subscription(
            CUSTOMER, "sub-m365", sku="m365-business-basic", kind="m365", reference=reference
        )
        await decide(
            running, "suspend", "sub-m365", "m365-business-basic", "m365", date(2026, 2, 23)
        )
        await decide(running, "close", "sub-m365", "m365-business-basic", "m365", date(2026, 3, 10))
        await running.settle_actions()
        (cancelled,) = await running.published("LicenseCancelled")
        body = running.sim("partner_center").snapshot()["subscriptions"]["tenant-k/pc-k"]
    assert (cancelled.data["ending"], cancelled.data["ends_on"]) == (
        "lapses_at_term_end",
        "2027-01-31",
    )
    assert (body["status"], body["autoRenewEnabled"]) == ("suspended", False)


async def test_closed_hosting_stays_suspended_until_deletion_and_a_restore_after_deletion_is_a_task(
    tmp_path: Path,
) -> None:
    async with provisioning(tmp_path) as running:
        await running.subscription(
            CUSTOMER,
            "sub-host",
            sku="hosting-standard",
            kind="hosting",
            reference={"domain": "kunde.dk"},
        )
        await decide(
            running, "suspend", "sub-host", "hosting-standard", "hosting", date(2026, 2, 23)
        )
        await decide(running, "close", "sub-host", "hosting-standard", "hosting", date(2026, 3, 10))
        await running.settle_actions()
        after_closure = running.sim("plesk").snapshot()
        await decide(running, "delete", "sub-host", "hosting-standard", "hosting", date(2026, 4, 9))
        await running.settle_actions()
        await decide(
            running,
            "restore",
            "sub-host",
            "hosting-standard",
            "hosting",
            date(2026, 4, 10),
            after_closure=True,
        )
        await running.settle_actions()
        (task,) = (await running.api.get("/manual-tasks")).json()
        names = [e.event_name for e in await running.published() if e.event_name.startswith("Host")]
        changes = [c.action for c in running.sim("plesk").calls.changes("kunde.dk")]
    assert after_closure["domains"] == {"kunde.dk": "suspended"}
    assert names == ["HostingSuspended", "HostingClosed", "HostedDataDeleted"]
    assert changes == ["suspend", "delete"], "closing wrote nothing: it was suspended already"
    assert "kunde.dk is no longer on the Plesk server" in task["instructions"]


async def test_a_hosting_restore_not_done_within_48_hours_is_reported_as_a_breach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVISIONING_MAX_ATTEMPTS", "2")
    async with provisioning(tmp_path) as running:
        await running.subscription(
            CUSTOMER,
            "sub-host",
            sku="hosting-standard",
            kind="hosting",
            reference={"domain": "kunde.dk"},
        )
        await decide(
            running, "suspend", "sub-host", "hosting-standard", "hosting", date(2026, 2, 25)
        )
        await running.settle_actions()
        plesk = running.sim("plesk")
        plesk.set_faults(FaultPlan(error_rate=1.0))  # Plesk is down when the customer pays
        await decide(
            running, "restore", "sub-host", "hosting-standard", "hosting", date(2026, 2, 25)
        )
        (stuck,) = await running.settle_actions() and await running.actions("dead_lettered")
        await running.start_day(date(2026, 2, 26))
        before = (await running.api.get("/restore-breaches")).json()
        await running.start_day(date(2026, 2, 27))
        (breach,) = (await running.api.get("/restore-breaches")).json()
        plesk.set_faults(FaultPlan())
        retried = await running.api.post(f"/actions/{stuck['action_id']}/retry")
        await running.settle_actions()
        (reported,) = await running.published("HostingRestoreBreached")
        (restored,) = await running.published("HostingRestored")
    assert stuck["action_id"] == "sub-host-restore-1"
    assert before == [], "the 26th began before the deadline"
    assert (breach["restored_on"], breach["breached_on"], breach["restore_deadline"]) == (
        "2026-02-25",
        "2026-02-27",
        "2026-02-26T23:00:00Z",
    ), "deadline: 25 Feb 00:00 Copenhagen + 48 h"
    assert reported.data["domain"] == "kunde.dk"
    assert retried.status_code == 200
    assert restored.data["within_promise"] is False


async def test_an_ended_subscription_is_closed_at_its_vendor(tmp_path: Path) -> None:
    reference = {"tenant_id": "tenant-k", "vendor_subscription_id": "pc-k"}
    async with provisioning(tmp_path) as running:
        await running.subscription(
            CUSTOMER, "sub-m365", sku="m365-business-basic", kind="m365", reference=reference
        )
        await running.publish(
            a.SubscriptionEnded(
                customer_id=CUSTOMER, subscription_id="sub-m365", end_date=date(2026, 3, 31)
            ),
            customer_id=CUSTOMER,
            on=date(2026, 4, 1),
        )
        (action,) = await running.settle_actions()
        (ended,) = await running.published("LicenseCancelled")
    assert (action["action_id"], action["operation"], action["state"]) == (
        "sub-m365-end-end",
        "end",
        "done",
    )
    assert ended.data["ending"] == "lapses_at_term_end"

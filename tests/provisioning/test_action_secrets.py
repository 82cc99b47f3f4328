"""Vendor credentials come from settings and never show in a log line, an event or an error."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from services.provisioning.vendors.simulation import FaultPlan
from shared.contracts import dunning as d
from shared.money import Amount
from tests.provisioning.harness import Provisioning, fast_env, provisioning

SECRETS = {
    "PARTNER_CENTER_CLIENT_SECRET": "pc-secret-Zq81x",
    "PLESK_API_KEY": "plesk-key-Hh27b",
    "ESET_PASSWORD": "eset-pass-Kk93c",
    "SUPEROPS_API_TOKEN": "superops-token-Ww45d",
    "NINJAONE_CLIENT_SECRET": "ninja-secret-Pp66e",
}
CUSTOMER = "c-secret"
SERVICES = {
    "sub-m365": ("m365", {"tenant_id": "t-1", "vendor_subscription_id": "pc-1"}),
    "sub-host": ("hosting", {"domain": "kunde.dk"}),
    "sub-pc": ("pc-security", {"licence_key": "AAA-BBB", "company_id": "co-1", "rmm_client": "17"}),
}


async def suspend_and_restore(running: Provisioning) -> None:
    for subscription, (kind, reference) in SERVICES.items():
        await running.subscription(CUSTOMER, subscription, sku=kind, kind=kind, reference=reference)
    for sim in running.wiring.ports.simulators.values():
        sim.set_faults(
            FaultPlan(seed=3, error_rate=0.15, throttle_rate=0.1, retry_after_seconds=0.01)
        )
    for day, decision in ((date(2026, 2, 23), "suspend"), (date(2026, 2, 25), "restore")):
        await running.start_day(day)
        for sim in running.wiring.ports.simulators.values():
            sim.expire_tokens()  # every client must log in again, mid-run
        for subscription, (kind, _) in SERVICES.items():
            common = {
                "customer_id": CUSTOMER,
                "invoice_number": 1,
                "subscription_id": subscription,
                "sku": kind,
                "service_kind": kind,
            }
            message = (
                d.ServiceSuspended(**common, suspended_on=day)
                if decision == "suspend"
                else d.ServiceRestored(
                    **common,
                    restored_on=day,
                    after_permanent_closure=False,
                    restore_within_hours=None,
                    reopening_fee=Amount("0"),
                    extra_work_hours=Amount("0"),
                )
            )
            await running.publish(message, customer_id=CUSTOMER, on=day)
        await running.settle_actions()


@pytest.mark.parametrize("rmm", ["superops", "ninjaone"])
async def test_no_configured_secret_appears_in_any_log_line_event_or_api_answer(
    rmm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fast_env(monkeypatch, PROVISIONING_MONITORING_VENDOR=rmm, **SECRETS)
    caplog.set_level(logging.DEBUG)
    async with provisioning(tmp_path) as running:
        await suspend_and_restore(running)
        actions = (await running.api.get("/actions")).text
        details = [
            (await running.api.get(f"/actions/{a['action_id']}")).text
            for a in await running.actions()
        ]
        published = [e.to_json().decode() for e in await running.published()]
        stored = [str(e.data) for e in await running.runtime.store.read_all(limit=100_000)]
    lines = [record.getMessage() for record in caplog.records]
    seen = "\n".join([*lines, caplog.text, actions, *details, *published, *stored])
    assert len(lines) > 20, "the run did log: vendor calls, retries, outcomes"
    assert "LicenseReactivated" in "\n".join(published), "the run went through"
    for name, secret in SECRETS.items():
        assert secret not in seen, f"{name} leaked"

"""Time is an event: one big step equals many small ones, and a day delivered twice counts once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.bus.port import Outgoing
from shared.platform import EmbeddedPlatform
from shared.profile import PROFILES_DIR, ProfileError, load_profile
from shared.settings import PlatformSettings
from tests.e2e.platform import RunningPlatform, customer_with_agreement, embedded

NORDHAVN = {"name": "Nordhavn Revision ApS", "cvr": "13585628"}


async def start_customer(running: RunningPlatform) -> None:
    await running.advance_to("2026-01-02")
    await customer_with_agreement(
        running,
        NORDHAVN,
        *({"sku": sku, "quantity": 3} for sku in ("hosting-standard", "m365-business-basic")),
    )


async def what_happened(running: RunningPlatform) -> list[tuple[object, ...]]:
    log = await running.call("ops", "GET", "/events", params={"limit": 1000})
    happened = []
    for e in log:
        if e["context"] not in ("dunning", "billing"):
            continue
        d = e["envelope"]["data"]
        happened.append(
            (
                e["business_date"],
                e["name"],
                d.get("kind"),
                d.get("reminder_number"),
                d.get("fee"),
                d.get("total"),
                d.get("sku"),
            )
        )
    return sorted(happened, key=str)


async def test_advancing_ninety_days_at_once_gives_the_same_events_and_dates_as_ninety_single_days(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path / "one-step") as running:
        await start_customer(running)
        await running.call("ops", "POST", "/clock/advance", json={"days": 90})
        at_once = await what_happened(running)
    async with embedded(tmp_path / "day-by-day") as running:
        await start_customer(running)
        for _ in range(90):
            await running.call("ops", "POST", "/clock/advance", json={"days": 1})
        day_by_day = await what_happened(running)
    assert at_once == day_by_day
    assert ("2026-02-23", "ServiceSuspended") in {(d, n) for d, n, *_ in at_once}


async def test_a_day_delivered_twice_gives_no_second_reminder_or_fee(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await start_customer(running)
        await running.advance_to("2026-02-16")
        bus = running.platform.bus
        assert bus is not None
        day = next(
            d
            for _, d in await bus.read_log()
            if d.topic == "clock.events" and b'"2026-02-16"' in d.value
        )
        before = await what_happened(running)
        await bus.publish(
            [Outgoing(day.topic, day.key, day.value, day.headers)]
        )  # the same event again
        await running.settle()
        after = await what_happened(running)
    assert after == before
    reminders = [row for row in after if row[1] == "ReminderIssued"]
    # Microsoft 365 (7 days) was due 6 Feb: reminders 1 and 2; hosting (14 days) due 13 Feb: reminder 1.
    assert sorted((r[0], r[3]) for r in reminders) == [
        ("2026-02-09", 1),
        ("2026-02-16", 1),
        ("2026-02-16", 2),
    ]


def test_a_policy_asking_more_than_the_law_allows_is_refused_at_start(tmp_path: Path) -> None:
    raw = yaml.safe_load((PROFILES_DIR / "safe-it.yaml").read_text(encoding="utf-8"))
    raw["dunning"]["steps"][0]["fee"] = "150.00"
    path = tmp_path / "greedy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        ProfileError, match=r"150\.00 kr\. is more than the 100 kr\. a reminder may carry"
    ):
        load_profile(path)


async def test_the_platform_refuses_to_start_on_an_unlawful_policy(tmp_path: Path) -> None:
    raw = yaml.safe_load((PROFILES_DIR / "safe-it.yaml").read_text(encoding="utf-8"))
    raw["dunning"]["compensation_amount"] = "500"
    path = tmp_path / "greedy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    platform = EmbeddedPlatform(PlatformSettings(var_dir=tmp_path / "var", profile=str(path)))
    with pytest.raises(ProfileError, match=r"renteloven §9 a stk\. 3"):
        await platform.start()
    await platform.stop()

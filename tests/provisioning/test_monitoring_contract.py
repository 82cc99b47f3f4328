"""MonitoringPort rules, run against the SuperOps and NinjaOne simulators and the fake."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

import pytest

from services.provisioning.vendors import MonitoringPort, MonitoringState, VendorError, WriteOutcome
from tests.provisioning.conftest import Harness

Monitoring = Callable[[Mapping[str, MonitoringState]], Harness[MonitoringPort]]

CLIENT = "41"  # NinjaOne organization ids are numbers; SuperOps takes any id


def each_changed_once(changes: list[str | None]) -> bool:
    return bool(changes) and set(Counter(changes).values()) == {1}


async def test_pausing_a_monitored_client_pauses_it_once(monitoring: Monitoring) -> None:
    vendor = monitoring({CLIENT: "monitored"})

    outcome = await vendor.port.pause_monitoring(CLIENT, request_id="dun-0042-suspend")

    assert outcome is WriteOutcome.CHANGED
    assert await vendor.port.monitoring_state(CLIENT) == "paused"
    assert each_changed_once(vendor.changes())


async def test_pausing_a_paused_client_is_success_and_writes_nothing(
    monitoring: Monitoring,
) -> None:
    vendor = monitoring({CLIENT: "paused"})

    assert await vendor.port.pause_monitoring(CLIENT, request_id="r") is WriteOutcome.ALREADY
    assert vendor.writes() == []


async def test_resuming_a_paused_client_monitors_it_again(monitoring: Monitoring) -> None:
    vendor = monitoring({CLIENT: "paused"})

    outcome = await vendor.port.resume_monitoring(CLIENT, request_id="dun-0042-restore")

    assert outcome is WriteOutcome.CHANGED
    assert await vendor.port.monitoring_state(CLIENT) == "monitored"


async def test_removing_devices_leaves_nothing_to_monitor(monitoring: Monitoring) -> None:
    vendor = monitoring({CLIENT: "paused"})

    first = await vendor.port.remove_devices(CLIENT, request_id="dun-0042-close")
    again = await vendor.port.remove_devices(CLIENT, request_id="dun-0042-close")

    assert (first, again) == (WriteOutcome.CHANGED, WriteOutcome.ALREADY)
    assert await vendor.port.monitoring_state(CLIENT) == "removed"
    assert each_changed_once(vendor.changes())


async def test_pausing_or_resuming_a_removed_client_changes_nothing(
    monitoring: Monitoring,
) -> None:
    vendor = monitoring({CLIENT: "removed"})

    assert await vendor.port.pause_monitoring(CLIENT, request_id="r") is WriteOutcome.ALREADY
    assert await vendor.port.resume_monitoring(CLIENT, request_id="r") is WriteOutcome.ALREADY
    assert vendor.writes() == []


async def test_an_unknown_client_is_a_vendor_error_that_is_not_retried(
    monitoring: Monitoring,
) -> None:
    vendor = monitoring({})

    with pytest.raises(VendorError) as missing:
        await vendor.port.pause_monitoring(CLIENT, request_id="r")

    assert not missing.value.retryable

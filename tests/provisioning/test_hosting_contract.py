"""HostingPort rules, run against the Plesk simulator and the fake alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from services.provisioning.vendors import HostingPort, HostingStatus, VendorError, WriteOutcome
from tests.provisioning.conftest import Harness

Hosting = Callable[[Mapping[str, HostingStatus]], Harness[HostingPort]]

SITE = "bageriet-hansen.dk"


async def test_status_reads_as_plesk_reports_it(hosting: Hosting) -> None:
    vendor = hosting({SITE: "active", "vvs-jensen.dk": "suspended", "gammel.dk": "disabled"})

    assert await vendor.port.status(SITE) == "active"
    assert await vendor.port.status("vvs-jensen.dk") == "suspended"
    assert await vendor.port.status("gammel.dk") == "disabled"
    assert await vendor.port.status("aldrig-set.dk") == "absent"


async def test_suspending_an_active_domain_suspends_it_once(hosting: Hosting) -> None:
    vendor = hosting({SITE: "active"})

    outcome = await vendor.port.suspend(SITE, request_id="dun-0042-suspend")

    assert outcome is WriteOutcome.CHANGED
    assert await vendor.port.status(SITE) == "suspended"
    assert vendor.writes() == [(SITE, "dun-0042-suspend")]


async def test_suspending_a_suspended_domain_is_success_and_writes_nothing(
    hosting: Hosting,
) -> None:
    vendor = hosting({SITE: "suspended"})

    assert await vendor.port.suspend(SITE, request_id="r") is WriteOutcome.ALREADY
    assert vendor.writes() == []


async def test_activating_restores_a_suspended_domain(hosting: Hosting) -> None:
    vendor = hosting({SITE: "suspended"})

    assert await vendor.port.activate(SITE, request_id="dun-0042-restore") is WriteOutcome.CHANGED
    assert await vendor.port.status(SITE) == "active"


async def test_deleting_a_domain_makes_it_absent_and_deleting_again_writes_nothing(
    hosting: Hosting,
) -> None:
    vendor = hosting({SITE: "suspended"})

    first = await vendor.port.delete(SITE, request_id="dun-0042-delete")
    again = await vendor.port.delete(SITE, request_id="dun-0042-delete")

    assert (first, again) == (WriteOutcome.CHANGED, WriteOutcome.ALREADY)
    assert await vendor.port.status(SITE) == "absent"
    assert vendor.writes() == [(SITE, "dun-0042-delete")]


async def test_suspending_an_unknown_domain_is_a_vendor_error_that_is_not_retried(
    hosting: Hosting,
) -> None:
    vendor = hosting({})

    with pytest.raises(VendorError) as missing:
        await vendor.port.suspend(SITE, request_id="r")

    assert missing.value.status == 404 and not missing.value.retryable

"""LicensePort rules, run against the Partner Center simulator and the fake alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from services.provisioning.vendors import LicenseEnd, LicensePort, VendorError, WriteOutcome
from tests.provisioning.conftest import Harness, LicenceSeed, Sub
from tests.provisioning.simulated import NOW

TENANT = "8f1c2b44-0d3e-4a51-9c2e-7a1d5e3b9f01"  # a Safe IT customer's tenant
M365 = "5d7e0c9a-2b1f-4c3d-8e6f-a1b2c3d4e5f6"

Licences = Callable[[LicenceSeed], Harness[LicensePort]]


async def test_a_subscription_reads_as_partner_center_reports_it(licences: Licences) -> None:
    vendor = licences({(TENANT, M365): Sub(status="active", auto_renew=True)})

    state = await vendor.port.get(TENANT, M365)

    assert (state.subscription_id, state.status, state.auto_renew_enabled) == (M365, "active", True)
    assert state.commitment_end_date == date(2027, 1, 31)
    assert state.cancellation_allowed_until is None


async def test_suspending_an_active_licence_suspends_it_once(licences: Licences) -> None:
    vendor = licences({(TENANT, M365): Sub(status="active")})

    outcome = await vendor.port.suspend(TENANT, M365, request_id="dun-0042-suspend")

    assert outcome is WriteOutcome.CHANGED
    assert (await vendor.port.get(TENANT, M365)).status == "suspended"
    assert vendor.changes() == [f"{TENANT}/{M365}"]


async def test_suspending_a_suspended_licence_is_success_and_writes_nothing(
    licences: Licences,
) -> None:
    vendor = licences({(TENANT, M365): Sub(status="suspended")})

    outcome = await vendor.port.suspend(TENANT, M365, request_id="dun-0042-suspend")

    assert outcome is WriteOutcome.ALREADY
    assert vendor.writes() == []


async def test_reactivating_a_suspended_licence_makes_it_active(licences: Licences) -> None:
    vendor = licences({(TENANT, M365): Sub(status="suspended")})

    outcome = await vendor.port.reactivate(TENANT, M365, request_id="dun-0042-restore")

    assert outcome is WriteOutcome.CHANGED
    assert (await vendor.port.get(TENANT, M365)).status == "active"


async def test_reactivating_an_active_licence_is_success_and_writes_nothing(
    licences: Licences,
) -> None:
    vendor = licences({(TENANT, M365): Sub(status="active")})

    assert await vendor.port.reactivate(TENANT, M365, request_id="r") is WriteOutcome.ALREADY
    assert vendor.writes() == []


async def test_ending_within_the_cancellation_window_cancels_the_subscription(
    licences: Licences,
) -> None:
    # Renewed three days ago: New Commerce still accepts a cancellation for four more days.
    window = Sub(status="suspended", cancellable_until=NOW + timedelta(days=4))
    vendor = licences({(TENANT, M365): window})

    ended = await vendor.port.end(TENANT, M365, request_id="dun-0042-close")

    assert ended == LicenseEnd("cancelled", WriteOutcome.CHANGED, None)
    assert (await vendor.port.get(TENANT, M365)).status == "deleted"


async def test_ending_after_the_window_turns_auto_renew_off_so_it_lapses_at_term_end(
    licences: Licences,
) -> None:
    past = Sub(status="suspended", cancellable_until=NOW - timedelta(days=20))
    vendor = licences({(TENANT, M365): past})

    ended = await vendor.port.end(TENANT, M365, request_id="dun-0042-close")

    assert ended == LicenseEnd("lapses_at_term_end", WriteOutcome.CHANGED, date(2027, 1, 31))
    state = await vendor.port.get(TENANT, M365)
    assert (state.status, state.auto_renew_enabled) == ("suspended", False)


async def test_ending_twice_changes_the_subscription_once(licences: Licences) -> None:
    vendor = licences({(TENANT, M365): Sub(status="suspended")})

    first = await vendor.port.end(TENANT, M365, request_id="dun-0042-close")
    again = await vendor.port.end(TENANT, M365, request_id="dun-0042-close")

    assert (first.outcome, again.outcome) == (WriteOutcome.CHANGED, WriteOutcome.ALREADY)
    assert again.ending == "lapses_at_term_end"
    assert vendor.changes() == [f"{TENANT}/{M365}"]


async def test_a_cancelled_subscription_cannot_be_reactivated(licences: Licences) -> None:
    vendor = licences({(TENANT, M365): Sub(status="deleted")})

    with pytest.raises(VendorError) as refused:
        await vendor.port.reactivate(TENANT, M365, request_id="r")

    assert refused.value.status == 400 and not refused.value.retryable


async def test_an_unknown_subscription_is_a_vendor_error_that_is_not_retried(
    licences: Licences,
) -> None:
    vendor = licences({})

    with pytest.raises(VendorError) as missing:
        await vendor.port.suspend(TENANT, M365, request_id="r")

    assert missing.value.status == 404 and not missing.value.retryable

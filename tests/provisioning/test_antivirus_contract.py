"""AntivirusPort rules, run against the ESET simulator and the fake alike."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.provisioning.vendors import AntivirusPort, VendorError, WriteOutcome
from tests.provisioning.conftest import AntivirusSeed, Harness

Antivirus = Callable[[AntivirusSeed], Harness[AntivirusPort]]

COMPANY = "0b6f7c1e-5a44-4d7b-9e0f-3c2d1a0b9e8f"
LAPTOPS = "3AB-C4D-E5F"
SERVERS = "7GH-J8K-L9M"


async def test_licence_state_reads_normal_and_suspended(antivirus: Antivirus) -> None:
    vendor = antivirus({LAPTOPS: (COMPANY, "normal"), SERVERS: (COMPANY, "suspended")})

    assert await vendor.port.licence_state(LAPTOPS) == "normal"
    assert await vendor.port.licence_state(SERVERS) == "suspended"


async def test_suspending_a_licence_deactivates_its_seats(antivirus: Antivirus) -> None:
    vendor = antivirus({LAPTOPS: (COMPANY, "normal")})

    outcome = await vendor.port.suspend(LAPTOPS, request_id="dun-0042-suspend")

    assert outcome is WriteOutcome.CHANGED
    assert await vendor.port.licence_state(LAPTOPS) == "suspended"
    assert vendor.changes() == [LAPTOPS]


async def test_eset_already_suspended_is_success(antivirus: Antivirus) -> None:
    vendor = antivirus({LAPTOPS: (COMPANY, "suspended")})

    # ESET answers code 8 subCode 21; the adapter reads that as done.
    assert await vendor.port.suspend(LAPTOPS, request_id="r") is WriteOutcome.ALREADY
    assert vendor.changes() == []


async def test_eset_already_unsuspended_is_success(antivirus: Antivirus) -> None:
    vendor = antivirus({LAPTOPS: (COMPANY, "normal")})

    assert await vendor.port.unsuspend(LAPTOPS, request_id="r") is WriteOutcome.ALREADY
    assert vendor.changes() == []


async def test_unsuspending_restores_the_licence(antivirus: Antivirus) -> None:
    vendor = antivirus({LAPTOPS: (COMPANY, "suspended")})

    assert await vendor.port.unsuspend(LAPTOPS, request_id="r") is WriteOutcome.CHANGED
    assert await vendor.port.licence_state(LAPTOPS) == "normal"


async def test_deleting_a_company_leaves_its_licences_suspended(antivirus: Antivirus) -> None:
    vendor = antivirus({LAPTOPS: (COMPANY, "normal"), SERVERS: (COMPANY, "suspended")})

    outcome = await vendor.port.delete_company(COMPANY, request_id="dun-0042-close")

    assert outcome is WriteOutcome.CHANGED
    assert await vendor.port.licence_state(LAPTOPS) == "suspended"
    assert await vendor.port.licence_state(SERVERS) == "suspended"


async def test_deleting_a_deleted_company_changes_nothing(antivirus: Antivirus) -> None:
    vendor = antivirus({LAPTOPS: (COMPANY, "normal")})
    await vendor.port.delete_company(COMPANY, request_id="dun-0042-close")
    changes_after_first = vendor.changes()

    again = await vendor.port.delete_company(COMPANY, request_id="dun-0042-close")

    assert again is WriteOutcome.ALREADY
    assert vendor.changes() == changes_after_first


async def test_a_licence_of_a_deleted_company_cannot_be_unsuspended(antivirus: Antivirus) -> None:
    vendor = antivirus({LAPTOPS: (COMPANY, "normal")})
    await vendor.port.delete_company(COMPANY, request_id="dun-0042-close")

    with pytest.raises(VendorError) as refused:
        await vendor.port.unsuspend(LAPTOPS, request_id="r")

    assert (refused.value.code, refused.value.retryable) == ("8.23", False)

"""The fakes, beyond the contract: queued failures for unit tests of their users."""

from __future__ import annotations

import pytest

from services.provisioning.vendors import VendorError, WriteOutcome
from services.provisioning.vendors.fakes import FakeHosting, FakeWrite

OUTAGE = VendorError("fake_plesk", 503, "503", "outage", retryable=True)


async def test_a_queued_failure_is_raised_once_and_then_the_fake_works() -> None:
    fake = FakeHosting({"kunde.dk": "active"})
    fake.fail_next(OUTAGE)

    with pytest.raises(VendorError):
        await fake.suspend("kunde.dk", request_id="dun-0042-suspend")
    outcome = await fake.suspend("kunde.dk", request_id="dun-0042-suspend")

    assert outcome is WriteOutcome.CHANGED
    assert fake.writes == [FakeWrite("kunde.dk", "suspend", "dun-0042-suspend")]

"""The demo data `make run` loads on its first start."""

from __future__ import annotations

import pytest

from shared import scenario
from shared.cli import demo_scenario


@pytest.mark.parametrize(("profile", "invoices"), [("safe-it", 5), ("mico", 1)])
async def test_each_profile_has_a_demo_that_runs(profile: str, invoices: int) -> None:
    path = demo_scenario(profile)
    assert path is not None
    events = await scenario.run(scenario.load(path))
    assert sum(e.event_name == "InvoiceIssued" for e in events) == invoices
    assert {e.event_name for e in events} >= {
        "CustomerRegistered",
        "AgreementSigned",
        "SubscriptionStarted",
    }

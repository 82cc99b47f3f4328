"""The scenario acceptance: a Silver agreement, its subscriptions, one cancelled."""

from __future__ import annotations

from pathlib import Path

from shared import scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


async def test_a_silver_agreement_with_a_cancellation_gives_its_events_and_end_date() -> None:
    events = await scenario.run(scenario.load(SCENARIOS / "silver-agreement.yaml"))
    business = [e for e in events if e.context == "agreements"]
    names = [e.event_name for e in business]
    assert names == [
        "CustomerRegistered",
        "AgreementSigned",
        "SubscriptionStarted",  # the Silver tier itself
        "SubscriptionStarted",
        "SubscriptionStarted",
        "SubscriptionStarted",
        "SubscriptionQuantityChanged",
        "SubscriptionCancellationRequested",
        "SubscriptionEnded",
    ]
    signed = business[1]
    assert signed.data["tier"] == "it-agreement-silver"
    assert signed.data["first_security_check_due"] == "2026-07-05"
    cancellation = business[7]
    assert cancellation.data["notice_date"] == "2026-02-10"
    assert cancellation.data["end_date"] == "2026-03-31"
    assert cancellation.data["rule"].startswith("current month plus one month")
    ended = business[8]
    assert ended.data["end_date"] == "2026-03-31"
    assert str(ended.businessdate) == "2026-04-01", "ended when 1 April began"
    days = [e for e in events if e.event_name == "DayStarted"]
    assert [str(e.data["date"]) for e in days][:2] == ["2026-01-05", "2026-01-06"]
    assert str(days[-1].data["date"]) == "2026-04-01"

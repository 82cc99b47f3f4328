"""Ops' pure rules: the retry schedule, Retry-After, filters, secrets, the 48-hour restore."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.ops.adapters.provisioning_view import restore_breached
from services.ops.domain import webhooks as rules
from services.ops.domain.outlook import TakenStep, next_rung
from shared.profile import load_profile

SENT = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)


def test_the_retry_schedule_is_5s_5min_30min_2h_5h_10h_10h_after_the_first_attempt() -> None:
    waits = []
    for attempt in range(1, rules.MAX_ATTEMPTS + 1):
        due = rules.next_attempt_at(attempt, SENT, None, rules.no_jitter)
        waits.append(due - SENT if due else None)
    assert waits == [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
        None,
    ]


def test_retry_after_delays_a_retry_but_never_hastens_it() -> None:
    later = rules.next_attempt_at(1, SENT, timedelta(minutes=10), rules.no_jitter)
    sooner = rules.next_attempt_at(3, SENT, timedelta(seconds=1), rules.no_jitter)
    capped = rules.next_attempt_at(1, SENT, timedelta(days=30), rules.no_jitter)
    assert later == SENT + timedelta(minutes=10)
    assert sooner == SENT + timedelta(minutes=30)
    assert capped == SENT + timedelta(hours=24)
    assert rules.parse_retry_after("120", SENT) == timedelta(seconds=120)
    assert rules.parse_retry_after("Mon, 16 Feb 2026 09:05:00 GMT", SENT) == timedelta(minutes=5)
    assert rules.parse_retry_after("soon", SENT) is None


@pytest.mark.parametrize(
    ("patterns", "context", "name", "wanted"),
    [
        ([], "billing", "InvoiceIssued", True),
        (["InvoiceIssued"], "billing", "InvoiceIssued", True),
        (["billing.InvoicePaid"], "billing", "InvoiceIssued", False),
        (["dunning.*"], "dunning", "ReminderIssued", True),
        (["dunning.*"], "billing", "DueDatePassed", False),
        (["*Suspended"], "provisioning", "HostingSuspended", True),
    ],
)
def test_an_endpoint_gets_the_events_its_filter_names(
    patterns: list[str], context: str, name: str, wanted: bool
) -> None:
    assert rules.matches(patterns, context, name) is wanted


def test_a_secret_is_whsec_and_base64_of_24_to_64_bytes() -> None:
    fresh = rules.new_secret()
    assert fresh.startswith("whsec_") and len(rules.secret_key(fresh)) == 32
    for bad in ("sk_live_abc", "whsec_!!!", "whsec_" + "QUJD"):
        with pytest.raises(rules.InvalidSecret) as refused:
            rules.secret_key(bad)
        assert bad not in str(refused.value), "the reason never repeats the secret"


def test_after_a_dispute_pause_a_missed_rung_acts_on_the_day_dunning_resumes() -> None:
    policy = load_profile("safe-it").dunning
    taken = [TakenStep("reminder-1", date(2026, 2, 16), date(2026, 2, 20))]
    usual = next_rung(policy, date(2026, 2, 13), taken)
    resumed = next_rung(policy, date(2026, 2, 13), taken, resumed_on=date(2026, 3, 7))
    assert usual is not None and usual.on == date(2026, 2, 23)
    assert resumed is not None and resumed.on == date(2026, 3, 9), (
        "Saturday 7 March rolls to Monday"
    )


def restore(**values: Any) -> dict[str, Any]:
    row = {
        "action": "restore",
        "state": "in flight",
        "breach_reported": False,
        "deadline_on": date(2026, 3, 18),
        "deadline_at": datetime(2026, 3, 18, 10, 0, tzinfo=UTC),
        "completed_on": None,
        "completed_at": None,
    }
    return row | values


def test_web_hosting_not_restored_within_48_hours_is_a_breach() -> None:
    within = datetime(2026, 3, 17, 10, 0, tzinfo=UTC)
    assert not restore_breached(restore(), date(2026, 3, 18), within)
    assert restore_breached(restore(), date(2026, 3, 19), within), "the business date passed it"
    assert restore_breached(restore(), date(2026, 3, 18), within + timedelta(days=2)), (
        "48 real hours"
    )
    late = restore(
        state="done", completed_on=date(2026, 3, 19), completed_at=within + timedelta(days=2)
    )
    assert restore_breached(late, date(2026, 3, 20), within)
    assert restore_breached(restore(breach_reported=True), None, within), "provisioning reported it"
    assert not restore_breached(restore(action="suspend"), date(2026, 4, 1), within)

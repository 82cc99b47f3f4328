"""The action's rules without I/O: plans, backoff, leases, superseding, the restore promise."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.provisioning.domain import events as ev
from services.provisioning.domain.action import ProvisioningAction, StaleClaim, State
from services.provisioning.domain.plans import missing_keys, plan
from services.provisioning.domain.timing import RetryPolicy, restore_deadline
from shared.errors import Conflict

ZONE = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 2, 23, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=3, base_seconds=10, max_seconds=60)


def queued(operation: str = "suspend", **changes: object) -> ProvisioningAction:
    facts = {
        "action_id": f"sub-1-{operation}-1",
        "customer_id": "c-1",
        "subscription_id": "sub-1",
        "sku": "hosting-standard",
        "service_kind": "hosting",
        "operation": operation,
        "invoice_number": 1,
        "occurred_on": date(2026, 2, 23),
        "sequence": 1,
        "steps": ["hosting.suspend"],
        "missing": [],
        **changes,
    }
    action = ProvisioningAction.queue(ev.ActionQueued.model_validate(facts))
    action.pending.clear()
    return action


def test_each_kind_has_its_steps_and_an_unknown_kind_becomes_a_manual_task() -> None:
    assert [s.name for s in plan("pc-security", "suspend")] == [
        "antivirus.suspend",
        "monitoring.pause",
    ]
    assert [s.name for s in plan("m365", "restore", after_closure=True)] == [
        "licence.reactivate",
        "manual.licence-auto-renew",
    ]
    assert plan("m365", "delete") == [], "Microsoft keeps its own retention"
    assert plan("it-agreement", "end") == [], "an ended IT agreement has nothing at a vendor"
    (step,) = plan("backup", "suspend")
    assert step.manual
    assert missing_keys(plan("pc-security", "close"), {"rmm_client": "7"}) == ["company_id"]


def test_backoff_is_jittered_under_an_exponential_ceiling_and_honours_retry_after() -> None:
    assert POLICY.delay(1, None, draw=0.999) < 10
    assert POLICY.delay(3, None, draw=0.999) == pytest.approx(39.96)
    assert POLICY.delay(9, None, draw=0.5) == 30, "capped at the maximum"
    assert POLICY.delay(1, 45.0, draw=0.1) == 45.0, "never sooner than the vendor asked"


def test_a_claim_holds_until_its_lease_lapses_and_a_lapsed_try_can_no_longer_record() -> None:
    action = queued()
    first = action.claim("w-1", NOW, lease_seconds=60)
    assert not action.claimable(NOW + timedelta(seconds=59))
    second = action.claim("w-2", NOW + timedelta(seconds=61), lease_seconds=60)
    with pytest.raises(StaleClaim):
        action.complete_step(
            first,
            "hosting.suspend",
            outcome="changed",
            request_id="r",
            detail={},
            on=None,
            at=NOW,
            zone=ZONE,
        )
    action.complete_step(
        second,
        "hosting.suspend",
        outcome="already",
        request_id="r",
        detail={},
        on=None,
        at=NOW,
        zone=ZONE,
    )
    assert action.state is State.DONE


def test_the_last_try_dead_letters_and_only_a_dead_letter_can_be_retried() -> None:
    action = queued()
    error = {"vendor": "plesk", "status": 503, "code": "503", "message": "down", "retryable": True}
    for n in range(1, 4):
        attempt = action.claim("w", NOW + timedelta(hours=n), lease_seconds=60)
        state = action.fail(
            attempt,
            error,
            retryable=True,
            retry_after=None,
            now=NOW + timedelta(hours=n),
            policy=POLICY,
            draw=0.5,
        )
    assert state is State.DEAD_LETTERED
    action.request_retry("operator", NOW)
    assert action.state is State.PENDING
    with pytest.raises(Conflict):
        action.request_retry("operator", NOW)


def test_a_restore_supersedes_a_suspension_that_never_ran_but_not_one_under_way() -> None:
    untouched = queued()
    assert untouched.supersedable_by("restore")
    assert not untouched.supersedable_by("close"), "same direction: it runs first, in order"
    started = queued()
    started.claim("w", NOW, lease_seconds=60)
    assert not started.supersedable_by("restore")


def test_the_restore_promise_is_48_real_hours_from_the_restore_dates_midnight() -> None:
    deadline = restore_deadline(date(2026, 3, 28), 48, ZONE)  # summer time starts on the 29th
    assert deadline == datetime(2026, 3, 29, 23, 0, tzinfo=UTC), "01:00 on the 30th, summer time"
    action = queued("restore", restore_deadline=deadline, restore_within_hours=48)
    assert not action.check_restore_deadline(date(2026, 3, 30), ZONE), "the 30th began before it"
    assert action.check_restore_deadline(date(2026, 3, 31), ZONE)
    assert not action.check_restore_deadline(date(2026, 4, 1), ZONE), "raised once"

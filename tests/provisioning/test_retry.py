"""call_with_retries: backoff with full jitter, Retry-After honoured, only retryable errors."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

import pytest

from services.provisioning.vendors import VendorError, call_with_retries

OUTAGE = VendorError("plesk", 503, "503", "simulated outage", retryable=True)
REFUSED = VendorError("plesk", 400, "1019", "Invalid status", retryable=False)


def failing(*errors: BaseException, then: str = "done") -> Callable[[], Awaitable[str]]:
    queue = list(errors)

    async def operation() -> str:
        if queue:
            raise queue.pop(0)
        return then

    return operation


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def test_a_retryable_error_is_retried_until_the_operation_succeeds() -> None:
    sleeps = Sleeps()

    result = await call_with_retries(
        failing(OUTAGE, OUTAGE), attempts=3, base_delay=1, max_delay=10, sleep=sleeps
    )

    assert result == "done"
    assert len(sleeps) == 2


async def test_a_non_retryable_error_is_raised_at_once() -> None:
    sleeps = Sleeps()

    with pytest.raises(VendorError) as raised:
        await call_with_retries(
            failing(REFUSED), attempts=5, base_delay=1, max_delay=10, sleep=sleeps
        )

    assert raised.value is REFUSED
    assert sleeps == []


async def test_after_the_last_attempt_the_last_vendor_error_is_raised() -> None:
    last = VendorError("eset", 503, "99.2", "maintenance", retryable=True)

    with pytest.raises(VendorError) as raised:
        await call_with_retries(
            failing(OUTAGE, OUTAGE, last), attempts=3, base_delay=1, max_delay=10, sleep=Sleeps()
        )

    assert raised.value is last


async def test_delays_grow_exponentially_with_full_jitter_and_stay_under_max_delay() -> None:
    sleeps = Sleeps()

    with pytest.raises(VendorError):
        await call_with_retries(
            failing(*[OUTAGE] * 8),
            attempts=8,
            base_delay=0.5,
            max_delay=4,
            sleep=sleeps,
            rng=random.Random(3),
        )

    ceilings = [min(4.0, 0.5 * 2**n) for n in range(7)]  # 0.5, 1, 2, 4, 4, 4, 4
    assert all(0 <= s <= c for s, c in zip(sleeps, ceilings, strict=True))
    assert len(set(sleeps)) == len(sleeps)  # jittered, not a fixed ladder


async def test_a_retry_after_from_the_vendor_is_waited_at_least() -> None:
    throttled = VendorError(
        "partner_center", 429, "3000", "slow down", retryable=True, retry_after=30
    )
    sleeps = Sleeps()

    await call_with_retries(
        failing(throttled), attempts=2, base_delay=0.1, max_delay=1, sleep=sleeps
    )

    assert sleeps == [30]


async def test_other_exceptions_are_not_retried() -> None:
    sleeps = Sleeps()

    with pytest.raises(KeyError):
        await call_with_retries(
            failing(KeyError("bug")), attempts=3, base_delay=1, max_delay=1, sleep=sleeps
        )

    assert sleeps == []

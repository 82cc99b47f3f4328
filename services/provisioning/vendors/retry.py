"""Retrying vendor calls: exponential backoff with full jitter, honouring Retry-After."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.provisioning.vendors.errors import VendorError

T = TypeVar("T")

log = logging.getLogger("msp.provisioning.vendors.retry")


async def call_with_retries(
    operation: Callable[[], Awaitable[T]],
    *,
    attempts: int,
    base_delay: float,
    max_delay: float,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    rng: random.Random | None = None,
) -> T:
    """Run operation until it succeeds; retry only retryable VendorErrors, re-raise the last."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    draw = rng or random.Random()
    for attempt in range(1, attempts + 1):
        try:
            return await operation()
        except VendorError as error:
            if not error.retryable or attempt == attempts:
                raise
            # Full jitter spreads retries of many actions that failed together.
            delay = draw.uniform(0.0, min(max_delay, base_delay * 2 ** (attempt - 1)))
            if error.retry_after is not None:
                # The vendor said when; waiting less only earns another 429.
                delay = max(delay, error.retry_after)
            log.warning(
                "vendor call failed (attempt %d of %d), retrying in %.2fs: %s",
                attempt,
                attempts,
                delay,
                error,
            )
            await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover

"""Configurable, seeded faults: 5xx, 429 with Retry-After, withheld responses, latency, stale etags.

Semantics chosen so tests can tell the cases apart:
- "error" and "throttle" answer before the vendor logic runs: nothing was applied.
- "timeout" runs the vendor logic, then withholds the response past the client's
  timeout: the write landed but the caller never heard. This is the case that
  tempts a naive client into writing twice.
"""

from __future__ import annotations

import random
from enum import StrEnum

from pydantic import BaseModel, Field


class Fault(StrEnum):
    """What the simulator does to one request instead of answering normally."""

    ERROR = "error"
    THROTTLE = "throttle"
    TIMEOUT = "timeout"


class FaultPlan(BaseModel):
    """Probabilities per request; with a seed the same requests meet the same faults."""

    seed: int | None = None
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    error_status: int = Field(default=503, ge=500, le=599)
    throttle_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    retry_after_seconds: float = Field(default=1.0, ge=0.0)
    timeout_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    timeout_seconds: float = Field(default=30.0, ge=0.0, description="how long to withhold")
    latency_seconds: float = Field(default=0.0, ge=0.0)
    # Partner Center only: another writer changed the subscription just before this PATCH.
    stale_etag_rate: float = Field(default=0.0, ge=0.0, le=1.0)

    @classmethod
    def at(cls, rate: float, *, seed: int = 0, timeout_seconds: float = 30.0) -> FaultPlan:
        """`rate` of requests faulted, split evenly between 5xx, 429 and withheld responses."""
        third = rate / 3
        return cls(
            seed=seed,
            error_rate=third,
            throttle_rate=third,
            timeout_rate=third,
            retry_after_seconds=0.5,
            timeout_seconds=timeout_seconds,
        )


class FaultDice:
    """Draws faults for a plan from its own seeded generator."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._random = random.Random(plan.seed)

    def draw(self) -> Fault | None:
        """The fault for the next request, if any (one draw, so rates add up)."""
        roll = self._random.random()
        plan = self.plan
        for fault, rate in (
            (Fault.ERROR, plan.error_rate),
            (Fault.THROTTLE, plan.throttle_rate),
            (Fault.TIMEOUT, plan.timeout_rate),
        ):
            if roll < rate:
                return fault
            roll -= rate
        return None

    def stale_etag(self) -> bool:
        """Whether another writer gets in first this time."""
        return self.plan.stale_etag_rate > 0 and self._random.random() < self.plan.stale_etag_rate

"""The action worker: claims due actions, calls the vendors, records each outcome.

Safety, with several workers in several processes:
- a claim is an event on the action's stream (optimistic concurrency: one claimant wins;
  PostgreSQL also skips rows another worker has locked), with a lease;
- a worker killed mid-action leaves its claim to lapse; the next claimant repeats the
  step with the same request id, and reading first turns a write that already landed
  into "already" instead of a second write;
- each outcome commits in its own transaction, and only while the claim still holds.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.provisioning import handlers as h
from services.provisioning.adapters import queries
from services.provisioning.domain.action import ProvisioningAction, StaleClaim, State
from services.provisioning.domain.plans import instructions, step_named
from services.provisioning.domain.timing import start_of
from services.provisioning.executor import NeedsPerson, Ports, run_step
from services.provisioning.settings import ProvisioningOptions
from services.provisioning.vendors.clock import utc_now
from services.provisioning.vendors.errors import VendorError
from services.provisioning.vendors.retry import call_with_retries
from shared.store.eventstore import ConcurrencyError, EventStore, Metadata, Transaction

log = logging.getLogger("msp.provisioning.worker")

Change = Callable[[Transaction, ProvisioningAction, date | None, datetime], Awaitable[None]]


class BusinessClock:
    """ "Now" for vendors that need one: the start of the platform's business day."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.today: date | None = None

    def now(self) -> datetime:
        """The business day's midnight; the wall clock until the platform clock starts."""
        return start_of(self.today, self.zone) if self.today else utc_now()


@dataclass(frozen=True)
class Claim:
    """One try of one action, held by this worker."""

    action_id: str
    attempt: int
    subscription_id: str
    sku: str
    remaining: list[str]
    meta: Metadata


def vendor_failure(error: VendorError) -> dict[str, Any]:
    """What to keep of a vendor error (its message is already free of secrets)."""
    return {
        "vendor": error.vendor,
        "status": error.status,
        "code": error.code,
        "message": error.message,
        "retryable": error.retryable,
    }


@dataclass
class ActionWorker:
    """Runs due actions one at a time; start several for concurrency."""

    store: EventStore
    ports: Ports
    options: ProvisioningOptions
    zone: ZoneInfo
    name: str
    business: BusinessClock | None = None
    clock: Callable[[], datetime] = utc_now  # leases and retry times: technical, not business
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    wake: asyncio.Event | None = None
    stopping: asyncio.Event | None = None  # set: finish the current round, then return

    async def run(self) -> None:
        """Work until stopped (between rounds) or cancelled."""
        while self.stopping is None or not self.stopping.is_set():
            try:
                ran = await self.run_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must outlive a bad row or a lost database
                log.exception("action worker %s: a round failed", self.name)
                ran = 0
            if ran == 0:
                await self._idle()

    async def run_due(self, limit: int = 20) -> int:
        """Try every action that is due now; returns how many this worker ran."""
        today, due = await queries.round_reads(self.store, self.clock(), limit)
        if self.business is not None:
            self.business.today = today
        ran = 0
        for action_id in due:
            claim = await self.claim(action_id)
            if claim is not None:
                await self.execute(claim)
                ran += 1
        return ran

    async def claim(self, action_id: str) -> Claim | None:
        """Take the action for one try, unless another worker has it or it is not due."""
        now = self.clock()
        try:
            async with self.store.transaction(Metadata(actor="service:provisioning")) as tx:
                if not await queries.claimable_now(tx, action_id):
                    return None  # another worker holds it, or an earlier action comes first
                action = await h.load_action(tx, action_id)
                if action is None or not action.claimable(now):
                    return None
                attempt = action.claim(self.name, now, self.options.lease_seconds)
                await h.save_action(tx, action)
        except ConcurrencyError:
            return None  # another worker claimed it first
        facts = action.facts
        log.info("%s took action %s (try %d)", self.name, action_id, attempt)
        return Claim(
            action_id=action_id,
            attempt=attempt,
            subscription_id=facts.subscription_id,
            sku=facts.sku,
            remaining=action.remaining,
            meta=Metadata(
                actor="service:provisioning",
                correlation_id=facts.correlation_id or action_id,
                causation_id=facts.cause_event_id,
            ),
        )

    async def execute(self, claim: Claim) -> None:
        """Do the claimed action's remaining steps, recording each outcome as it lands."""
        reference = await queries.reference_of(self.store, claim.subscription_id)
        loop = asyncio.get_running_loop()
        # A try stops before its lease lapses, so two tries of one action never overlap.
        deadline = loop.time() + self.options.lease_seconds * 0.8
        for step_name in claim.remaining:
            step = step_named(step_name)
            if step.manual:
                text = instructions(step, reference, claim.sku)
                await self._record(claim, self._open_task(claim, step_name, text))
                return
            request_id = f"{claim.action_id}:{step_name}"
            try:
                async with asyncio.timeout(max(0.0, deadline - loop.time())):
                    result = await call_with_retries(
                        functools.partial(run_step, self.ports, step_name, reference, request_id),
                        attempts=self.options.call_attempts,
                        base_delay=self.options.call_base_delay_seconds,
                        max_delay=self.options.call_max_delay_seconds,
                        sleep=self.sleep,
                        rng=self.rng,
                    )
            except VendorError as error:
                log.warning("action %s, %s failed: %s", claim.action_id, step_name, error)
                await self._fail(claim, vendor_failure(error), error.retryable, error.retry_after)
                return
            except TimeoutError:
                overran = {
                    "vendor": "provisioning",
                    "status": None,
                    "code": "lease",
                    "message": f"{step_name} did not finish within the try's time",
                    "retryable": True,
                }
                await self._fail(claim, overran, True, None)
                return
            except Exception as exc:  # a bug must not leave the action in flight for ever
                log.exception("action %s, %s broke", claim.action_id, step_name)
                broken = {
                    "vendor": "provisioning",
                    "status": None,
                    "code": type(exc).__name__,
                    "message": f"internal error in {step_name} ({type(exc).__name__})",
                    "retryable": True,
                }
                await self._fail(claim, broken, True, None)
                return
            if isinstance(result, NeedsPerson):
                await self._record(claim, self._open_task(claim, step_name, result.instructions))
                return
            log.info(
                "action %s, %s: %s (request %s)",
                claim.action_id,
                step_name,
                result.outcome.value,
                request_id,
            )

            async def complete(
                _: Transaction,
                action: ProvisioningAction,
                on: date | None,
                at: datetime,
                s: str = step_name,
                r: str = request_id,
                res: Any = result,
            ) -> None:
                action.complete_step(
                    claim.attempt,
                    s,
                    outcome=res.outcome.value,
                    request_id=r,
                    detail=res.detail,
                    on=on,
                    at=at,
                    zone=self.zone,
                )

            if not await self._record(claim, complete):
                return

    def _open_task(self, claim: Claim, step: str, text: str) -> Change:
        async def change(
            _: Transaction, action: ProvisioningAction, on: date | None, at: datetime
        ) -> None:
            action.open_manual_task(claim.attempt, step, text, on, at)

        return change

    async def _fail(
        self, claim: Claim, error: dict[str, Any], retryable: bool, retry_after: float | None
    ) -> None:
        async def change(
            tx: Transaction, action: ProvisioningAction, _: date | None, at: datetime
        ) -> None:
            state = action.fail(
                claim.attempt,
                error,
                retryable=retryable,
                retry_after=retry_after,
                now=at,
                policy=self.options.retry_policy(),
                draw=self.rng.random(),
            )
            if state is State.DEAD_LETTERED:
                log.error("action %s dead-lettered: %s", claim.action_id, error["message"])
                await h.supersede_if_moot(tx, action)

        await self._record(claim, change)

    async def _record(self, claim: Claim, change: Change) -> bool:
        """Commit one outcome while the claim holds; False when another try owns the action."""

        async def attempt() -> None:
            async with self.store.transaction(claim.meta) as tx:
                action = await h.load_action(tx, claim.action_id)
                assert action is not None
                await change(tx, action, await tx.business_date(), self.clock())
                await h.save_action(tx, action)

        for _ in range(20):
            try:
                await attempt()
                return True
            except ConcurrencyError:
                await asyncio.sleep(0.005)  # reload: a concurrent consumer wrote first
            except StaleClaim:
                log.warning("action %s: try %d lost its claim", claim.action_id, claim.attempt)
                return False
        return False

    async def _idle(self) -> None:
        if self.wake is None:
            await self.sleep(self.options.worker_poll_seconds)
            return
        try:
            async with asyncio.timeout(self.options.worker_poll_seconds):
                await self.wake.wait()
        except TimeoutError:
            pass
        self.wake.clear()

"""Simulator-only endpoints under /_sim: the call log, the fault plan, the seed, the state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from services.provisioning.vendors.simulation.faults import FaultPlan

if TYPE_CHECKING:
    from services.provisioning.vendors.simulation.base import Simulation


def admin_router(sim: Simulation) -> APIRouter:
    """Routes a test or an operator uses to steer and inspect one simulator."""
    router = APIRouter(prefix="/_sim", tags=["simulator"])

    @router.get("/calls")
    async def calls() -> list[dict[str, Any]]:
        return [record.as_json() for record in sim.calls.all()]

    @router.delete("/calls", status_code=204)
    async def clear_calls() -> None:
        sim.calls.clear()

    @router.get("/faults")
    async def faults() -> FaultPlan:
        return sim.faults

    @router.post("/faults")
    async def set_faults(plan: FaultPlan) -> FaultPlan:
        sim.set_faults(plan)
        return plan

    @router.post("/seed")
    async def seed(body: dict[str, Any]) -> dict[str, Any]:
        # A new world: the old call log would only confuse.
        sim.load(body)
        sim.calls.clear()
        return sim.snapshot()

    @router.get("/state")
    async def state() -> dict[str, Any]:
        return sim.snapshot()

    @router.post("/expire-tokens", status_code=204)
    async def expire_tokens() -> None:
        sim.expire_tokens()

    return router

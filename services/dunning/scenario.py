"""Scenario steps of the dunning context."""

from __future__ import annotations

from typing import Any

from shared.scenario import ScenarioRun, step


@step("set_no_follow_up")
async def set_no_follow_up(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Stop follow-up on a customer: customer, reason, until."""
    customer = run.resolve(str(params.pop("customer")))
    await run.call("dunning", "PUT", f"/customers/{customer}/no-follow-up", json=params)
    await run.platform.settle()

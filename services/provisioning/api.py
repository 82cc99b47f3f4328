"""Provisioning HTTP API: the action log, operator retries, manual tasks, restore breaches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.provisioning import handlers
from services.provisioning.adapters import queries
from services.provisioning.schemas import (
    ActionDetail,
    ActionRead,
    ActionState,
    CompleteManualTask,
    ManualTaskRead,
    RestoreBreachRead,
)
from services.provisioning.vendors.simulation import Simulation
from services.provisioning.wiring import wiring_of
from shared.errors import NotFound
from shared.service import MetadataDep, RuntimeDep

router = APIRouter(tags=["provisioning"])


@router.get("/actions", response_model=list[ActionRead])
async def list_actions(
    runtime: RuntimeDep,
    state: Annotated[list[ActionState] | None, Query()] = None,
    customer_id: str | None = None,
    subscription_id: str | None = None,
) -> list[dict[str, Any]]:
    """The action log, newest first; `state` may be given more than once."""
    async with runtime.store.engine.connect() as conn:
        return await queries.list_actions(
            conn, states=state or (), customer_id=customer_id, subscription_id=subscription_id
        )


@router.get("/actions/{action_id}", response_model=ActionDetail)
async def get_action(action_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """One action with every try and its manual tasks."""
    return await _detail(runtime, action_id)


@router.post("/actions/{action_id}/retry", response_model=ActionDetail)
async def retry_action(action_id: str, runtime: RuntimeDep, meta: MetadataDep) -> dict[str, Any]:
    """Send a dead-lettered action back for a new round of tries (409 for any other state)."""
    await handlers.request_retry(runtime.store, action_id, meta)
    await wiring_of(runtime).nudge()
    return await _detail(runtime, action_id)


@router.get("/manual-tasks", response_model=list[ManualTaskRead])
async def list_manual_tasks(
    runtime: RuntimeDep, state: Annotated[str | None, Query(pattern="^(open|completed)$")] = None
) -> list[dict[str, Any]]:
    """Manual tasks, oldest first."""
    async with runtime.store.engine.connect() as conn:
        return await queries.manual_tasks(conn, state)


@router.post("/manual-tasks/{task_id}/complete", response_model=ManualTaskRead)
async def complete_manual_task(
    task_id: str, body: CompleteManualTask, runtime: RuntimeDep, meta: MetadataDep
) -> dict[str, Any]:
    """Operations confirm the task as done; the action goes on (or is done)."""
    wiring = wiring_of(runtime)
    await handlers.complete_manual_task(runtime.store, task_id, body.note, meta, wiring.zone)
    await wiring.nudge()
    async with runtime.store.engine.connect() as conn:
        task = await queries.manual_task(conn, task_id)
    assert task is not None
    return task


@router.get("/simulators/{vendor}/state", tags=["simulators"])
async def simulator_state(vendor: str, runtime: RuntimeDep) -> dict[str, Any]:
    """Embedded mode: what the in-process vendor simulator holds (licences, domains…)."""
    return _simulator(runtime, vendor).snapshot()


@router.get("/simulators/{vendor}/calls", tags=["simulators"])
async def simulator_calls(vendor: str, runtime: RuntimeDep) -> list[dict[str, Any]]:
    """Embedded mode: every write the simulator handled, and every injected fault."""
    return [call.as_json() for call in _simulator(runtime, vendor).calls.all()]


@router.get("/restore-breaches", response_model=list[RestoreBreachRead])
async def restore_breaches(runtime: RuntimeDep) -> list[dict[str, Any]]:
    """Restores that broke the promised hours (web hosting: 48)."""
    async with runtime.store.engine.connect() as conn:
        rows = await queries.restore_breaches(conn)
    return [{**row, "restored_on": row["occurred_on"]} for row in rows]


def _simulator(runtime: Any, vendor: str) -> Simulation:
    found = wiring_of(runtime).ports.simulators.get(vendor)
    if found is None:
        raise NotFound(f"no simulator stands in for {vendor} here", field="vendor")
    return found


async def _detail(runtime: Any, action_id: str) -> dict[str, Any]:
    async with runtime.store.engine.connect() as conn:
        action = await queries.one_action(conn, action_id)
        if action is None:
            raise NotFound(f"no action {action_id}", field="action_id")
        attempt_log = await queries.attempts_of(conn, action_id)
        tasks = [t for t in await queries.manual_tasks(conn) if t["action_id"] == action_id]
    return {**action, "attempt_log": attempt_log, "manual_tasks": tasks}

"""Scenario steps of the assets context: register, move, set up and order hardware."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.scenario import ScenarioRun, step

# Parameters that name something given earlier with 'as', and the API field they fill.
REFERENCES = {
    "department": "department_id",
    "employee": "employee_id",
    "to_department": "to_department_id",
    "to_employee": "to_employee_id",
    "approved_by": "approved_by",
}


def _prepare(run: ScenarioRun, params: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """(customer path, alias, API body) with aliases resolved to ids."""
    customer = run.resolve(str(params.pop("customer")))
    alias = params.pop("as", None)
    body = {
        REFERENCES.get(key, key): run.resolve(str(value)) if key in REFERENCES else _plain(value)
        for key, value in params.items()
    }
    return f"/customers/{customer}", alias, body


def _plain(value: Any) -> Any:
    """YAML reads 2026-03-02 as a date; the API wants ISO text."""
    return value.isoformat() if isinstance(value, date) else value


def _hardware(run: ScenarioRun, body: dict[str, Any]) -> str:
    return run.resolve(str(body.pop("hardware")))


@step("register_hardware")
async def register_hardware(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Register hardware: customer, product_type, name, serial, purchase_date, price,
    department, employee; 'as' names it."""
    base, alias, body = _prepare(run, params)
    created = await run.call("assets", "POST", f"{base}/hardware", json=body)
    if alias:
        run.aliases[alias] = created["hardware_id"]
    await run.platform.settle()


@step("move_hardware")
async def move_hardware(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Move hardware: customer, hardware, to_department and/or to_employee, estimated_price."""
    base, _, body = _prepare(run, params)
    hardware = _hardware(run, body)
    await run.call("assets", "POST", f"{base}/hardware/{hardware}/moves", json=body)
    await run.platform.settle()


@step("complete_setup")
async def complete_setup(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Record a device setup: customer, hardware, hours_spent."""
    base, _, body = _prepare(run, params)
    hardware = _hardware(run, body)
    await run.call("assets", "POST", f"{base}/hardware/{hardware}/setups", json=body)
    await run.platform.settle()


@step("order_hardware")
async def order_hardware(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Order hardware: customer, approved_by, product_type, name, quantity,
    estimated_unit_price; 'as' names it."""
    base, alias, body = _prepare(run, params)
    created = await run.call("assets", "POST", f"{base}/hardware-orders", json=body)
    if alias:
        run.aliases[alias] = created["order_id"]
    await run.platform.settle()


@step("register_software")
async def register_software(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Register software: customer, name, seats, department, employee; 'as' names it."""
    base, alias, body = _prepare(run, params)
    created = await run.call("assets", "POST", f"{base}/software", json=body)
    if alias:
        run.aliases[alias] = created["software_id"]
    await run.platform.settle()

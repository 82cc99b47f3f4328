"""Scenario steps of the agreements context."""

from __future__ import annotations

from typing import Any

from shared.scenario import ScenarioRun, step


def _base(run: ScenarioRun, params: dict[str, Any]) -> str:
    return f"/customers/{run.resolve(str(params.pop('customer')))}"


@step("add_department")
async def add_department(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Add a department; 'as' names it."""
    alias = params.pop("as", None)
    customer = await run.call(
        "agreements", "POST", f"{_base(run, params)}/departments", json=params
    )
    if alias:
        run.aliases[alias] = next(
            d["department_id"] for d in customer["departments"] if d["name"] == params["name"]
        )
    await run.platform.settle()


@step("add_person")
async def add_person(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Add an employee, management approver or contact; 'as' names the person."""
    alias = params.pop("as", None)
    if "department" in params:
        params["department_id"] = run.resolve(str(params.pop("department")))
    customer = await run.call("agreements", "POST", f"{_base(run, params)}/people", json=params)
    if alias:
        run.aliases[alias] = customer["people"][-1]["person_id"]
    await run.platform.settle()


@step("sign_agreement")
async def sign_agreement(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Sign the agreement: `tier` for Safe IT, nothing for MICO (starts on trial)."""
    await run.call("agreements", "POST", f"{_base(run, params)}/agreement", json=params)
    await run.platform.settle()


@step("add_subscription")
async def add_subscription(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Order a subscription: sku, quantity, billing_period, start; 'as' names it."""
    alias = params.pop("as", None)
    created = await run.call(
        "agreements", "POST", f"{_base(run, params)}/agreement/subscriptions", json=params
    )
    if alias:
        run.aliases[alias] = created["subscription_id"]
    await run.platform.settle()


@step("change_quantity")
async def change_quantity(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Change a subscription's quantity: subscription, quantity, effective."""
    subscription = run.resolve(str(params.pop("subscription")))
    await run.call(
        "agreements",
        "PATCH",
        f"{_base(run, params)}/agreement/subscriptions/{subscription}",
        json=params,
    )
    await run.platform.settle()


@step("cancel")
async def cancel(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Give notice on a subscription: subscription, notice_date (default today)."""
    subscription = run.resolve(str(params.pop("subscription")))
    await run.call(
        "agreements",
        "POST",
        f"{_base(run, params)}/agreement/subscriptions/{subscription}/cancel",
        json=params,
    )
    await run.platform.settle()


@step("announce_price_change")
async def announce_price_change(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Announce a price change: sku, unit_price, effective_from."""
    await run.call("agreements", "POST", "/catalogue/price-changes", json=params)
    await run.platform.settle()


@step("convert_trial")
async def convert_trial(run: ScenarioRun, params: dict[str, Any]) -> None:
    """End a MICO customer's trial."""
    await run.call("agreements", "POST", f"{_base(run, params)}/agreement/convert-trial")
    await run.platform.settle()

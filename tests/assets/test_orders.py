"""Hardware orders must come from the customer's management.

Seed 000: "Denne anmodning skal komme fra ledelsen".
"""

from __future__ import annotations

from pathlib import Path

from tests.assets.builders import event_data, refusal, register_customer
from tests.e2e.platform import embedded

ORDER = {
    "product_type": "laptop",
    "name": "Lenovo ThinkPad T14 Gen 5",
    "quantity": 3,
    "estimated_unit_price": "9800.00",
}


async def test_an_order_without_a_management_approver_is_refused_and_stores_nothing(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(
            running, people=(("Sofie Juul", "employee", "sofie@nordhavn.dk"),)
        )
        orders = f"/customers/{customer.customer_id}/hardware-orders"
        no_approver = await running.call(
            "assets",
            "POST",
            orders,
            expect=422,
            json={**ORDER, "approved_by": customer.people["Sofie Juul"]},
        )
        stored = await running.call("assets", "GET", orders)
        published = await event_data(running, customer.customer_id, "HardwareOrdered")
    field, reason = refusal(no_approver)
    assert field == ["body", "approved_by"]
    assert reason.startswith("Nordhavn Revision ApS has no management approver")
    assert stored == []
    assert published == []


async def test_an_order_from_an_employee_or_without_a_name_is_refused_naming_the_approvers(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running)
        orders = f"/customers/{customer.customer_id}/hardware-orders"
        unnamed = await running.call("assets", "POST", orders, expect=422, json=ORDER)
        employee = await running.call(
            "assets",
            "POST",
            orders,
            expect=422,
            json={**ORDER, "approved_by": customer.people["Sofie Juul"]},
        )
        stored = await running.call("assets", "GET", orders)
    mette = customer.people["Mette Holm"]
    assert refusal(unnamed) == (
        ["body", "approved_by"],
        f"a hardware order must name the management approver it comes from: Mette Holm ({mette})",
    )
    assert refusal(employee) == (
        ["body", "approved_by"],
        "Sofie Juul is an employee, not a management approver of Nordhavn Revision ApS",
    )
    assert stored == []


async def test_an_order_from_a_management_approver_is_recorded_with_its_estimated_total(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running)
        placed = await running.call(
            "assets",
            "POST",
            f"/customers/{customer.customer_id}/hardware-orders",
            expect=201,
            json={
                **ORDER,
                "approved_by": customer.people["Mette Holm"],
                "department_id": customer.departments["Salg"],
            },
        )
        published = await event_data(running, customer.customer_id, "HardwareOrdered")
    assert placed["estimated_total"] == "29400.00"
    assert placed["ordered_on"] == "2026-03-02"
    assert [(p["approved_by"], p["quantity"], p["_actor"]) for p in published] == [
        (customer.people["Mette Holm"], 3, "admin")
    ]

"""The hardware register: warranty, placement, moves, retirement and repair under warranty."""

from __future__ import annotations

from pathlib import Path

from tests.assets.builders import event_data, laptop, refusal, register_customer
from tests.e2e.platform import embedded


async def test_hardware_bought_through_the_provider_has_one_years_warranty_and_names_who_registered_it(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running)
        sofie = customer.people["Sofie Juul"]
        registered = await running.call(
            "assets",
            "POST",
            f"/customers/{customer.customer_id}/hardware",
            expect=201,
            json=laptop("PF3K9A1", purchase_date="2024-02-29", employee_id=sofie),
        )
        elsewhere = await running.call(
            "assets",
            "POST",
            f"/customers/{customer.customer_id}/hardware",
            expect=201,
            json=laptop("PF3K9A2", bought_through_provider=False, warranty_end="2027-01-15"),
        )
        published = await event_data(running, customer.customer_id, "HardwareRegistered")
    assert registered["warranty_end"] == "2025-02-28", "one year after 29 Feb 2024"
    assert registered["employee_id"] == sofie
    assert registered["status"] == "active"
    assert registered["history"][0]["actor"] == "admin"
    assert elsewhere["warranty_end"] == "2027-01-15", "the supplier's warranty, as given"
    assert [p["serial"] for p in published] == ["PF3K9A1", "PF3K9A2"]
    assert published[0]["_actor"] == "admin"


async def test_bad_hardware_is_refused_naming_the_field_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running)
        url = f"/customers/{customer.customer_id}/hardware"
        await running.call("assets", "POST", url, expect=201, json=laptop("PF3K9A1"))
        twice = await running.call("assets", "POST", url, expect=409, json=laptop("PF3K9A1"))
        unknown = await running.call(
            "assets", "POST", url, expect=422, json=laptop("X1", department_id="no-such")
        )
        future = await running.call(
            "assets", "POST", url, expect=422, json=laptop("X2", purchase_date="2026-03-03")
        )
        negative = await running.call(
            "assets", "POST", url, expect=422, json=laptop("X3", price="-1")
        )
        own_warranty = await running.call(
            "assets", "POST", url, expect=422, json=laptop("X4", warranty_end="2030-01-01")
        )
        kind = await running.call(
            "assets", "POST", url, expect=422, json=laptop("X5", product_type="toaster")
        )
        listed = await running.call("assets", "GET", url)
        published = await event_data(running, customer.customer_id, "HardwareRegistered")
    assert refusal(twice) == (
        ["body", "serial"],
        "serial PF3K9A1 is already registered (Lenovo ThinkPad T14, active)",
    )
    assert refusal(unknown) == (
        ["body", "department_id"],
        "Nordhavn Revision ApS has no department no-such",
    )
    assert refusal(future) == (
        ["body", "purchase_date"],
        "the purchase date is after today (2026-03-02)",
    )
    assert refusal(negative)[0] == ["body", "price"]
    assert refusal(own_warranty)[0] == ["body", "warranty_end"]
    assert "12-month warranty" in refusal(own_warranty)[1]
    assert refusal(kind)[0] == ["body", "product_type"]
    assert [h["serial"] for h in listed] == ["PF3K9A1"]
    assert len(published) == 1


async def test_a_move_records_from_and_to_department_the_new_holder_and_the_estimated_price(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(
            running,
            people=(("Anders Bech", "employee", None),),
        )
        base = f"/customers/{customer.customer_id}/hardware"
        created = await running.call(
            "assets",
            "POST",
            base,
            expect=201,
            json=laptop("PF3K9A1", department_id=customer.departments["Administration"]),
        )
        url = f"{base}/{created['hardware_id']}"
        await running.advance_to("2026-03-10")
        moved = await running.call(
            "assets",
            "POST",
            f"{url}/moves",
            expect=201,
            json={
                "to_department_id": customer.departments["Salg"],
                "to_employee_id": customer.people["Anders Bech"],
                "estimated_price": "7500",
            },
        )
        nowhere = await running.call(
            "assets",
            "POST",
            f"{url}/moves",
            expect=422,
            json={
                "to_department_id": customer.departments["Salg"],
                "to_employee_id": customer.people["Anders Bech"],
                "estimated_price": "7500",
            },
        )
        device = await running.call("assets", "GET", url)
        published = await event_data(running, customer.customer_id, "HardwareMoved")
    assert moved == {
        "hardware_id": created["hardware_id"],
        "moved_on": "2026-03-10",
        "product_type": "laptop",
        "product_name": "Lenovo ThinkPad T14",
        "from_department": "Administration",
        "to_department": "Salg",
        "from_employee_id": None,
        "to_employee_id": customer.people["Anders Bech"],
        "estimated_price": "7500.00",
    }
    assert refusal(nowhere)[1] == "the hardware is already there: give another department or person"
    assert device["department_id"] == customer.departments["Salg"]
    assert [h["what"] for h in device["history"]] == ["HardwareRegistered", "HardwareMoved"]
    assert [
        (p["from_department"], p["to_department"], p["estimated_price"]) for p in published
    ] == [("Administration", "Salg", "7500.00")]


async def test_repair_is_under_warranty_only_and_retired_hardware_stays_retired(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running)
        base = f"/customers/{customer.customer_id}/hardware"
        new = await running.call("assets", "POST", base, expect=201, json=laptop("NEW1"))
        old = await running.call(
            "assets", "POST", base, expect=201, json=laptop("OLD1", purchase_date="2025-01-10")
        )
        fault = {"fault": "Skærmen flimrer", "sent_to": "supplier"}
        sent = await running.call(
            "assets", "POST", f"{base}/{new['hardware_id']}/repairs", expect=201, json=fault
        )
        expired = await running.call(
            "assets", "POST", f"{base}/{old['hardware_id']}/repairs", expect=422, json=fault
        )
        back = await running.call(
            "assets", "POST", f"{base}/{new['hardware_id']}/repairs/received", json={}
        )
        retired = await running.call(
            "assets", "POST", f"{base}/{old['hardware_id']}/retire", json={"reason": "Udtjent"}
        )
        move_retired = await running.call(
            "assets",
            "POST",
            f"{base}/{old['hardware_id']}/moves",
            expect=409,
            json={"to_department_id": customer.departments["Salg"], "estimated_price": "0"},
        )
        published = await event_data(running, customer.customer_id, "HardwareRetired")
    assert sent["status"] == "in_repair"
    assert refusal(expired) == (
        ["body", "warranty_end"],
        "the warranty of Lenovo ThinkPad T14 (OLD1) ended on 2026-01-10: a repair is billable work",
    )
    assert back["status"] == "active"
    assert retired["status"] == "retired"
    assert refusal(move_retired)[1] == "Lenovo ThinkPad T14 (OLD1) is retired and cannot be moved"
    assert [(p["reason"], p["retired_on"]) for p in published] == [("Udtjent", "2026-03-02")]


async def test_software_is_registered_per_company_and_per_employee(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running)
        url = f"/customers/{customer.customer_id}/software"
        await running.call(
            "assets",
            "POST",
            url,
            expect=201,
            json={"name": "e-conomic", "publisher": "Visma", "seats": 3},
        )
        await running.call(
            "assets",
            "POST",
            url,
            expect=201,
            json={"name": "AutoCAD LT", "employee_id": customer.people["Sofie Juul"]},
        )
        unknown = await running.call(
            "assets", "POST", url, expect=422, json={"name": "Visio", "employee_id": "nobody"}
        )
        listed = await running.call("assets", "GET", url)
        published = await event_data(running, customer.customer_id, "SoftwareRegistered")
    assert [(s["name"], s["employee_id"]) for s in listed] == [
        ("AutoCAD LT", customer.people["Sofie Juul"]),
        ("e-conomic", None),
    ]
    assert refusal(unknown) == (
        ["body", "employee_id"],
        "Nordhavn Revision ApS has no person nobody",
    )
    assert len(published) == 2

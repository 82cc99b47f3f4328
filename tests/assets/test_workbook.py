"""The monthly hardware workbook (Safe IT): issued on the last business day, one row per move."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from tests.assets.builders import (
    event_data,
    laptop,
    move,
    register_customer,
    register_hardware,
    three_moves_in_march,
)
from tests.e2e.platform import embedded

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_three_moves_in_march_give_a_workbook_on_31_march_with_their_rows_and_total(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        customer = await three_moves_in_march(running)
        await running.advance_to("2026-03-30")
        before = await running.call("assets", "GET", f"/customers/{customer.customer_id}/workbooks")
        await running.advance_to("2026-03-31")
        issued = await running.call("assets", "GET", f"/customers/{customer.customer_id}/workbooks")
        download = await running.clients["assets"].get(
            f"/customers/{customer.customer_id}/workbooks/2026-03.xlsx"
        )
        published = await event_data(running, customer.customer_id, "HardwareWorkbookIssued")
        outbox = await running.call("assets", "GET", "/mail-outbox")
    assert before == [], "nothing before the last business day of March"
    assert len(issued) == 1
    workbook = issued[0]
    assert workbook["issued_on"] == "2026-03-31"
    assert (workbook["period_start"], workbook["period_end"]) == ("2026-02-27", "2026-03-30")
    assert workbook["rows"] == 3
    assert workbook["total"] == "13950.50"
    assert workbook["recipients"] == ["bogholderi@nordhavn.dk", "lars@nordhavn.dk"]
    assert workbook["filename"] == "hardwareregnskab-2026-03-nordhavn-revision-aps.xlsx"
    assert download.status_code == 200
    assert download.headers["content-type"] == XLSX
    assert [p["sha256"] for p in published] == [workbook["sha256"]]
    assert published[0]["_actor"] == "service:assets", "issued by the service on DayStarted"
    assert [(m["reason"], m["attachment_name"]) for m in outbox] == [
        ("HardwareWorkbookIssued", workbook["filename"])
    ]

    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    assert sheet["A1"].value == "Hardwareregnskab marts 2026 – Nordhavn Revision ApS"
    header = [c.value for c in sheet[5]]
    assert header == [
        "Produkttype",
        "Produktnavn",
        "Fra afdeling",
        "Til afdeling",
        "Estimeret pris",
        "Dato",
    ]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6, max_row=8)]
    assert [row[:5] for row in rows] == [
        ["Bærbar computer", "Lenovo ThinkPad T14", "Administration", "Salg", Decimal("7500")],
        ["Skærm", "Dell P2723DE 27″", "Administration", "Værksted", Decimal("2250.5")],
        [
            "Printer",
            "HP Color LaserJet Pro MFP 4302fdw",
            "Administration",
            "Salg",
            Decimal("4200"),
        ],
    ]
    assert [row[5].date().isoformat() for row in rows] == ["2026-03-03", "2026-03-12", "2026-03-24"]
    total_label, total = sheet["D9"].value, sheet["E9"]
    assert (total_label, total.value) == ("I alt", Decimal("13950.5"))
    assert {sheet.cell(r, 5).number_format for r in (6, 7, 8, 9)} == {'#,##0.00 "kr."'}
    assert sheet["F6"].number_format == "DD-MM-YYYY"
    widths = {col: sheet.column_dimensions[col].width for col in "ABCDEF"}
    assert widths["B"] >= len("HP Color LaserJet Pro MFP 4302fdw"), "product names fit"
    assert all(w >= len(h) for w, h in zip(widths.values(), header, strict=True)), "headers fit"


async def test_a_move_on_the_last_business_day_is_reported_in_the_next_months_workbook(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running)
        thinkpad = await register_hardware(
            running, customer, laptop("PF3K9A1", department_id=customer.departments["Salg"])
        )
        await running.advance_to("2026-03-31")
        await move(running, customer, thinkpad, "Værksted", "7500.00")
        await running.advance_to("2026-04-30")
        issued = await running.call("assets", "GET", f"/customers/{customer.customer_id}/workbooks")
    assert [(w["month"], w["rows"], w["total"]) for w in issued] == [
        ("2026-03", 0, "0.00"),
        ("2026-04", 1, "7500.00"),
    ], "the March workbook was made as 31 March began; that day's move is April's"
    assert (issued[1]["period_start"], issued[1]["period_end"]) == ("2026-03-31", "2026-04-29")


async def test_mico_customers_get_no_monthly_workbook(tmp_path: Path) -> None:
    async with embedded(tmp_path, profile="mico") as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running, tier=None)
        thinkpad = await register_hardware(
            running, customer, laptop("PF3K9A1", department_id=customer.departments["Salg"])
        )
        await move(running, customer, thinkpad, "Værksted", "7500.00")
        await running.advance_to("2026-03-31")
        issued = await running.call("assets", "GET", f"/customers/{customer.customer_id}/workbooks")
        terms = await running.call("assets", "GET", "/terms")
    assert issued == []
    assert terms["monthly_hardware_workbook"] is False

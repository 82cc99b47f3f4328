"""The assets acceptance: three moves in March give a workbook on 31 March 2026 that adds up."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from shared import scenario
from shared.auth import KEY_FILE
from tests.assets.test_workbook_libreoffice import kroner, soffice, to_csv
from tests.e2e.platform import embedded

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
ROWS = [
    ["Bærbar computer", "Lenovo ThinkPad T14", "Administration", "Salg"],
    ["Skærm", 'Dell P2723DE 27"', "Salg", "Værksted"],
    ["Bærbar computer", "Lenovo ThinkPad T14", "Administration", "Værksted"],
]
PRICES = [Decimal("9500.00"), Decimal("2400.00"), Decimal("9250.00")]


async def test_three_moves_in_march_give_a_workbook_on_31_march_read_back_two_ways(
    tmp_path: Path,
) -> None:
    var_dir = tmp_path / "var"
    events = await scenario.run(
        scenario.load(SCENARIOS / "assets-hardware-workbook.yaml"), var_dir=var_dir
    )
    assets = [e for e in events if e.context == "assets"]
    assert [e.event_name for e in assets] == [
        "HardwareOrdered",
        "HardwareRegistered",
        "HardwareRegistered",
        "HardwareRegistered",
        "DeviceSetupCompleted",
        "DeviceSetupCompleted",
        "HardwareMoved",
        "HardwareMoved",
        "HardwareMoved",
        "HardwareWorkbookIssued",
    ]
    assert assets[4].data["silver_or_gold"] is True
    issued = assets[-1]
    assert str(issued.businessdate) == "2026-03-31"
    assert (issued.data["rows"], issued.data["total"]) == (3, "21150.00")

    (var_dir / KEY_FILE).unlink()  # reopen the scenario's stores with a new admin key
    async with embedded(var_dir) as running:
        customer = issued.customerid
        download = await running.clients["assets"].get(
            f"/customers/{customer}/workbooks/2026-03.xlsx"
        )
    workbook = tmp_path / "workbook.xlsx"
    workbook.write_bytes(download.content)

    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=6, max_row=9)]
    assert [row[:4] for row in cells[:3]] == ROWS
    assert [row[4] for row in cells[:3]] == PRICES
    assert [row[5].date().isoformat() for row in cells[:3]] == [
        "2026-03-05",
        "2026-03-16",
        "2026-03-26",
    ]
    assert cells[3][3:5] == ["I alt", Decimal("21150.00")]

    lines = await to_csv(soffice(), workbook, tmp_path)
    assert [line[:4] for line in lines[5:8]] == ROWS
    assert [kroner(line[4]) for line in lines[5:8]] == PRICES
    assert lines[8][3] == "I alt" and kroner(lines[8][4]) == Decimal("21150.00")

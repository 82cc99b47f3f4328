"""The workbook opens in LibreOffice: converted headless to CSV, its rows and total read back."""

from __future__ import annotations

import asyncio
import csv
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.assets.builders import three_moves_in_march
from tests.e2e.platform import embedded

# Comma-separated, UTF-8, cell contents "as shown": the CSV carries the sheet's number formats.
CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"


def soffice() -> str:
    """The LibreOffice binary; CI must have it (see .ci/run), elsewhere the test may skip."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice is missing: apt-get install libreoffice-calc")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    return found


async def to_csv(binary: str, workbook: Path, out: Path) -> list[list[str]]:
    """Convert with LibreOffice headless, in a profile of its own so parallel runs do not clash."""
    process = await asyncio.create_subprocess_exec(
        binary,
        f"-env:UserInstallation=file://{out / 'lo-profile'}",
        "--headless",
        "--convert-to",
        CSV_AS_SHOWN,
        "--outdir",
        str(out),
        str(workbook),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=180)
    converted = out / f"{workbook.stem}.csv"
    assert converted.exists(), f"LibreOffice did not convert: {stdout!r} {stderr!r}"
    with converted.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def kroner(shown: str) -> Decimal:
    """A DKK cell as LibreOffice shows it, e.g. '7,500.00 kr.' (separators follow the locale)."""
    assert shown.endswith("kr."), shown
    digits = "".join(ch for ch in shown if ch.isdigit())
    return Decimal(digits) / 100


async def test_the_march_workbook_opens_in_libreoffice_with_its_rows_and_total(
    tmp_path: Path,
) -> None:
    binary = soffice()
    async with embedded(tmp_path / "platform") as running:
        customer = await three_moves_in_march(running)
        await running.advance_to("2026-03-31")
        download = await running.clients["assets"].get(
            f"/customers/{customer.customer_id}/workbooks/2026-03.xlsx"
        )
    workbook = tmp_path / "hardwareregnskab-2026-03.xlsx"
    workbook.write_bytes(download.content)
    lines = await to_csv(binary, workbook, tmp_path)
    assert lines[0][0] == "Hardwareregnskab marts 2026 – Nordhavn Revision ApS"
    header_at = next(i for i, line in enumerate(lines) if line[:1] == ["Produkttype"])
    rows = lines[header_at + 1 : header_at + 4]
    assert [row[:4] for row in rows] == [
        ["Bærbar computer", "Lenovo ThinkPad T14", "Administration", "Salg"],
        ["Skærm", "Dell P2723DE 27″", "Administration", "Værksted"],
        ["Printer", "HP Color LaserJet Pro MFP 4302fdw", "Administration", "Salg"],
    ]
    assert [kroner(row[4]) for row in rows] == [
        Decimal("7500.00"),
        Decimal("2250.50"),
        Decimal("4200.00"),
    ]
    assert [row[5] for row in rows] == ["03-03-2026", "12-03-2026", "24-03-2026"]
    total = lines[header_at + 4]
    assert total[3] == "I alt"
    assert kroner(total[4]) == Decimal("13950.50")

"""The hardware workbook as an .xlsx file (openpyxl): one row per move, DKK formats and a total."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.assets.domain.policy import product_label
from services.assets.domain.workbook import AccountingPeriod, WorkbookRow, total_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DKK_FORMAT = '#,##0.00 "kr."'
DATE_FORMAT = "DD-MM-YYYY"
HEADERS = ("Produkttype", "Produktnavn", "Fra afdeling", "Til afdeling", "Estimeret pris", "Dato")
FIRST_ROW = 5  # the header row; moves follow it
NO_DEPARTMENT = "(ingen afdeling)"


def render(
    customer: str, provider: str, period: AccountingPeriod, rows: list[WorkbookRow], issued_on: date
) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Hardwareregnskab"
    sheet["A1"] = f"Hardwareregnskab {period.title} – {customer}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"Flytninger {period.start:%d.%m.%Y}–{period.end:%d.%m.%Y}"
    sheet["A3"] = f"Udarbejdet {issued_on:%d.%m.%Y} af {provider}. Beløb i DKK ekskl. moms."
    _header(sheet)
    for offset, row in enumerate(rows, start=1):
        values = (
            product_label(row.product_type),
            row.product_name,
            row.from_department or NO_DEPARTMENT,
            row.to_department or NO_DEPARTMENT,
            row.estimated_price,
            row.moved_on,
        )
        sheet.append(values)
        sheet.cell(FIRST_ROW + offset, 5).number_format = DKK_FORMAT
        sheet.cell(FIRST_ROW + offset, 6).number_format = DATE_FORMAT
    if not rows:
        sheet.append(("Ingen flytninger i perioden",))
    total_row = sheet.max_row + 1
    sheet.cell(total_row, 4, "I alt").font = Font(bold=True)
    total = sheet.cell(
        total_row, 5, total_of(rows)
    )  # a value, not a formula: issued documents stay put
    total.number_format = DKK_FORMAT
    total.font = Font(bold=True)
    total.border = Border(top=Side(style="thin"), bottom=Side(style="double"))
    _widths(sheet)
    sheet.freeze_panes = f"A{FIRST_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    book.properties.creator = provider
    book.properties.title = sheet["A1"].value
    book.properties.created = datetime.combine(issued_on, time())
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet: Worksheet) -> None:
    for column, title in enumerate(HEADERS, start=1):
        cell = sheet.cell(FIRST_ROW, column, title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
        cell.alignment = Alignment(horizontal="right" if column == 5 else "left")


def _widths(sheet: Worksheet) -> None:
    """Wide enough for the longest value shown in each column, from the header down."""
    for column in range(1, len(HEADERS) + 1):
        shown = [len(HEADERS[column - 1])]
        for (cell,) in sheet.iter_rows(min_row=FIRST_ROW + 1, min_col=column, max_col=column):
            shown.append(_shown_width(cell.value))
        sheet.column_dimensions[get_column_letter(column)].width = min(max(shown) + 3, 60)


def _shown_width(value: object) -> int:
    if isinstance(value, Decimal):
        return len(f"{value:,.2f} kr.")
    if isinstance(value, date):
        return len(DATE_FORMAT)
    return len(str(value or ""))


def filename(customer: str, month: str) -> str:
    """hardwareregnskab-2026-03-nordhavn-revision-aps.xlsx"""
    folded = customer.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    ascii_name = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-") or "kunde"
    return f"hardwareregnskab-{month}-{slug}.xlsx"


def sha256(content: bytes) -> str:
    """The document's fingerprint, recorded on HardwareWorkbookIssued."""
    return hashlib.sha256(content).hexdigest()

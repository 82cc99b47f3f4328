"""The invoice or credit note as an A4 PDF in Danish, with everything §58 of momsbekendtgørelsen asks for.

Drawn with fpdf2 and its core fonts (Helvetica, Courier): pure Python, no font files, and
latin-1 covers Danish (æ, ø, å). Characters outside latin-1 (en dash, curly quotes, ...) are
replaced by their nearest latin-1 look-alike before drawing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace
from fpdf.table import Table

from services.billing.documents.checks import check_totals
from services.billing.documents.model import DocumentLine, InvoiceDocument, Party
from shared.money import format_dkk

MARGIN = 18.0
PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BOTTOM_MARGIN = 22.0
SLIP_HEIGHT = 40.0

INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (206, 212, 218)
SHADE = (241, 243, 245)
ACCENT = (20, 61, 110)

# Antal, Enhed, Beskrivelse, Enhedspris, Rabat, Beløb
COLUMNS = (15.0, 15.0, 78.0, 26.0, 14.0, 26.0)
HEADINGS = ("Antal", "Enhed", "Beskrivelse", "Enhedspris\nekskl. moms", "Rabat", "Beløb")
ALIGNS = ("RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT")

_LOOKALIKES = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2026": "...",
    "\u2022": "\u00b7",
    "\u00a0": " ",
    "\u202f": " ",
    "\u20ac": "EUR",
}


def latin1(text: str) -> str:
    """Text the core fonts can draw: look-alikes for common typography, '?' for the rest."""
    for char, replacement in _LOOKALIKES.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", errors="replace").decode("latin-1")


def dk_date(day: date) -> str:
    """Danish date: 31.03.2026."""
    return day.strftime("%d.%m.%Y")


def dk_amount(amount: Decimal) -> str:
    """An amount in Danish notation without the currency: 1.234,50."""
    return format_dkk(amount).removesuffix(" kr.")


def dk_quantity(quantity: Decimal) -> str:
    """A quantity in Danish notation without trailing zeros: 2,5 or 12 or 1.250."""
    text = format(quantity.normalize(), "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + ".".join(groups or ["0"]) + (f",{frac}" if frac else "")


def dk_percent(rate: Decimal) -> str:
    """A rate (0.25) as a Danish percentage: 25 %, 12,5 %."""
    return f"{dk_quantity(rate * 100)} %"


def period_text(start: date, end: date) -> str:
    return dk_date(start) if start == end else f"{dk_date(start)} - {dk_date(end)}"


class _InvoicePdf(FPDF):
    """FPDF with the document's running header and footer."""

    def __init__(self, doc: InvoiceDocument) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc = doc
        self.title_text = "Kreditnota" if doc.kind == "credit_note" else "Faktura"
        self.set_margins(MARGIN, 16, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM_MARGIN)
        self.set_title(latin1(f"{self.title_text} {doc.number} - {doc.seller.name}"))
        self.set_author(latin1(doc.seller.name))
        self.set_creator("msp-platform")
        self.set_creation_date(_midnight(doc.issue_date))

    def ink(self, rgb: tuple[int, int, int]) -> None:
        self.set_text_color(*rgb)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        doc = self.doc
        self.set_font("Helvetica", "B", 9)
        self.ink(INK)
        self.cell(CONTENT_WIDTH / 2, 5, latin1(doc.seller.name))
        self.set_font("Helvetica", "", 9)
        self.ink(MUTED)
        self.cell(
            CONTENT_WIDTH / 2,
            5,
            latin1(f"{self.title_text} nr. {doc.number} af {dk_date(doc.issue_date)} (fortsat)"),
            align=Align.R,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_draw_color(*RULE)
        self.line(MARGIN, self.get_y() + 1, PAGE_WIDTH - MARGIN, self.get_y() + 1)
        self.ln(5)

    def footer(self) -> None:
        seller = self.doc.seller
        self.set_y(-14)
        self.set_draw_color(*RULE)
        self.line(MARGIN, self.get_y() - 1.5, PAGE_WIDTH - MARGIN, self.get_y() - 1.5)
        self.set_font("Helvetica", "", 7.5)
        self.ink(MUTED)
        parts = [seller.name, _one_line(seller.address)]
        if seller.cvr:
            parts.append(f"CVR-nr. {seller.cvr}")
        if seller.email:
            parts.append(seller.email)
        self.cell(CONTENT_WIDTH - 25, 4, latin1("  \u00b7  ".join(parts)))
        self.cell(25, 4, f"Side {self.page_no()} af {{nb}}", align=Align.R)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _one_line(address: str) -> str:
    return ", ".join(part.strip() for part in address.replace("\n", ",").split(",") if part.strip())


def _address_lines(address: str) -> list[str]:
    return [part.strip() for part in address.replace("\n", ",").split(",") if part.strip()]


def render_pdf(doc: InvoiceDocument) -> bytes:
    """Render the invoice or credit note as an A4 PDF (bytes). ValueError if its totals disagree."""
    check_totals(doc)
    pdf = _InvoicePdf(doc)
    pdf.add_page()
    _letterhead(pdf, doc)
    _lines_table(pdf, doc)
    _summary(pdf, doc)
    if doc.kind == "invoice":
        slip_top = PAGE_HEIGHT - BOTTOM_MARGIN - SLIP_HEIGHT
        if pdf.get_y() + 2 > slip_top:
            pdf.add_page()
        _slip(pdf, doc, slip_top)
    return bytes(pdf.output())


def _letterhead(pdf: _InvoicePdf, doc: InvoiceDocument) -> None:
    top = pdf.get_y()
    # Seller, top left.
    pdf.set_font("Helvetica", "B", 15)
    pdf.ink(ACCENT)
    pdf.cell(110, 7, latin1(doc.seller.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9)
    pdf.ink(INK)
    for line in _party_lines(doc.seller, with_name=False):
        pdf.cell(110, 4.4, latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    # Title, top right.
    pdf.set_xy(PAGE_WIDTH - MARGIN - 70, top)
    pdf.set_font("Helvetica", "B", 22)
    pdf.ink(INK)
    pdf.cell(70, 10, pdf.title_text.upper(), align=Align.R)

    # Buyer (window-envelope position) and document facts.
    block_top = 52.0
    pdf.set_xy(MARGIN, block_top)
    pdf.set_font("Helvetica", "", 7.5)
    pdf.ink(MUTED)
    pdf.cell(90, 4, "KUNDE", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 10.5)
    pdf.ink(INK)
    pdf.multi_cell(88, 5, latin1(doc.buyer.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9.5)
    for line in _party_lines(doc.buyer, with_name=False):
        pdf.cell(88, 4.6, latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    buyer_bottom = pdf.get_y()

    facts = _facts(doc)
    label_w, value_w = 36.0, 40.0
    x = PAGE_WIDTH - MARGIN - label_w - value_w
    pdf.set_fill_color(*SHADE)
    height = 5.4 * len(facts) + 4
    pdf.rect(x - 3, block_top - 1, label_w + value_w + 3, height, style="F")
    pdf.set_y(block_top + 1)
    for label, value, bold in facts:
        pdf.set_x(x)
        pdf.set_font("Helvetica", "", 9)
        pdf.ink(MUTED)
        pdf.cell(label_w, 5.4, latin1(label))
        pdf.set_font("Helvetica", "B" if bold else "", 9)
        pdf.ink(INK)
        pdf.cell(
            value_w - 2, 5.4, latin1(value), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.set_y(max(buyer_bottom, block_top + height) + 9)


def _party_lines(party: Party, *, with_name: bool) -> list[str]:
    lines = [party.name] if with_name else []
    lines += _address_lines(party.address)
    if party.cvr:
        lines.append(f"CVR-nr. {party.cvr}")
    if party.email:
        lines.append(party.email)
    return lines


def _facts(doc: InvoiceDocument) -> list[tuple[str, str, bool]]:
    credit = doc.kind == "credit_note"
    facts: list[tuple[str, str, bool]] = [
        ("Kreditnota nr." if credit else "Faktura nr.", str(doc.number), True),
        ("Kreditnotadato" if credit else "Fakturadato", dk_date(doc.issue_date), False),
    ]
    if credit and doc.references_invoice is not None:
        facts.append(("Vedrører faktura nr.", str(doc.references_invoice), True))
        if doc.references_issue_date is not None:
            facts.append(("Fakturaens dato", dk_date(doc.references_issue_date), False))
    if not credit and doc.due_date is not None:
        facts.append(("Betalingsfrist", dk_date(doc.due_date), True))
    if doc.delivery_period is not None:
        facts.append(("Leveringsperiode", period_text(*doc.delivery_period), False))
    if doc.buyer_reference:
        facts.append(("Jeres reference", doc.buyer_reference, False))
    if not credit and doc.payment_id:
        facts.append(("Betalings-ID", doc.payment_id, False))
    return facts


def _line_cells(line: DocumentLine, period: tuple[date, date] | None) -> tuple[str, ...]:
    """The row's cells; the line's own period is shown when it is not the document's."""
    description = line.description
    start, end = line.period_start, line.period_end
    if start is not None and end is not None and (start, end) != period:
        label = "Dato" if start == end else "Periode"
        description += f"\n{label}: {period_text(start, end)}"
    if line.sku:
        description += f"\nVarenr. {line.sku}"
    return (
        dk_quantity(line.quantity),
        line.unit,
        description,
        dk_amount(line.unit_price),
        dk_percent(line.discount) if line.discount else "",
        dk_amount(line.amount),
    )


def _lines_table(pdf: _InvoicePdf, doc: InvoiceDocument) -> None:
    taxable = [line for line in doc.lines if line.taxable]
    exempt = [line for line in doc.lines if not line.taxable]
    pdf.set_font("Helvetica", "", 8.8)
    pdf.ink(INK)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    heading = FontFace(emphasis="BOLD", size_pt=8.3, color=INK, fill_color=SHADE)
    section = FontFace(emphasis="BOLD", size_pt=8.8, color=ACCENT, fill_color=None)
    subtotal = FontFace(emphasis="BOLD", size_pt=8.8, color=INK, fill_color=None)
    with pdf.table(
        width=CONTENT_WIDTH,
        col_widths=COLUMNS,
        text_align=ALIGNS,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=heading,
        line_height=4.3,
        padding=(1.3, 1.2, 1.3, 1.2),
        v_align="TOP",
        cell_fill_mode=TableCellFillMode.NONE,
    ) as table:
        head = table.row()
        for text, align in zip(HEADINGS, ALIGNS, strict=True):
            head.cell(latin1(text), align=align)
        if exempt and taxable:
            row = table.row()
            row.cell("Momspligtige ydelser", colspan=6, style=section, align="LEFT")
        for line in taxable:
            _table_row(table, line, doc.delivery_period)
        if exempt:
            row = table.row()
            row.cell(
                "Momsfrie gebyrer (uden for momsgrundlaget)", colspan=6, style=section, align="LEFT"
            )
            for line in exempt:
                _table_row(table, line, doc.delivery_period)
            row = table.row()
            row.cell("Subtotal momsfrie gebyrer", colspan=5, style=subtotal, align="RIGHT")
            row.cell(dk_amount(doc.exempt_subtotal), style=subtotal, align="RIGHT")
    pdf.ln(4)


def _table_row(table: Table, line: DocumentLine, period: tuple[date, date] | None) -> None:
    row = table.row()
    for text in _line_cells(line, period):
        row.cell(latin1(text))


def _summary(pdf: _InvoicePdf, doc: InvoiceDocument) -> None:
    """Payment terms (or what the credit note credits) on the left, the totals on the right."""
    rows: list[tuple[str, str]] = [
        ("Momspligtigt beløb ekskl. moms", format_dkk(doc.taxable_subtotal)),
        (f"Moms {dk_percent(doc.vat_rate)}", format_dkk(doc.vat_amount)),
    ]
    if any(not line.taxable for line in doc.lines) or doc.exempt_subtotal:
        rows.append(("Momsfrie gebyrer", format_dkk(doc.exempt_subtotal)))
    left_text = _credit_note_text(doc) if doc.kind == "credit_note" else _payment_text(doc)
    left_title = "Kreditering" if doc.kind == "credit_note" else "Betalingsbetingelser"
    left_w, label_w, value_w = 74.0, 58.0, 32.0
    pdf.set_font("Helvetica", "", 8.6)
    wrapped = pdf.multi_cell(
        left_w, 4.3, latin1(left_text), align=Align.L, dry_run=True, output="LINES"
    )
    left_lines = len(wrapped) if isinstance(wrapped, list) else 6
    needed = max(6.0 * len(rows) + 16, 5 + 4.3 * left_lines)
    if pdf.get_y() + needed > PAGE_HEIGHT - BOTTOM_MARGIN:
        pdf.add_page()
    top = pdf.get_y()

    pdf.set_font("Helvetica", "B", 9)
    pdf.ink(INK)
    pdf.cell(left_w, 5, left_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 8.6)
    pdf.multi_cell(
        left_w, 4.3, latin1(left_text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    left_bottom = pdf.get_y()

    x = PAGE_WIDTH - MARGIN - label_w - value_w
    pdf.set_y(top)
    for label, value in rows:
        pdf.set_x(x)
        pdf.set_font("Helvetica", "", 9.5)
        pdf.cell(label_w, 6, latin1(label))
        pdf.cell(value_w, 6, value, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.4)
    pdf.line(x, pdf.get_y() + 0.8, PAGE_WIDTH - MARGIN, pdf.get_y() + 0.8)
    pdf.set_line_width(0.2)
    pdf.ln(2.2)
    pdf.set_x(x)
    pdf.set_font("Helvetica", "B", 12)
    total_label = f"I alt {doc.currency}" + (" krediteret" if doc.kind == "credit_note" else "")
    pdf.cell(label_w, 8, latin1(total_label))
    pdf.cell(value_w, 8, format_dkk(doc.total), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(x)
    pdf.set_font("Helvetica", "", 7.5)
    pdf.ink(MUTED)
    pdf.cell(
        label_w + value_w,
        4,
        latin1(
            f"Moms {dk_percent(doc.vat_rate)} er beregnet af {format_dkk(doc.taxable_subtotal)}"
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_y(max(left_bottom, pdf.get_y()) + 4)
    if doc.note:
        pdf.set_font("Helvetica", "", 8.6)
        pdf.ink(INK)
        pdf.multi_cell(
            CONTENT_WIDTH, 4.3, latin1(doc.note), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(2)


def _payment_text(doc: InvoiceDocument) -> str:
    due = f" senest {dk_date(doc.due_date)}" if doc.due_date else ""
    text = f"Betales{due} med FI-kort (+71) i netbanken"
    if doc.bank_account:
        text += f" eller ved bankoverførsel til reg.nr./konto {doc.bank_account}"
    return text + f". Angiv betalings-ID {doc.payment_id}, så betalingen kan genkendes."


def _credit_note_text(doc: InvoiceDocument) -> str:
    text = "Denne kreditnota krediterer"
    if doc.references_invoice is not None:
        text += f" faktura nr. {doc.references_invoice}"
        if doc.references_issue_date is not None:
            text += f" af {dk_date(doc.references_issue_date)}"
    else:
        text += " de viste linjer"
    return text + ". Beløbet modregnes i jeres udestående eller udbetales til jeres konto."


def _slip(pdf: _InvoicePdf, doc: InvoiceDocument, top: float) -> None:
    # Cut line.
    pdf.set_draw_color(*MUTED)
    pdf.set_dash_pattern(dash=1.2, gap=1.2)
    pdf.line(MARGIN, top, PAGE_WIDTH - MARGIN, top)
    pdf.set_dash_pattern()
    pdf.set_font("Helvetica", "", 7)
    pdf.ink(MUTED)
    pdf.set_xy(MARGIN, top + 1)
    pdf.cell(CONTENT_WIDTH, 3.5, "Indbetalingskort - FI-kort +71", align=Align.C)

    box_top = top + 6
    box_h = SLIP_HEIGHT - 8
    pdf.set_fill_color(255, 248, 225)
    pdf.set_draw_color(214, 180, 90)
    pdf.set_line_width(0.3)
    pdf.rect(MARGIN, box_top, CONTENT_WIDTH, box_h, style="DF")
    pdf.set_line_width(0.2)

    fields = [
        ("Betalings-ID", doc.payment_id),
        ("Kreditornr.", doc.creditor_number),
        ("Betales senest", dk_date(doc.due_date) if doc.due_date else "-"),
        ("Beløb", format_dkk(doc.total)),
    ]
    col = CONTENT_WIDTH / len(fields)
    for index, (label, value) in enumerate(fields):
        x = MARGIN + 4 + index * col
        pdf.set_xy(x, box_top + 3)
        pdf.set_font("Helvetica", "", 7.5)
        pdf.ink(MUTED)
        pdf.cell(col - 6, 4, latin1(label))
        pdf.set_xy(x, box_top + 7)
        pdf.set_font("Helvetica", "B", 10)
        pdf.ink(INK)
        pdf.cell(col - 6, 5, latin1(value))
    pdf.set_xy(MARGIN + 4, box_top + 15)
    pdf.set_font("Helvetica", "", 7.5)
    pdf.ink(MUTED)
    pdf.cell(CONTENT_WIDTH - 8, 4, latin1(f"Betalingsmodtager: {doc.seller.name}"))

    # The code line, as on a printed FI-kort: large monospace at the bottom right.
    pdf.set_font("Courier", "B", 15)
    pdf.ink((0, 0, 0))
    pdf.set_xy(MARGIN + 4, box_top + box_h - 12)
    pdf.cell(CONTENT_WIDTH - 8, 9, doc.fi_payment_line, align=Align.R)

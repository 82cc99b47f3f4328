"""Reminder letters in Danish: HTML for e-mail and the dashboard, PDF to attach."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shared.money import format_dkk
from shared.profile import Profile

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape()
)


def _amounts(reminder: dict[str, Any]) -> dict[str, str]:
    fee, compensation, interest = (
        Decimal(reminder[k]) for k in ("fee", "compensation", "interest")
    )
    outstanding = Decimal(reminder["outstanding"])
    return {
        "outstanding": format_dkk(outstanding),
        "fee": format_dkk(fee) if fee else "",
        "compensation": format_dkk(compensation) if compensation else "",
        "interest": format_dkk(interest) if interest else "",
        "total": format_dkk(outstanding + fee + compensation + interest),
    }


def _day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%d.%m.%Y") if value else ""


def render_html(reminder: dict[str, Any], customer: dict[str, Any], profile: Profile) -> str:
    """The letter as HTML."""
    return _templates.get_template("reminder.html").render(
        r=reminder,
        customer=customer,
        seller=profile.seller,
        issued=_day(reminder["issued_on"]),
        deadline=_day(reminder.get("deadline")),
        **_amounts(reminder),
    )


def render_pdf(reminder: dict[str, Any], customer: dict[str, Any], profile: Profile) -> bytes:
    """The letter as an A4 PDF (core fonts: latin-1 covers Danish)."""
    amounts = _amounts(reminder)
    pdf = _Letter(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    text = _latin1
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, text(reminder["title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    seller = profile.seller
    pdf.multi_cell(
        0, 5, text(f"{seller.name}\n{seller.address}\nCVR {seller.cvr}\n{seller.email}"), align="R"
    )
    pdf.ln(4)
    pdf.multi_cell(0, 5, text(f"{customer.get('name', '')}\nCVR {customer.get('cvr') or '-'}"))
    pdf.ln(4)
    pdf.cell(0, 6, text(f"Dato {_day(reminder['issued_on'])}"), new_x="LMARGIN", new_y="NEXT")
    deadline = _day(reminder.get("deadline"))
    pdf.multi_cell(
        0,
        6,
        text(
            f"Vi kan ikke se, at faktura nr. {reminder['invoice_number']} er betalt. "
            f"Vi beder jer betale det skyldige beløb {'senest ' + deadline if deadline else 'straks'}."
        ),
    )
    if reminder.get("collection_notice"):
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(
            0,
            6,
            text(
                f"Inkassovarsel: Betales beløbet ikke senest {deadline}, overgår kravet til inkasso med "
                "yderligere omkostninger til følge. Jeres tjenester er lukket permanent."
            ),
        )
        pdf.set_font("Helvetica", "", 10)
    pdf.ln(3)
    rows = [(f"Skyldigt beløb på faktura nr. {reminder['invoice_number']}", amounts["outstanding"])]
    rows += [
        (label, amounts[key])
        for label, key in (
            ("Rykkergebyr (momsfrit)", "fee"),
            ("Kompensation, renteloven § 9 a, stk. 3 (momsfrit)", "compensation"),
            ("Morarenter (momsfrit)", "interest"),
        )
        if amounts[key]
    ]
    for label, amount in rows:
        pdf.cell(130, 7, text(label))
        pdf.cell(0, 7, text(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(130, 8, text("I alt at betale"))
    pdf.cell(0, 8, text(amounts["total"]), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Courier", "B", 12)
    pdf.cell(0, 8, text(f"FI-kort: {reminder['fi_payment_line']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(
        0, 4, text(f"Gebyr: {reminder['fee_reason']}. {reminder['compensation_reason']}.")
    )
    return bytes(pdf.output())


class _Letter(FPDF):
    """Every text block starts again at the left margin on the next line."""

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("new_x", "LMARGIN")
        kwargs.setdefault("new_y", "NEXT")
        return super().multi_cell(*args, **kwargs)


def _latin1(value: str) -> str:
    # The PDF core fonts are latin-1: Danish letters are there, a few typographic marks are not.
    return (
        value.replace("–", "-")
        .replace("—", "-")
        .replace("×", "x")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )

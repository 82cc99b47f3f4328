"""Checks shared by the renderers: a document's totals must add up to the øre before it is drawn."""

from __future__ import annotations

from decimal import Decimal

from services.billing.documents.model import InvoiceDocument
from shared.money import dkk, vat_of

ZERO = Decimal("0")


def line_sums(doc: InvoiceDocument) -> tuple[Decimal, Decimal]:
    """(sum of taxable line amounts, sum of exempt line amounts), in whole øre."""
    taxable = sum((line.amount for line in doc.lines if line.taxable), ZERO)
    exempt = sum((line.amount for line in doc.lines if not line.taxable), ZERO)
    return dkk(taxable), dkk(exempt)


def check_totals(doc: InvoiceDocument) -> None:
    """Refuse (ValueError, with the reason) a document whose stated totals do not follow from its lines.

    The renderers print and send the document's own totals; this makes sure they are the ones
    the lines give: subtotals per VAT treatment, VAT once on the taxable sum, the total.
    """
    if not doc.lines:
        raise ValueError(f"document {doc.number} has no lines")
    for index, line in enumerate(doc.lines, start=1):
        if line.amount != dkk(line.amount):
            raise ValueError(f"line {index} amount {line.amount} is not in whole øre")
    taxable, exempt = line_sums(doc)
    if taxable != doc.taxable_subtotal:
        raise ValueError(
            f"taxable subtotal {doc.taxable_subtotal} differs from the taxable lines' sum {taxable}"
        )
    if exempt != doc.exempt_subtotal:
        raise ValueError(
            f"VAT-exempt subtotal {doc.exempt_subtotal} differs from the exempt lines' sum {exempt}"
        )
    vat = vat_of(taxable, doc.vat_rate)
    if vat != doc.vat_amount:
        raise ValueError(
            f"VAT amount {doc.vat_amount} differs from {vat} ({doc.vat_rate} of {taxable})"
        )
    total = dkk(taxable + vat + exempt)
    if total != doc.total:
        raise ValueError(f"total {doc.total} differs from subtotals plus VAT ({total})")
    if doc.kind == "credit_note" and doc.total < 0:
        raise ValueError("a credit note states what is credited as a positive amount")
    if doc.delivery_period is not None and doc.delivery_period[0] > doc.delivery_period[1]:
        raise ValueError(f"delivery period {doc.delivery_period} ends before it starts")

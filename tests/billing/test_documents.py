"""Invoice documents: the PDF carries §58's contents, the UBL validates against UBL 2.1 and adds up."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from services.billing.documents.model import InvoiceDocument, Party
from services.billing.documents.pdf import dk_date, dk_quantity, latin1, render_pdf
from services.billing.documents.ubl import (
    CAC,
    CBC,
    render_oioubl,
    render_peppol,
    split_address,
    unit_code,
)
from shared.money import format_dkk
from tests.billing import conftest
from tests.billing.conftest import EXEMPT_LINES, TAXABLE_LINES, line, make_document

REPO = Path(__file__).resolve().parents[2]
XSD_DIR = REPO.parent / "shared" / "validation" / "ubl-2.1" / "xsd"
NS = {"cac": CAC, "cbc": CBC}
DOCUMENTS = ["invoice_doc", "taxable_invoice_doc", "credit_note_doc", "credit_note_with_fees_doc"]
Renderer = Callable[[InvoiceDocument], bytes]
RENDERERS: dict[str, Renderer] = {"peppol": render_peppol, "oioubl": render_oioubl}


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ubl_schemas() -> dict[str, etree.XMLSchema]:
    """The official OASIS UBL 2.1 schemas, loaded once per session from ../shared/validation."""
    for maindoc in ("UBL-Invoice-2.1.xsd", "UBL-CreditNote-2.1.xsd"):
        if not (XSD_DIR / "maindoc" / maindoc).is_file():
            reason = f"UBL 2.1 schemas not found at {XSD_DIR} (the shared/validation folder)"
            if os.environ.get("CI") == "true":
                pytest.fail(f"{reason}; CI must validate against them")
            pytest.skip(reason)
    return {
        "Invoice": etree.XMLSchema(etree.parse(str(XSD_DIR / "maindoc" / "UBL-Invoice-2.1.xsd"))),
        "CreditNote": etree.XMLSchema(
            etree.parse(str(XSD_DIR / "maindoc" / "UBL-CreditNote-2.1.xsd"))
        ),
    }


def amount(root: etree._Element, path: str) -> Decimal:
    values = root.xpath(path, namespaces=NS)
    assert len(values) == 1, f"{path}: expected one value, found {len(values)}"
    return Decimal(values[0])


def amounts(root: etree._Element, path: str) -> list[Decimal]:
    return [Decimal(v) for v in root.xpath(path, namespaces=NS)]


def text(root: etree._Element, path: str) -> str:
    values = root.xpath(path, namespaces=NS)
    assert len(values) == 1, f"{path}: expected one value, found {len(values)}"
    return str(values[0])


def pdf_text(data: bytes) -> str:
    """The PDF's text with runs of whitespace (including line wraps) made single spaces."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


# -- UBL: schema validity -----------------------------------------------------------------------


@pytest.mark.parametrize("flavour", sorted(RENDERERS))
@pytest.mark.parametrize("fixture", DOCUMENTS)
def test_ubl_validates_against_the_official_ubl_21_schema(
    flavour: str,
    fixture: str,
    request: pytest.FixtureRequest,
    ubl_schemas: dict[str, etree.XMLSchema],
) -> None:
    doc: InvoiceDocument = request.getfixturevalue(fixture)
    xml = RENDERERS[flavour](doc)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(xml)
    kind = "CreditNote" if doc.kind == "credit_note" else "Invoice"
    assert etree.QName(root).localname == kind
    schema = ubl_schemas[kind]
    assert schema.validate(root), "\n".join(str(error) for error in schema.error_log)


# -- UBL: the sums equal the document's totals ---------------------------------------------------


@pytest.mark.parametrize("flavour", sorted(RENDERERS))
@pytest.mark.parametrize("fixture", DOCUMENTS)
def test_ubl_sums_equal_the_document_totals(
    flavour: str, fixture: str, request: pytest.FixtureRequest
) -> None:
    doc: InvoiceDocument = request.getfixturevalue(fixture)
    root = etree.fromstring(RENDERERS[flavour](doc))
    line_tag = "cac:CreditNoteLine" if doc.kind == "credit_note" else "cac:InvoiceLine"
    net = doc.taxable_subtotal + doc.exempt_subtotal

    line_amounts = amounts(root, f"/*/{line_tag}/cbc:LineExtensionAmount/text()")
    assert line_amounts == [x.amount for x in doc.lines]
    assert sum(line_amounts) == net
    assert amount(root, "/*/cac:LegalMonetaryTotal/cbc:LineExtensionAmount/text()") == net
    assert amount(root, "/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount/text()") == doc.total
    assert amount(root, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == doc.total
    tax_exclusive = amount(root, "/*/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount/text()")
    assert tax_exclusive == (doc.vat_amount if flavour == "oioubl" else net)
    assert amount(root, "/*/cac:TaxTotal/cbc:TaxAmount/text()") == doc.vat_amount
    assert len(root.xpath("/*/cac:TaxTotal", namespaces=NS)) == 1

    standard, exempt = ("StandardRated", "ZeroRated") if flavour == "oioubl" else ("S", "E")
    sub = "/*/cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cbc:ID='{}']/cbc:{}/text()"
    assert amount(root, sub.format(standard, "TaxableAmount")) == doc.taxable_subtotal
    assert amount(root, sub.format(standard, "TaxAmount")) == doc.vat_amount
    assert (
        text(
            root,
            sub.format(standard, "TaxAmount").replace(
                "cbc:TaxAmount/text()", "cac:TaxCategory/cbc:Percent/text()"
            ),
        )
        == "25"
    )
    if doc.exempt_subtotal or any(not x.taxable for x in doc.lines):
        assert amount(root, sub.format(exempt, "TaxableAmount")) == doc.exempt_subtotal
        assert amount(root, sub.format(exempt, "TaxAmount")) == 0
        reason = sub.format(exempt, "TaxAmount").replace(
            "cbc:TaxAmount/text()", "cac:TaxCategory/cbc:TaxExemptionReason/text()"
        )
        assert text(root, reason)
    else:
        assert root.xpath(sub.format(exempt, "TaxableAmount"), namespaces=NS) == []
    # Taxable + VAT + exempt = payable, to the øre.
    subtotals = amounts(root, "/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount/text()")
    assert sum(subtotals) + doc.vat_amount == doc.total


@pytest.mark.parametrize("flavour", sorted(RENDERERS))
def test_ubl_line_quantity_times_price_less_discount_is_the_line_amount(
    flavour: str, invoice_doc: InvoiceDocument
) -> None:
    root = etree.fromstring(RENDERERS[flavour](invoice_doc))
    for node, source in zip(
        root.xpath("/*/cac:InvoiceLine", namespaces=NS), invoice_doc.lines, strict=True
    ):
        quantity = amount(node, "cbc:InvoicedQuantity/text()")
        price = amount(node, "cac:Price/cbc:PriceAmount/text()")
        allowances = sum(
            amounts(node, "cac:AllowanceCharge[cbc:ChargeIndicator='false']/cbc:Amount/text()"),
            Decimal("0"),
        )
        charges = sum(
            amounts(node, "cac:AllowanceCharge[cbc:ChargeIndicator='true']/cbc:Amount/text()"),
            Decimal("0"),
        )
        line_amount = amount(node, "cbc:LineExtensionAmount/text()")
        assert abs(quantity * price - allowances + charges - line_amount) < Decimal("0.01")
        assert line_amount == source.amount
        assert text(node, "cbc:InvoicedQuantity/@unitCode") == unit_code(source.unit)
    discounted = root.xpath("/*/cac:InvoiceLine[cac:AllowanceCharge]", namespaces=NS)
    assert len(discounted) == 1
    factor = text(discounted[0], "cac:AllowanceCharge/cbc:MultiplierFactorNumeric/text()")
    assert factor == ("0.1" if flavour == "oioubl" else "10")
    assert amount(discounted[0], "cac:AllowanceCharge/cbc:Amount/text()") == Decimal("212.50")


# -- UBL: Peppol specifics ---------------------------------------------------------------------


def test_peppol_invoice_header_parties_and_fi_payment(invoice_doc: InvoiceDocument) -> None:
    root = etree.fromstring(render_peppol(invoice_doc))
    assert text(root, "/*/cbc:CustomizationID/text()") == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert text(root, "/*/cbc:ProfileID/text()") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert text(root, "/*/cbc:ID/text()") == "1042"
    assert text(root, "/*/cbc:IssueDate/text()") == "2026-03-31"
    assert text(root, "/*/cbc:DueDate/text()") == "2026-04-14"
    assert text(root, "/*/cbc:InvoiceTypeCode/text()") == "380"
    assert text(root, "/*/cbc:DocumentCurrencyCode/text()") == "DKK"
    assert text(root, "/*/cbc:BuyerReference/text()")  # PEPPOL-EN16931-R003
    assert text(root, "/*/cac:InvoicePeriod/cbc:StartDate/text()") == "2026-03-01"
    assert text(root, "/*/cac:InvoicePeriod/cbc:EndDate/text()") == "2026-03-31"
    supplier = "/*/cac:AccountingSupplierParty/cac:Party"
    assert text(root, f"{supplier}/cbc:EndpointID/@schemeID") == "0184"
    assert text(root, f"{supplier}/cbc:EndpointID/text()") == "DK30000005"
    assert text(root, f"{supplier}/cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == "0184"
    assert text(root, f"{supplier}/cac:PartyTaxScheme/cbc:CompanyID/text()") == "DK30000005"
    assert text(root, f"{supplier}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID/text()") == "VAT"
    assert text(root, f"{supplier}/cac:PostalAddress/cbc:PostalZone/text()") == "7100"
    assert (
        text(root, f"{supplier}/cac:PostalAddress/cac:Country/cbc:IdentificationCode/text()")
        == "DK"
    )
    customer = "/*/cac:AccountingCustomerParty/cac:Party"
    assert text(root, f"{customer}/cbc:EndpointID/text()") == "DK29403473"
    assert text(root, f"{customer}/cac:PartyLegalEntity/cbc:RegistrationName/text()") == (
        "Hansen & Søn Rådgivning ApS"
    )
    assert text(root, f"{customer}/cac:PostalAddress/cbc:CityName/text()") == "Aarhus C"
    means = "/*/cac:PaymentMeans"
    assert text(root, f"{means}/cbc:PaymentMeansCode/text()") == "93"
    # DK-R-010/011: '71#' + the 15-digit payment id; creditor number (8) as the payee account.
    assert text(root, f"{means}/cbc:PaymentID/text()") == f"71#{invoice_doc.payment_id}"
    assert text(root, f"{means}/cac:PayeeFinancialAccount/cbc:ID/text()") == "81234567"
    assert root.xpath("/*/cac:BillingReference", namespaces=NS) == []
    line_period = "/*/cac:InvoiceLine[1]/cac:InvoicePeriod/cbc:StartDate/text()"
    assert text(root, line_period) == "2026-03-01"
    assert (
        text(root, "/*/cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory/cbc:ID/text()") == "S"
    )
    assert (
        text(root, "/*/cac:InvoiceLine[5]/cac:Item/cac:ClassifiedTaxCategory/cbc:ID/text()") == "E"
    )
    assert text(
        root, "/*/cac:InvoiceLine[1]/cac:Item/cac:SellersItemIdentification/cbc:ID/text()"
    ) == ("M365-BP")


def test_peppol_credit_note_references_the_invoice(credit_note_doc: InvoiceDocument) -> None:
    root = etree.fromstring(render_peppol(credit_note_doc))
    assert text(root, "/*/cbc:CreditNoteTypeCode/text()") == "381"
    ref = "/*/cac:BillingReference/cac:InvoiceDocumentReference"
    assert text(root, f"{ref}/cbc:ID/text()") == "1042"
    assert text(root, f"{ref}/cbc:IssueDate/text()") == "2026-03-31"
    assert text(root, "/*/cbc:Note/text()") == credit_note_doc.note
    assert root.xpath("/*/cac:PaymentMeans", namespaces=NS) == []
    assert amount(root, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()") > 0  # DK-R-016
    assert amounts(root, "/*/cac:CreditNoteLine/cbc:CreditedQuantity/text()") == [12, 8]


# -- UBL: OIOUBL specifics ---------------------------------------------------------------------


def test_oioubl_invoice_header_parties_and_fik(invoice_doc: InvoiceDocument) -> None:
    root = etree.fromstring(render_oioubl(invoice_doc))
    assert text(root, "/*/cbc:UBLVersionID/text()") == "2.0"
    assert text(root, "/*/cbc:CustomizationID/text()") == "OIOUBL-2.01"
    assert text(root, "/*/cbc:ProfileID/text()") == "Procurement-OrdSimR-BilSim-1.0"
    assert text(root, "/*/cbc:ProfileID/@schemeAgencyID") == "320"
    assert text(root, "/*/cbc:ProfileID/@schemeID") == "urn:oioubl:id:profileid-1.2"
    assert text(root, "/*/cbc:InvoiceTypeCode/text()") == "380"
    assert text(root, "/*/cbc:InvoiceTypeCode/@listID") == "urn:oioubl:codelist:invoicetypecode-1.1"
    uuid_text = text(root, "/*/cbc:UUID/text()")
    assert uuid_text == text(etree.fromstring(render_oioubl(invoice_doc)), "/*/cbc:UUID/text()")
    supplier = "/*/cac:AccountingSupplierParty/cac:Party"
    assert text(root, f"{supplier}/cbc:EndpointID/@schemeID") == "DK:CVR"
    assert text(root, f"{supplier}/cbc:EndpointID/text()") == "DK30000005"
    assert text(root, f"{supplier}/cac:PartyLegalEntity/cbc:CompanyID/text()") == "DK30000005"
    assert text(root, f"{supplier}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID/text()") == "63"
    assert (
        text(root, f"{supplier}/cac:PostalAddress/cbc:AddressFormatCode/text()") == "StructuredDK"
    )
    assert text(root, f"{supplier}/cac:PostalAddress/cbc:StreetName/text()") == "Eksempelvej"
    assert text(root, f"{supplier}/cac:PostalAddress/cbc:BuildingNumber/text()") == "1"
    assert text(root, "/*/cac:OrderReference/cbc:ID/text()")
    means = "/*/cac:PaymentMeans"
    assert text(root, f"{means}/cbc:PaymentMeansCode/text()") == "93"
    assert text(root, f"{means}/cbc:PaymentDueDate/text()") == "2026-04-14"
    assert text(root, f"{means}/cbc:PaymentChannelCode/text()") == "DK:FIK"
    assert text(root, f"{means}/cbc:PaymentID/text()") == "71"
    assert text(root, f"{means}/cbc:InstructionID/text()") == invoice_doc.payment_id
    assert text(root, f"{means}/cac:CreditAccount/cbc:AccountID/text()") == "81234567"
    # OIOUBL states VAT per line too; per-line rounding may differ from the document's VAT by øre.
    line_vat = amounts(root, "/*/cac:InvoiceLine/cac:TaxTotal/cbc:TaxAmount/text()")
    assert abs(sum(line_vat) - invoice_doc.vat_amount) <= Decimal("0.01") * len(line_vat)
    first_note = text(root, "/*/cac:InvoiceLine[1]/cbc:Note/text()")
    assert first_note == "Periode 01.03.2026 - 31.03.2026"


def test_oioubl_credit_note_references_the_invoice(
    credit_note_with_fees_doc: InvoiceDocument,
) -> None:
    root = etree.fromstring(render_oioubl(credit_note_with_fees_doc))
    assert etree.QName(root).localname == "CreditNote"
    ref = "/*/cac:BillingReference/cac:InvoiceDocumentReference"
    assert text(root, f"{ref}/cbc:ID/text()") == "1042"
    assert root.xpath("/*/cac:PaymentMeans", namespaces=NS) == []
    categories = root.xpath(
        "/*/cac:CreditNoteLine/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()",
        namespaces=NS,
    )
    assert categories == ["StandardRated", "ZeroRated"]


# -- UBL: refusals and helpers ------------------------------------------------------------------


@pytest.mark.parametrize("render", [render_peppol, render_oioubl])
def test_ubl_refuses_inconsistent_totals(render: Renderer, invoice_doc: InvoiceDocument) -> None:
    with pytest.raises(ValueError, match="VAT amount"):
        render(replace(invoice_doc, vat_amount=invoice_doc.vat_amount + Decimal("0.01")))
    with pytest.raises(ValueError, match="exempt"):
        render(replace(invoice_doc, exempt_subtotal=Decimal("0")))


@pytest.mark.parametrize("render", [render_peppol, render_oioubl])
def test_ubl_needs_both_cvr_numbers(render: Renderer, invoice_doc: InvoiceDocument) -> None:
    no_cvr = replace(invoice_doc, buyer=Party(name="Privat", address="Vej 1, 8000 Aarhus C"))
    with pytest.raises(ValueError, match="buyer's CVR"):
        render(no_cvr)


def test_ubl_negative_adjustment_line_has_a_negative_quantity_not_price(
    ubl_schemas: dict[str, etree.XMLSchema],
) -> None:
    adjustment = line(
        "Regulering: 2 licenser opsagt", "1", "periode", "-330.00", period=conftest.MARCH
    )
    doc = make_document((*TAXABLE_LINES, adjustment))
    for render in (render_peppol, render_oioubl):
        root = etree.fromstring(render(doc))
        assert ubl_schemas["Invoice"].validate(root)
        last = root.xpath("/*/cac:InvoiceLine[last()]", namespaces=NS)[0]
        assert amount(last, "cbc:InvoicedQuantity/text()") == -1
        assert amount(last, "cac:Price/cbc:PriceAmount/text()") == Decimal("330.00")
        assert amount(last, "cbc:LineExtensionAmount/text()") == Decimal("-330.00")


def test_split_address() -> None:
    address = split_address("Ørstedsgade 12, 1. sal\n8000 Aarhus C")
    assert (address.street, address.building_number, address.extra) == (
        "Ørstedsgade",
        "12",
        "1. sal",
    )
    assert (address.postal_zone, address.city, address.country) == ("8000", "Aarhus C", "DK")
    assert split_address("DK-7100 Vejle").postal_zone == "7100"
    assert split_address("Postboks 17").building_number == "17"


def test_unit_codes() -> None:
    assert [unit_code(u) for u in ("stk.", "timer", "km", "md.", "kvartal", "periode", "???")] == [
        "H87",
        "HUR",
        "KMT",
        "MON",
        "QAN",
        "C62",
        "C62",
    ]


# -- PDF -------------------------------------------------------------------------------------


def test_pdf_invoice_carries_the_section_58_contents(invoice_doc: InvoiceDocument) -> None:
    data = render_pdf(invoice_doc)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
    content = pdf_text(data)
    expected = [
        "FAKTURA",
        "Faktura nr.",
        "1042",
        "Fakturadato",
        "31.03.2026",
        "Betalingsfrist",
        "14.04.2026",
        "Leveringsperiode",
        "01.03.2026 - 31.03.2026",
        # seller and buyer: names, addresses, CVR
        "Safe IT-Solutions ApS",
        "Eksempelvej 1",
        "7100 Vejle",
        "CVR-nr. 30000005",
        "Hansen & Søn Rådgivning ApS",
        "Ørstedsgade 12",
        "8000 Aarhus C",
        "CVR-nr. 29403473",
        # lines: quantity and kind, unit price excl. VAT, discount, amount
        "Antal",
        "Enhed",
        "Enhedspris",
        "ekskl. moms",
        "Rabat",
        "Beløb",
        "stk.",
        "timer",
        "km",
        "Microsoft 365 Business Premium - licens, marts 2026",  # en dash drawn as '-'
        "Konsulentbistand: opsætning af ny firewall",
        "2,5",
        "850,00",
        "10 %",
        "1.912,50",
        "3,94",
        "165,48",
        "Dato: 10.03.2026",
        # VAT and the exempt fees with their own subtotal
        "Momspligtigt beløb ekskl. moms",
        format_dkk(Decimal("5137.98")),
        "Moms 25 %",
        format_dkk(Decimal("1284.50")),
        "Momsfrie gebyrer",
        "Subtotal momsfrie gebyrer",
        "Rykkergebyr, faktura 1031",
        "Kompensation, renteloven § 9 a, stk. 3",
        format_dkk(Decimal("410.00")),
        "I alt DKK",
        format_dkk(Decimal("6832.48")),
        # payment
        "1234 0001234567",
        "000000000010421",
        "81234567",
        invoice_doc.fi_payment_line,
        "Side 1 af 1",
    ]
    missing = [item for item in expected if item not in content]
    assert not missing, f"missing from the PDF text: {missing}\n---\n{content}"
    assert invoice_doc.fi_payment_line == "+71<000000000010421+81234567<"


def test_pdf_credit_note_references_the_invoice_and_has_no_payment_slip(
    credit_note_doc: InvoiceDocument,
) -> None:
    content = pdf_text(render_pdf(credit_note_doc))
    for item in [
        "KREDITNOTA",
        "Kreditnota nr.",
        "1057",
        "Kreditnotadato",
        "08.04.2026",
        "Vedrører faktura nr.",
        "1042",
        "Fakturaens dato",
        "31.03.2026",
        "krediterer faktura nr. 1042 af 31.03.2026",
        "CVR-nr. 30000005",
        "CVR-nr. 29403473",
        "Moms 25 %",
        format_dkk(credit_note_doc.vat_amount),
        "I alt DKK krediteret",
        format_dkk(credit_note_doc.total),
        credit_note_doc.note,
    ]:
        assert item in content, f"{item!r} missing from\n{content}"
    assert "+71<" not in content
    assert "Betalingsfrist" not in content
    assert "Momsfrie gebyrer" not in content  # no exempt lines on this one


def test_pdf_with_many_lines_breaks_pages_and_keeps_the_slip_whole() -> None:
    lines = [
        line(
            f"Microsoft 365 licens nr. {i}, en beskrivelse lang nok til at blive ombrudt",
            "1",
            "stk.",
            "99.95",
        )
        for i in range(45)
    ]
    doc = make_document((*lines, *EXEMPT_LINES))
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    assert all("Beskrivelse" in page for page in pages[:-1])  # headings repeat
    assert f"Side {len(pages)} af {len(pages)}" in pages[-1]
    assert doc.fi_payment_line in pages[-1]
    assert format_dkk(doc.total) in pages[-1]
    assert sum(page.count("licens nr.") for page in pages) == 45


def test_pdf_refuses_inconsistent_totals(invoice_doc: InvoiceDocument) -> None:
    with pytest.raises(ValueError, match="total"):
        render_pdf(replace(invoice_doc, total=invoice_doc.total + 1))


def test_pdf_text_helpers() -> None:
    assert latin1("Licens – marts “2026” … €5") == 'Licens - marts "2026" ... EUR5'
    assert latin1("æøå ÆØÅ §") == "æøå ÆØÅ §"
    assert latin1("✓") == "?"
    assert [dk_quantity(Decimal(q)) for q in ("2.50", "12", "1250.5", "-1")] == [
        "2,5",
        "12",
        "1.250,5",
        "-1",
    ]
    assert dk_date(TAXABLE_LINES[0].period_start) == "01.03.2026"  # type: ignore[arg-type]


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed"
)
def test_pdf_renders_to_png(invoice_doc: InvoiceDocument, tmp_path: Path) -> None:
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(render_pdf(invoice_doc))
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    png = (tmp_path / "page.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000

"""UBL XML for e-invoicing: Peppol BIS Billing 3.0 and OIOUBL 2.01, invoice and credit note.

Both are UBL documents (validated against the OASIS UBL 2.1 schemas); they differ in the
identifiers and code lists they use:

Peppol BIS Billing 3.0:
  parties ``EndpointID``/``CompanyID`` with ``schemeID="0184"`` and ``DK`` + CVR; VAT categories
  ``S`` (25 %) and ``E`` (exempt, with a reason) in tax scheme ``VAT``; FI-kort as payment means
  93 with ``PaymentID`` ``71#`` + payment id and the creditor number in ``PayeeFinancialAccount``
  (rules DK-R-010/011); ``TaxExclusiveAmount`` is the sum of the lines excluding VAT.
OIOUBL 2.01:
  ``UBLVersionID`` 2.0; parties with ``schemeID="DK:CVR"`` and ``DK`` + CVR; tax categories
  ``StandardRated`` / ``ZeroRated`` in tax scheme ``63`` (Moms); FI-kort as payment means 93 with
  ``PaymentChannelCode`` ``DK:FIK``, ``PaymentID`` 71, the 15-digit payment id as
  ``InstructionID`` and the creditor number as ``CreditAccount/AccountID``; VAT per line; and
  ``TaxExclusiveAmount`` holds the VAT amount (OIOUBL's own reading of that element).

Credit notes carry no payment means: money goes to the customer, not from them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from lxml import etree

from services.billing.documents.checks import check_totals
from services.billing.documents.fik import check_creditor_number, check_payment_id
from services.billing.documents.model import DocumentLine, InvoiceDocument, Party
from shared.money import dkk

Flavour = Literal["peppol", "oioubl"]

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
PEPPOL_CVR_SCHEME = "0184"  # ISO 6523 ICD: Danish CVR (DIGSTORG)

OIOUBL_CUSTOMIZATION = "OIOUBL-2.01"
OIOUBL_PROFILE = "Procurement-OrdSimR-BilSim-1.0"
OIO_AGENCY = "320"  # the Danish agency that keeps OIOUBL's code lists
OIO_PROFILE_SCHEME = "urn:oioubl:id:profileid-1.2"
OIO_TAX_CATEGORY_SCHEME = "urn:oioubl:id:taxcategoryid-1.1"
OIO_TAX_SCHEME_SCHEME = "urn:oioubl:id:taxschemeid-1.1"
OIO_VAT_SCHEME_ID = "63"  # Moms
# A fixed namespace so the same document always gets the same OIOUBL UUID.
_UUID_NAMESPACE = uuid.UUID("3f1c8a7e-5d0b-4c59-9a3e-0b6f1f2d7c41")

FIK_MEANS_CODE = "93"
FIK_CARD_TYPE = "71"
EXEMPTION_REASON = "Momsfrit: gebyr, kompensation eller renter uden for momsgrundlaget"

# Danish units as the platform writes them -> UN/ECE Recommendation 20 codes.
UNIT_CODES: dict[str, str] = {
    "stk": "H87",
    "stk.": "H87",
    "styk": "H87",
    "enhed": "C62",
    "enheder": "C62",
    "licens": "H87",
    "licenser": "H87",
    "time": "HUR",
    "timer": "HUR",
    "t": "HUR",
    "t.": "HUR",
    "km": "KMT",
    "dag": "DAY",
    "dage": "DAY",
    "md": "MON",
    "md.": "MON",
    "mdr": "MON",
    "mdr.": "MON",
    "måned": "MON",
    "måneder": "MON",
    "kvartal": "QAN",
    "kvartaler": "QAN",
    "år": "ANN",
    "periode": "C62",
}
DEFAULT_UNIT_CODE = "C62"  # "one"


def unit_code(unit: str) -> str:
    """The UN/ECE Rec. 20 code for a Danish unit text ("stk." -> H87, "timer" -> HUR); C62 if unknown."""
    return UNIT_CODES.get(unit.strip().lower(), DEFAULT_UNIT_CODE)


@dataclass(frozen=True)
class Address:
    """A postal address split into the parts UBL wants."""

    street: str
    building_number: str
    extra: str
    postal_zone: str
    city: str
    country: str = "DK"

    @property
    def street_line(self) -> str:
        return f"{self.street} {self.building_number}".strip()


def split_address(address: str) -> Address:
    """Split "Vestergade 12, 2. tv., 8000 Aarhus C" (commas or line breaks) into UBL parts.

    The last part holding a four-digit postcode gives postal zone and city; the first part is
    the street (and house number when it ends in one); parts in between are extra lines.
    Country is DK: the platform serves Danish providers and customers.
    """
    parts = [p.strip() for p in re.split(r"[\n,]", address) if p.strip()]
    postal_zone = city = ""
    for index in range(len(parts) - 1, -1, -1):
        match = re.fullmatch(r"(?:DK-?\s*)?(\d{4})\s+(.+)", parts[index])
        if match:
            postal_zone, city = match.groups()
            del parts[index]
            break
    street_part = parts[0] if parts else ""
    extra = ", ".join(parts[1:])
    match = re.fullmatch(r"(.+?)\s+(\d+\s?[A-Za-z]?)", street_part)
    street, building = (match.group(1), match.group(2)) if match else (street_part, "")
    return Address(street, building, extra, postal_zone, city)


def cvr_digits(party: Party, role: str) -> str:
    """The party's CVR as 8 digits (a "DK" prefix and spaces are tolerated); ValueError if missing."""
    raw = (party.cvr or "").replace(" ", "").upper().removeprefix("DK")
    if not re.fullmatch(r"\d{8}", raw):
        raise ValueError(f"e-invoicing needs the {role}'s CVR number (8 digits), got {party.cvr!r}")
    return raw


def _amount(value: Decimal) -> str:
    return f"{dkk(value):.2f}"


def _number(value: Decimal) -> str:
    """A plain decimal without exponent or trailing zeros: 25, 1.5, 0.1."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def _percent(rate: Decimal) -> str:
    return _number(rate * 100)


def _iso(day: date) -> str:
    return day.isoformat()


class _Writer:
    """Builds one UBL document; `flavour` picks Peppol's or OIOUBL's identifiers."""

    def __init__(self, doc: InvoiceDocument, flavour: Flavour) -> None:
        check_totals(doc)
        self.doc = doc
        self.flavour = flavour
        self.credit = doc.kind == "credit_note"
        self.currency = doc.currency
        self.seller_cvr = cvr_digits(doc.seller, "seller")
        self.buyer_cvr = cvr_digits(doc.buyer, "buyer")
        if not self.credit:
            check_payment_id(doc.payment_id)
            check_creditor_number(doc.creditor_number)
        root_ns = CREDIT_NOTE_NS if self.credit else INVOICE_NS
        root_name = "CreditNote" if self.credit else "Invoice"
        self.root = etree.Element(
            f"{{{root_ns}}}{root_name}", nsmap={None: root_ns, "cac": CAC, "cbc": CBC}
        )

    # -- element helpers --------------------------------------------------------------------

    @staticmethod
    def cbc(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{CBC}}}{tag}", attrib=attrs or None)
        element.text = text
        return element

    @staticmethod
    def cac(parent: etree._Element, tag: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{tag}")

    def money(self, parent: etree._Element, tag: str, value: Decimal) -> etree._Element:
        return self.cbc(parent, tag, _amount(value), currencyID=self.currency)

    @property
    def oio(self) -> bool:
        return self.flavour == "oioubl"

    # -- the document -------------------------------------------------------------------------

    def build(self) -> bytes:
        doc, root = self.doc, self.root
        if self.oio:
            self.cbc(root, "UBLVersionID", "2.0")
            self.cbc(root, "CustomizationID", OIOUBL_CUSTOMIZATION)
            self.cbc(
                root,
                "ProfileID",
                OIOUBL_PROFILE,
                schemeAgencyID=OIO_AGENCY,
                schemeID=OIO_PROFILE_SCHEME,
            )
        else:
            self.cbc(root, "CustomizationID", PEPPOL_CUSTOMIZATION)
            self.cbc(root, "ProfileID", PEPPOL_PROFILE)
        self.cbc(root, "ID", str(doc.number))
        if self.oio:
            self.cbc(root, "CopyIndicator", "false")
            self.cbc(root, "UUID", str(self.document_uuid()))
        self.cbc(root, "IssueDate", _iso(doc.issue_date))
        if not self.credit:
            if doc.due_date is not None and not self.oio:
                self.cbc(root, "DueDate", _iso(doc.due_date))
            type_attrs = (
                {"listAgencyID": OIO_AGENCY, "listID": "urn:oioubl:codelist:invoicetypecode-1.1"}
                if self.oio
                else {}
            )
            self.cbc(root, "InvoiceTypeCode", "380", **type_attrs)
        elif not self.oio:
            self.cbc(root, "CreditNoteTypeCode", "381")
        if doc.note:
            self.cbc(root, "Note", doc.note)
        self.cbc(root, "DocumentCurrencyCode", self.currency)
        if not self.oio:
            self.cbc(root, "BuyerReference", self.buyer_reference())
        if doc.delivery_period is not None:
            period = self.cac(root, "InvoicePeriod")
            self.cbc(period, "StartDate", _iso(doc.delivery_period[0]))
            self.cbc(period, "EndDate", _iso(doc.delivery_period[1]))
        if self.oio and not self.credit:
            order = self.cac(root, "OrderReference")
            self.cbc(order, "ID", self.buyer_reference())
        if doc.references_invoice is not None:
            billing = self.cac(root, "BillingReference")
            ref = self.cac(billing, "InvoiceDocumentReference")
            self.cbc(ref, "ID", str(doc.references_invoice))
            if doc.references_issue_date is not None:
                self.cbc(ref, "IssueDate", _iso(doc.references_issue_date))
        self.party(self.cac(root, "AccountingSupplierParty"), doc.seller, self.seller_cvr, True)
        self.party(self.cac(root, "AccountingCustomerParty"), doc.buyer, self.buyer_cvr, False)
        if not self.credit:
            self.payment_means()
            if not self.oio:
                self.payment_terms()
        self.tax_total()
        self.monetary_total()
        for index, line in enumerate(doc.lines, start=1):
            self.line(index, line)
        xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return xml

    def document_uuid(self) -> uuid.UUID:
        return uuid.uuid5(_UUID_NAMESPACE, f"{self.seller_cvr}:{self.doc.kind}:{self.doc.number}")

    def buyer_reference(self) -> str:
        """The buyer's own reference; lacking one, their CVR number, so the element is never empty."""
        return self.doc.buyer_reference or self.buyer_cvr

    # -- parties ------------------------------------------------------------------------------

    def party(self, holder: etree._Element, who: Party, cvr: str, seller: bool) -> None:
        party = self.cac(holder, "Party")
        dk_cvr = f"DK{cvr}"
        if self.oio:
            self.cbc(party, "EndpointID", dk_cvr, schemeAgencyID=OIO_AGENCY, schemeID="DK:CVR")
            ident = self.cac(party, "PartyIdentification")
            self.cbc(ident, "ID", dk_cvr, schemeAgencyID=OIO_AGENCY, schemeID="DK:CVR")
        else:
            self.cbc(party, "EndpointID", dk_cvr, schemeID=PEPPOL_CVR_SCHEME)
        name = self.cac(party, "PartyName")
        self.cbc(name, "Name", who.name)
        self.address(party, split_address(who.address))
        tax_scheme = self.cac(party, "PartyTaxScheme")
        if self.oio:
            self.cbc(tax_scheme, "CompanyID", dk_cvr, schemeAgencyID=OIO_AGENCY, schemeID="DK:SE")
        else:
            self.cbc(tax_scheme, "CompanyID", dk_cvr)
        self.tax_scheme(tax_scheme)
        legal = self.cac(party, "PartyLegalEntity")
        self.cbc(legal, "RegistrationName", who.name)
        if self.oio:
            self.cbc(legal, "CompanyID", dk_cvr, schemeAgencyID=OIO_AGENCY, schemeID="DK:CVR")
        else:
            self.cbc(legal, "CompanyID", dk_cvr, schemeID=PEPPOL_CVR_SCHEME)
        contact_id = None if seller else (self.buyer_reference() if self.oio else None)
        if who.email or contact_id:
            contact = self.cac(party, "Contact")
            if contact_id:
                self.cbc(contact, "ID", contact_id)
            if who.email:
                self.cbc(contact, "ElectronicMail", who.email)

    def address(self, party: etree._Element, address: Address) -> None:
        postal = self.cac(party, "PostalAddress")
        if self.oio:
            structured = bool(address.street and address.building_number and address.postal_zone)
            self.cbc(
                postal,
                "AddressFormatCode",
                "StructuredDK" if structured else "StructuredLax",
                listAgencyID=OIO_AGENCY,
                listID="urn:oioubl:codelist:addressformatcode-1.1",
            )
            if address.street:
                self.cbc(postal, "StreetName", address.street)
            if address.extra:
                self.cbc(postal, "AdditionalStreetName", address.extra)
            if address.building_number:
                self.cbc(postal, "BuildingNumber", address.building_number)
        else:
            if address.street_line:
                self.cbc(postal, "StreetName", address.street_line)
            if address.extra:
                self.cbc(postal, "AdditionalStreetName", address.extra)
        if address.city:
            self.cbc(postal, "CityName", address.city)
        if address.postal_zone:
            self.cbc(postal, "PostalZone", address.postal_zone)
        country = self.cac(postal, "Country")
        self.cbc(country, "IdentificationCode", address.country)

    def tax_scheme(self, parent: etree._Element) -> None:
        scheme = self.cac(parent, "TaxScheme")
        if self.oio:
            self.cbc(
                scheme,
                "ID",
                OIO_VAT_SCHEME_ID,
                schemeAgencyID=OIO_AGENCY,
                schemeID=OIO_TAX_SCHEME_SCHEME,
            )
            self.cbc(scheme, "Name", "Moms")
        else:
            self.cbc(scheme, "ID", "VAT")

    # -- payment ------------------------------------------------------------------------------

    def payment_means(self) -> None:
        doc = self.doc
        means = self.cac(self.root, "PaymentMeans")
        if self.oio:
            self.cbc(means, "ID", "1")
            self.cbc(means, "PaymentMeansCode", FIK_MEANS_CODE)
            if doc.due_date is not None:
                self.cbc(means, "PaymentDueDate", _iso(doc.due_date))
            self.cbc(
                means,
                "PaymentChannelCode",
                "DK:FIK",
                listAgencyID=OIO_AGENCY,
                listID="urn:oioubl:codelist:paymentchannelcode-1.1",
            )
            self.cbc(means, "InstructionID", doc.payment_id)
            self.cbc(
                means,
                "PaymentID",
                FIK_CARD_TYPE,
                schemeAgencyID=OIO_AGENCY,
                schemeID="urn:oioubl:id:paymentid-1.1",
            )
            account = self.cac(means, "CreditAccount")
            self.cbc(account, "AccountID", doc.creditor_number)
        else:
            self.cbc(means, "PaymentMeansCode", FIK_MEANS_CODE, name="FI-kort")
            # Peppol DK-R-010/011: card type, '#', then the 15-digit payment id.
            self.cbc(means, "PaymentID", f"{FIK_CARD_TYPE}#{doc.payment_id}")
            account = self.cac(means, "PayeeFinancialAccount")
            self.cbc(account, "ID", doc.creditor_number)

    def payment_terms(self) -> None:
        doc = self.doc
        if doc.due_date is None:
            return
        days = (doc.due_date - doc.issue_date).days
        terms = self.cac(self.root, "PaymentTerms")
        self.cbc(terms, "Note", f"Netto {days} dage. Betalingsfrist {doc.due_date:%d.%m.%Y}.")

    # -- tax and totals -----------------------------------------------------------------------

    def tax_category(self, parent: etree._Element, element: str, taxable: bool) -> None:
        category = self.cac(parent, element)
        if self.oio:
            self.cbc(
                category,
                "ID",
                "StandardRated" if taxable else "ZeroRated",
                schemeAgencyID=OIO_AGENCY,
                schemeID=OIO_TAX_CATEGORY_SCHEME,
            )
        else:
            self.cbc(category, "ID", "S" if taxable else "E")
        self.cbc(category, "Percent", _percent(self.doc.vat_rate) if taxable else "0")
        if not taxable and element == "TaxCategory":
            self.cbc(category, "TaxExemptionReason", EXEMPTION_REASON)
        self.tax_scheme(category)

    def tax_total(self) -> None:
        doc = self.doc
        total = self.cac(self.root, "TaxTotal")
        self.money(total, "TaxAmount", doc.vat_amount)
        if any(line.taxable for line in doc.lines):
            sub = self.cac(total, "TaxSubtotal")
            self.money(sub, "TaxableAmount", doc.taxable_subtotal)
            self.money(sub, "TaxAmount", doc.vat_amount)
            self.tax_category(sub, "TaxCategory", True)
        if any(not line.taxable for line in doc.lines):
            sub = self.cac(total, "TaxSubtotal")
            self.money(sub, "TaxableAmount", doc.exempt_subtotal)
            self.money(sub, "TaxAmount", Decimal("0"))
            self.tax_category(sub, "TaxCategory", False)

    def monetary_total(self) -> None:
        doc = self.doc
        net = doc.taxable_subtotal + doc.exempt_subtotal
        total = self.cac(self.root, "LegalMonetaryTotal")
        self.money(total, "LineExtensionAmount", net)
        # OIOUBL reads TaxExclusiveAmount as "the VAT amount"; Peppol as "total without VAT".
        self.money(total, "TaxExclusiveAmount", doc.vat_amount if self.oio else net)
        self.money(total, "TaxInclusiveAmount", doc.total)
        self.money(total, "PayableAmount", doc.total)

    # -- lines --------------------------------------------------------------------------------

    def line(self, index: int, line: DocumentLine) -> None:
        element = self.cac(self.root, "CreditNoteLine" if self.credit else "InvoiceLine")
        self.cbc(element, "ID", str(index))
        # Prices are never negative in UBL: a negative line (a reduction) has a negative quantity.
        quantity, price = line.quantity, line.unit_price
        if price < 0:
            quantity, price = -quantity, -price
        has_period = line.period_start is not None and line.period_end is not None
        if self.oio and line.period_start and line.period_end:
            # UBL 2.0 (OIOUBL 2.01) lines have no InvoicePeriod: say it in the line note.
            start, end = line.period_start, line.period_end
            when = (
                f"Dato {start:%d.%m.%Y}"
                if start == end
                else f"Periode {start:%d.%m.%Y} - {end:%d.%m.%Y}"
            )
            self.cbc(element, "Note", when)
        code = unit_code(line.unit)
        self.cbc(
            element,
            "CreditedQuantity" if self.credit else "InvoicedQuantity",
            _number(quantity),
            unitCode=code,
        )
        self.money(element, "LineExtensionAmount", line.amount)
        if has_period and not self.oio and line.period_start and line.period_end:
            period = self.cac(element, "InvoicePeriod")
            self.cbc(period, "StartDate", _iso(line.period_start))
            self.cbc(period, "EndDate", _iso(line.period_end))
        # Invoice lines put AllowanceCharge before TaxTotal, credit note lines the other way round.
        if self.credit:
            self.line_tax(element, line)
            self.line_adjustment(element, line, quantity, price)
        else:
            self.line_adjustment(element, line, quantity, price)
            self.line_tax(element, line)
        item = self.cac(element, "Item")
        if len(line.description) > 100:
            self.cbc(item, "Description", line.description)
        self.cbc(item, "Name", line.description[:100])
        if line.sku:
            sellers = self.cac(item, "SellersItemIdentification")
            self.cbc(sellers, "ID", line.sku)
        if not self.oio:
            self.tax_category(item, "ClassifiedTaxCategory", line.taxable)
        price_element = self.cac(element, "Price")
        self.money(price_element, "PriceAmount", price)
        if self.oio:
            self.cbc(price_element, "BaseQuantity", "1", unitCode=code)

    def line_tax(self, element: etree._Element, line: DocumentLine) -> None:
        """OIOUBL wants VAT per line (rounded per line, informative); Peppol has it per document."""
        if not self.oio:
            return
        vat = dkk(line.amount * self.doc.vat_rate) if line.taxable else Decimal("0")
        total = self.cac(element, "TaxTotal")
        self.money(total, "TaxAmount", vat)
        sub = self.cac(total, "TaxSubtotal")
        self.money(sub, "TaxableAmount", line.amount)
        self.money(sub, "TaxAmount", vat)
        self.tax_category(sub, "TaxCategory", line.taxable)

    def line_adjustment(
        self, element: etree._Element, line: DocumentLine, quantity: Decimal, price: Decimal
    ) -> None:
        """The line's discount (or any other gap between quantity x price and the amount)."""
        gross = dkk(quantity * price)
        gap = gross - line.amount
        if gap == 0:
            return
        allowance = gap > 0
        adjustment = self.cac(element, "AllowanceCharge")
        if self.oio:
            self.cbc(adjustment, "ID", "1")
        self.cbc(adjustment, "ChargeIndicator", "false" if allowance else "true")
        if not self.oio:
            # UNCL 5189 95 = discount; UNCL 7161 ABK = miscellaneous charge.
            self.cbc(
                adjustment,
                "AllowanceChargeReasonCode",
                "95" if allowance else "ABK",
            )
        reason = (
            "Rabat" if allowance and line.discount else ("Reduktion" if allowance else "Tillæg")
        )
        self.cbc(adjustment, "AllowanceChargeReason", reason)
        if allowance and line.discount:
            factor = line.discount if self.oio else line.discount * 100
            self.cbc(adjustment, "MultiplierFactorNumeric", _number(factor))
        if self.oio:
            self.cbc(adjustment, "SequenceNumeric", "1")
        self.money(adjustment, "Amount", abs(gap))
        self.money(adjustment, "BaseAmount", gross)


def render_peppol(doc: InvoiceDocument) -> bytes:
    """Peppol BIS Billing 3.0 UBL: an Invoice, or a CreditNote for a credit note (UTF-8 bytes)."""
    return _Writer(doc, "peppol").build()


def render_oioubl(doc: InvoiceDocument) -> bytes:
    """OIOUBL 2.01 UBL: an Invoice, or a CreditNote for a credit note (UTF-8 bytes)."""
    return _Writer(doc, "oioubl").build()

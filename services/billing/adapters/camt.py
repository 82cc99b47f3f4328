"""Bank statements in ISO 20022 camt.053 / camt.054: parsed safely into credit entries."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from shared.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[34])\.001\.(0[2-9]|1[0-3])$")
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


@dataclass(frozen=True)
class BankEntry:
    """One incoming payment on the statement."""

    entry_ref: str
    amount: Decimal
    booked_on: date
    reference: str | None
    debtor_name: str | None


@dataclass(frozen=True)
class Statement:
    """The statement's identity, kind and its credit entries."""

    statement_id: str
    kind: str
    entries: list[BankEntry]


def parse_statement(raw: bytes) -> Statement:
    """Parse camt.053 or camt.054; DomainError with the reason for anything else."""
    if len(raw) > MAX_BYTES:
        raise DomainError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field="file")
    head = raw[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in raw.upper():
        raise DomainError(
            "document type declarations and entities are not allowed in bank statements",
            field="file",
        )
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise DomainError(f"not well-formed XML: {exc}", field="file") from exc
    namespace = etree.QName(root).namespace or ""
    found = NAMESPACE.match(namespace)
    if found is None:
        raise DomainError(
            f"not an ISO 20022 camt.053 or camt.054 document (namespace {namespace or 'none'})",
            field="file",
        )
    kind = found.group(1)
    ns = {"c": namespace}
    container = (
        root.find("c:BkToCstmrStmt/c:Stmt", ns)
        if kind == "camt.053"
        else root.find("c:BkToCstmrDbtCdtNtfctn/c:Ntfctn", ns)
    )
    if container is None:
        raise DomainError(f"the {kind} document has no statement", field="file")
    statement_id = _text(container, "c:Id", ns) or hashlib.sha256(raw).hexdigest()[:16]
    entries = [
        e
        for index, node in enumerate(container.findall("c:Ntry", ns))
        if (e := _entry(node, ns, index))
    ]
    return Statement(statement_id=statement_id, kind=kind, entries=entries)


def _entry(node: etree._Element, ns: dict[str, str], index: int) -> BankEntry | None:
    if _text(node, "c:CdtDbtInd", ns) != "CRDT":
        return None  # outgoing payments are not ours to match
    status = _text(node, "c:Sts/c:Cd", ns) or _text(node, "c:Sts", ns)
    if status and status not in ("BOOK", "BOOKED"):
        return None
    amount_node = node.find("c:Amt", ns)
    if amount_node is None or amount_node.get("Ccy") != "DKK":
        raise DomainError(f"entry {index + 1}: only DKK amounts are accepted", field="file")
    try:
        amount = Decimal(amount_node.text or "")
    except InvalidOperation as exc:
        raise DomainError(
            f"entry {index + 1}: amount {amount_node.text!r} is not a number", field="file"
        ) from exc
    booked = _text(node, "c:BookgDt/c:Dt", ns) or _text(node, "c:ValDt/c:Dt", ns)
    if booked is None:
        raise DomainError(f"entry {index + 1}: no booking date", field="file")
    tx = ".//c:NtryDtls/c:TxDtls"
    reference = (
        _text(node, f"{tx}/c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
        or _text(node, f"{tx}/c:RmtInf/c:Ustrd", ns)
        or _text(node, "c:AddtlNtryInf", ns)
    )
    debtor = _text(node, f"{tx}/c:RltdPties/c:Dbtr/c:Nm", ns) or _text(
        node, f"{tx}/c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns
    )
    entry_ref = (
        _text(node, "c:AcctSvcrRef", ns) or _text(node, "c:NtryRef", ns) or f"entry-{index + 1}"
    )
    return BankEntry(entry_ref, amount, date.fromisoformat(booked[:10]), reference, debtor)


def _text(node: etree._Element, path: str, ns: dict[str, str]) -> str | None:
    found = node.find(path, ns)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None

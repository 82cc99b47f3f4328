"""Bank statements in ISO 20022 camt.053 / camt.054: parsed safely into credit entries."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from shared.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
# ISO 20022 amounts hold at most 18 digits; no Danish customer pays a trillion kroner.
MAX_AMOUNT = Decimal("999999999999.99")
NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[34])\.001\.(0[2-9]|1[0-3])$")
# No entity is resolved, nothing fetched, no DTD loaded, libxml2's size and depth limits kept.
_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
MAX_ELEMENTS_PER_PART = 10_000  # an entry holds a few dozen


class StatementTooLarge(DomainError):
    """The file is over the size limit (413)."""

    status_code = 413


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
        raise too_large()
    # Refused before parsing when plain to see; the parser resolves no entity either way.
    if b"<!DOCTYPE" in raw[:4096].upper() or b"<!ENTITY" in raw:
        raise _declarations()
    try:
        return _read(raw)
    except etree.XMLSyntaxError as exc:
        raise DomainError(f"not well-formed XML: {exc}", field="file") from exc


def _read(raw: bytes) -> Statement:
    """Read as a stream, dropping each entry once read: memory holds one entry, not the file."""
    events = etree.iterparse(io.BytesIO(raw), events=("start", "end"), **_OPTIONS)
    _, root = next(events)
    if root.getroottree().docinfo.internalDTD is not None:
        raise _declarations()  # in an encoding the byte check cannot read, such as UTF-16
    namespace = etree.QName(root).namespace or ""
    found = NAMESPACE.match(namespace)
    if found is None:
        raise DomainError(
            f"not an ISO 20022 camt.053 or camt.054 document (namespace {namespace or 'none'})",
            field="file",
        )
    kind = found.group(1)
    ns = {"c": namespace}
    group, statement = (
        ("BkToCstmrStmt", "Stmt") if kind == "camt.053" else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    )
    container: etree._Element | None = None
    statement_id: str | None = None
    entries: list[BankEntry] = []
    index = held = 0
    depth = 1  # the root's start was read above
    for event, node in events:
        if event == "start":
            depth, held = depth + 1, held + 1
            if held > MAX_ELEMENTS_PER_PART:
                raise DomainError(
                    f"a part of the file holds more than {MAX_ELEMENTS_PER_PART} elements",
                    field="file",
                )
            parent = node.getparent()
            if container is None and depth == 3 and _is(node, statement, namespace):
                if parent is not None and _is(parent, group, namespace):
                    container = node
            continue
        if depth == 4 and container is not None and node.getparent() is container:
            if _is(node, "Ntry", namespace):
                if entry := _entry(node, ns, index):
                    entries.append(entry)
                index += 1
            elif _is(node, "Id", namespace):
                statement_id = _text_of(node)
        if depth <= 4:  # the document, its group, statements and their entries
            _drop(node)
            held = 0
        depth -= 1
    if container is None:
        raise DomainError(f"the {kind} document has no statement", field="file")
    statement_id = statement_id or hashlib.sha256(raw).hexdigest()[:16]
    return Statement(statement_id=statement_id, kind=kind, entries=entries)


def _is(node: etree._Element, name: str, namespace: str) -> bool:
    return bool(node.tag == f"{{{namespace}}}{name}")


def _drop(node: etree._Element) -> None:
    """Free what was read: the node's content and the siblings before it."""
    node.clear()
    parent = node.getparent()
    while parent is not None and node.getprevious() is not None:
        del parent[0]


def too_large() -> StatementTooLarge:
    """The refusal of a file over the limit."""
    return StatementTooLarge(
        f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field="file"
    )


def _declarations() -> DomainError:
    return DomainError(
        "document type declarations and entities are not allowed in bank statements",
        field="file",
    )


def _entry(node: etree._Element, ns: dict[str, str], index: int) -> BankEntry | None:
    if _text(node, "c:CdtDbtInd", ns) != "CRDT":
        return None  # outgoing payments are not ours to match
    status = _text(node, "c:Sts/c:Cd", ns) or _text(node, "c:Sts", ns)
    if status and status not in ("BOOK", "BOOKED"):
        return None
    amount_node = node.find("c:Amt", ns)
    if amount_node is None or amount_node.get("Ccy") != "DKK":
        raise DomainError(f"entry {index + 1}: only DKK amounts are accepted", field="file")
    amount = _amount((amount_node.text or "").strip(), index)
    booked = _text(node, "c:BookgDt/c:Dt", ns) or _text(node, "c:ValDt/c:Dt", ns)
    if booked is None:
        raise DomainError(f"entry {index + 1}: no booking date", field="file")
    try:
        booked_on = date.fromisoformat(booked[:10])
    except ValueError as exc:
        raise DomainError(
            f"entry {index + 1}: booking date {booked[:40]!r} is not a date", field="file"
        ) from exc
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
    return BankEntry(entry_ref, amount, booked_on, reference, debtor)


def _amount(text: str, index: int) -> Decimal:
    """A positive amount in kroner and øre, as ISO 20022 writes it (no exponent, NaN or sign)."""
    if not re.fullmatch(r"\d{1,15}(\.\d{1,2})?", text) or not 0 < Decimal(text) <= MAX_AMOUNT:
        raise DomainError(
            f"entry {index + 1}: amount {text[:40]!r} is not an amount between 0.01 and "
            f"{MAX_AMOUNT} DKK with at most two decimals",
            field="file",
        )
    return Decimal(text)


def _text(node: etree._Element, path: str, ns: dict[str, str]) -> str | None:
    found = node.find(path, ns)
    return _text_of(found) if found is not None else None


def _text_of(node: etree._Element) -> str | None:
    return node.text.strip() if node.text and node.text.strip() else None

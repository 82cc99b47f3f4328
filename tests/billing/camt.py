"""Build ISO 20022 camt.053 statements for tests, as a Danish bank sends them."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Entry:
    ref: str
    amount: str
    booked: str
    reference: str | None = None
    debtor: str | None = None
    credit: bool = True


def camt053(statement_id: str, entries: list[Entry], version: str = "02") -> bytes:
    """A camt.053 statement with the given entries."""
    body = "".join(_entry(e) for e in entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{statement_id}-msg</MsgId><CreDtTm>2026-02-20T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{statement_id}</Id>
      <Acct><Id><IBAN>DK5000400440116243</IBAN></Id></Acct>
      {body}
    </Stmt>
  </BkToCstmrStmt>
</Document>""".encode()


def _entry(e: Entry) -> str:
    remittance = f"<RmtInf><Ustrd>{escape(e.reference)}</Ustrd></RmtInf>" if e.reference else ""
    debtor = f"<RltdPties><Dbtr><Nm>{escape(e.debtor)}</Nm></Dbtr></RltdPties>" if e.debtor else ""
    return f"""
      <Ntry>
        <NtryRef>{e.ref}</NtryRef>
        <Amt Ccy="DKK">{e.amount}</Amt>
        <CdtDbtInd>{"CRDT" if e.credit else "DBIT"}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{e.booked}</Dt></BookgDt>
        <AcctSvcrRef>{e.ref}</AcctSvcrRef>
        <NtryDtls><TxDtls>{debtor}{remittance}</TxDtls></NtryDtls>
      </Ntry>"""

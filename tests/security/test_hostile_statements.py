"""Hostile and corrupt bank statements are refused with the reason, store nothing, stay small."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from services.billing.adapters.camt import MAX_BYTES, parse_statement
from shared.errors import DomainError
from tests.billing.camt import Entry, camt053
from tests.e2e.platform import RunningPlatform

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
GOOD = camt053("S-1", [Entry("e1", "100.00", "2026-02-20", "+71<000000000000001+12345678<")])
XXE = f"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY leak SYSTEM "file:///etc/passwd">]>
<Document xmlns="{NS}"><BkToCstmrStmt><Stmt><Id>&leak;</Id></Stmt></BkToCstmrStmt></Document>"""
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + f']><Document xmlns="{NS}">&lol9;</Document>'
)
HOSTILE = {
    "external entity": (XXE.encode(), "document type declarations and entities"),
    "external entity in UTF-16": (
        XXE.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"),
        "document type declarations and entities",
    ),
    "billion laughs": (LAUGHS.encode(), "document type declarations and entities"),
    "a DTD": (
        GOOD.replace(
            b"<Document", b'<!DOCTYPE Document SYSTEM "http://example.com/x.dtd">\n<Document', 1
        ),
        "document type declarations and entities",
    ),
    "wrong namespace": (
        GOOD.replace(NS.encode(), b"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"),
        "not an ISO 20022 camt.053 or camt.054 document (namespace urn:iso:std:iso:20022:"
        "tech:xsd:pain.001.001.03)",
    ),
    "no namespace": (GOOD.replace(f' xmlns="{NS}"'.encode(), b""), "namespace none"),
    "not XML": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 a PDF, not a statement", "not well-formed XML"),
    "truncated": (GOOD[: len(GOOD) // 2], "not well-formed XML: Premature end of data"),
    "empty": (b"", "not well-formed XML"),
    "deeply nested": (
        f'<Document xmlns="{NS}">'.encode() + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</Document>",
        "not well-formed XML: Excessive depth in document",
    ),
    "one huge text": (
        camt053("S-1", [Entry("e1", "100.00", "2026-02-20", "x" * 11_000_000)]),
        "Text node too long",
    ),
    "an entry of a million elements": (
        GOOD.replace(b"<NtryDtls>", b"<NtryDtls>" + b"<x/>" * 1_000_000, 1),
        "a part of the file holds more than 10000 elements",
    ),
    "an impossible date": (
        GOOD.replace(b"2026-02-20</Dt>", b"2026-02-31</Dt>"),
        "entry 1: booking date '2026-02-31' is not a date",
    ),
    "NaN": (GOOD.replace(b">100.00<", b">NaN<"), "entry 1: amount 'NaN' is not an amount"),
    "a huge exponent": (GOOD.replace(b">100.00<", b">1E+999999<"), "amount '1E+999999'"),
    "a negative amount": (GOOD.replace(b">100.00<", b">-100.00<"), "amount '-100.00'"),
    "a fraction of an øre": (GOOD.replace(b">100.00<", b">100.001<"), "amount '100.001'"),
    "a foreign currency": (GOOD.replace(b'Ccy="DKK"', b'Ccy="EUR"'), "only DKK amounts"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_the_parser_refuses_with_the_reason(name: str) -> None:
    raw, reason = HOSTILE[name]
    with pytest.raises(DomainError) as refused:
        parse_statement(raw)
    assert reason in refused.value.message
    assert refused.value.field == "file"


@pytest.mark.asyncio(loop_scope="module")
async def test_each_hostile_file_is_refused_over_http_and_nothing_is_stored(
    running: RunningPlatform,
) -> None:
    billing = running.platform.runtimes["billing"].store
    before = len([e async for e in billing.iterate_all()])
    half_good = camt053(
        "S-2",
        [Entry("ok", "100.00", "2026-02-20", "first, fine"), Entry("bad", "5", "2026-13-01")],
    )
    for name, (raw, reason) in [*HOSTILE.items(), ("half good", (half_good, "entry 2"))]:
        refused = await running.clients["billing"].post("/bank-statements", content=raw)
        assert refused.status_code == 422, f"{name}: {refused.status_code} {refused.text[:200]}"
        (detail,) = refused.json()["detail"]
        assert detail["loc"] == ["body", "file"] and reason in detail["msg"], name
        assert b"root:" not in refused.content, "no file's content is read, nor echoed"
    too_big = await running.clients["billing"].post(
        "/bank-statements", content=GOOD + b" " * (MAX_BYTES + 1 - len(GOOD))
    )
    await running.settle()
    assert too_big.status_code == 413
    assert too_big.json()["detail"][0]["msg"] == "the file is larger than 20 MB"
    assert len([e async for e in billing.iterate_all()]) == before


MEASURE = textwrap.dedent(
    """
    import json, resource, sys
    from services.billing.adapters.camt import parse_statement
    from shared.errors import DomainError
    from tests.billing.camt import Entry, camt053
    ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
    if sys.argv[1] == "many entries":
        entries = [Entry(f"e{i}", "100.00", "2026-02-20", f"ref {i}", "Kunde ApS") for i in range(10_000)]
        raw = camt053("S-big", entries)
    else:
        raw = f'<Document xmlns="{ns}">'.encode() + b"<a/>" * 1_000_000 + b"</Document>"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        outcome = f"{len(parse_statement(raw).entries)} entries"
    except DomainError as refused:
        outcome = refused.message
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    print(json.dumps({"size": len(raw), "grown": grown, "outcome": outcome}))
    """
)


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [("many entries", "10000 entries"), ("a million empty elements", "has no statement")],
)
def test_parsing_memory_stays_within_a_small_multiple_of_the_file(kind: str, outcome: str) -> None:
    # libxml2 allocates outside Python's allocator, so the process's peak RSS is what counts.
    measured = json.loads(
        subprocess.run(
            [sys.executable, "-c", MEASURE, kind], capture_output=True, text=True, check=True
        ).stdout
    )
    assert outcome in measured["outcome"]
    assert measured["size"] > 3_000_000
    assert measured["grown"] < 3 * measured["size"], measured

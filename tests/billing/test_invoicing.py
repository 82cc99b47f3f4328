"""Invoice runs, due dates, disputes, extra costs and payments, as finance staff see them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from services.billing import handlers
from services.billing.api import InvoiceRead
from shared.profile import load_profile
from shared.store.eventstore import Metadata
from tests.billing.camt import Entry, camt053
from tests.e2e.platform import RunningPlatform, customer_with_agreement, embedded

NORDHAVN = {
    "name": "Nordhavn Revision ApS",
    "cvr": "13585628",
    "address": "Nordhavnsgade 4, 2150 Nordhavn",
}
HAVNEKONTORET = {
    "name": "Havnekontoret ApS",
    "cvr": "30000013",
    "address": "Kajen 2, 8000 Aarhus C",
}


async def invoices(
    running: RunningPlatform, customer: str | None = None, kind: str = "run"
) -> list[dict[str, Any]]:
    """The customer's invoices of a kind (unpaid ones soon bring fee invoices from dunning too)."""
    params = {"customer_id": customer} if customer else {}
    return [
        i
        for i in await running.call("billing", "GET", "/invoices", params=params)
        if i["kind"] == kind
    ]


async def billing_events(running: RunningPlatform) -> list[str]:
    return [
        e["name"]
        for e in reversed(
            await running.call("ops", "GET", "/events", params={"context": "billing"})
        )
    ]


async def test_the_january_invoice_is_issued_on_the_30th_and_due_on_13_february(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-02")
        customer = await customer_with_agreement(
            running, NORDHAVN, {"sku": "hosting-standard", "quantity": 2}
        )
        await running.advance_to("2026-01-29")
        before_run = await invoices(running)
        await running.advance_to("2026-01-30")
        (invoice,) = await invoices(running)
    assert before_run == []
    assert invoice["customer_id"] == customer
    assert (invoice["issue_date"], invoice["due_date"]) == ("2026-01-30", "2026-02-13")
    lines = invoice["document"]["lines"]
    assert [line["description"] for line in lines] == [
        "Webhosting Standard (Plesk), januar 2026 (2 × 149.00 kr./md. (30/31 dage))",
        "Webhosting Standard (Plesk), februar 2026 (2 × 149.00 kr./md.)",
    ]
    assert [line["amount"] for line in lines] == ["288.39", "298.00"], (
        "January prorated by day, February in advance"
    )
    assert invoice["document"]["vat_amount"] == "146.60"
    assert invoice["total"] == "732.99"


async def seven_and_fourteen_day_invoices(running: RunningPlatform) -> list[dict[str, Any]]:
    """Microsoft 365 (7 days) and web hosting (14 days) from 2 Feb, invoiced on 27 Feb."""
    await running.advance_to("2026-02-02")
    await customer_with_agreement(
        running,
        NORDHAVN,
        {"sku": "m365-business-basic", "quantity": 5},
        {"sku": "hosting-standard", "quantity": 1},
    )
    await running.advance_to("2026-02-27")
    return await invoices(running)


async def test_lines_with_different_payment_terms_go_on_separate_invoices(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        issued = await seven_and_fourteen_day_invoices(running)
    assert [(i["due_date"], i["document"]["payment_terms_days"]) for i in issued] == [
        ("2026-03-06", 7),
        ("2026-03-13", 14),
    ]
    assert [int(i["invoice_number"]) for i in issued] == [1, 2]


async def test_one_invoice_reads_byte_for_byte_as_its_model_writes_it(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        listed = await seven_and_fourteen_day_invoices(running)
        alone = [
            await running.clients["billing"].get(f"/invoices/{i['invoice_number']}") for i in listed
        ]
    assert len(listed) == 2
    for item, response in zip(listed, alone, strict=True):
        assert response.headers["content-type"] == "application/json"
        assert response.content == InvoiceRead.model_validate(item).model_dump_json().encode()


async def test_no_invoice_run_on_31_december_2026_but_on_the_30th(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-12-01")
        await customer_with_agreement(running, NORDHAVN, {"sku": "hosting-standard", "quantity": 1})
        await running.advance_to("2026-12-29")
        runs_before = await running.call("billing", "GET", "/invoice-runs")
        await running.advance_to("2026-12-31")
        runs = await running.call("billing", "GET", "/invoice-runs")
        issued = await invoices(running)
    assert runs_before == []
    assert [(r["run_date"], r["status"]) for r in runs] == [("2026-12-30", "completed")]
    assert [i["issue_date"] for i in issued] == ["2026-12-30"]
    assert issued[0]["due_date"] == "2027-01-13"


async def test_an_invoice_run_delivered_twice_issues_nothing_new(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-02")
        customer = await customer_with_agreement(
            running, NORDHAVN, {"sku": "hosting-standard", "quantity": 1}
        )
        await running.advance_to("2026-01-30")
        billing = running.platform.runtimes["billing"]
        again = await handlers.complete_invoice_run(
            billing.store, load_profile("safe-it"), date(2026, 1, 30), Metadata(actor="test")
        )
        issued = await invoices(running, customer)
    assert again == 0
    assert len(issued) == 1


async def test_a_quantity_change_after_invoicing_is_regulated_on_the_next_invoice(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-02")
        customer = await customer_with_agreement(
            running,
            NORDHAVN,
            {"sku": "m365-business-standard", "quantity": 10, "start": "2026-01-02"},
        )
        await running.advance_to("2026-01-30")
        agreement = await running.call("agreements", "GET", f"/customers/{customer}/agreement")
        subscription = agreement["subscriptions"][0]["subscription_id"]
        await running.advance_to("2026-02-15")
        await running.call(
            "agreements",
            "PATCH",
            f"/customers/{customer}/agreement/subscriptions/{subscription}",
            json={"quantity": 14},
        )
        await running.advance_to("2026-02-27")
        _, second = await invoices(running, customer)
    lines = [(line["description"], line["amount"]) for line in second["document"]["lines"]]
    assert lines[0][0].startswith("Microsoft 365 Business Standard, februar 2026: regulering")
    assert lines[0][1] == "190.00", "4 more licences for 14 of February's 28 days at 95.00"
    assert lines[1] == (
        "Microsoft 365 Business Standard, marts 2026 (14 × 95.00 kr./md.)",
        "1330.00",
    )


async def test_unapproved_extra_costs_are_held_and_never_invoiced(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-05")
        customer = await customer_with_agreement(running, NORDHAVN)
        held = await running.call(
            "billing",
            "POST",
            "/extra-costs",
            expect=201,
            json={
                "customer_id": customer,
                "kind": "hardware",
                "description": "Dockingstation",
                "quantity": 1,
                "unit_price": "1495.00",
            },
        )
        approved = await running.call(
            "billing",
            "POST",
            "/extra-costs",
            expect=201,
            json={
                "customer_id": customer,
                "kind": "parts",
                "description": "SSD 1 TB",
                "quantity": 2,
                "unit_price": "650.00",
            },
        )
        await running.call(
            "billing",
            "POST",
            f"/customers/{customer}/extra-costs/{approved['cost_id']}/approve",
            json={"approved_by": "Mette Holm, direktør (e-mail 6.1.2026)"},
        )
        await running.advance_to("2026-01-30")
        (invoice,) = await invoices(running, customer)
        still_held = await running.call("billing", "GET", "/extra-costs", params={"status": "held"})
    assert [line["description"] for line in invoice["document"]["lines"]] == [
        "SSD 1 TB (godkendt udlæg)"
    ]
    assert invoice["document"]["taxable_subtotal"] == "1300.00"
    assert [c["cost_id"] for c in still_held] == [held["cost_id"]]


async def test_the_due_date_passing_unpaid_is_noticed_once_the_day_after(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-02")
        await customer_with_agreement(running, NORDHAVN, {"sku": "hosting-standard", "quantity": 1})
        await running.advance_to("2026-02-13")
        on_due_date = (await invoices(running))[0]
        await running.advance_to("2026-02-20")
        log = await running.call("ops", "GET", "/events", params={"name": "DueDatePassed"})
    assert on_due_date["due_passed"] is False
    assert len(log) == 1
    assert log[0]["business_date"] == "2026-02-14"
    assert log[0]["envelope"]["data"]["due_date"] == "2026-02-13"


async def test_a_dispute_in_time_pauses_dunning_and_a_late_one_is_recorded_as_late(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-02")
        await customer_with_agreement(running, NORDHAVN, {"sku": "hosting-standard", "quantity": 1})
        await customer_with_agreement(
            running, HAVNEKONTORET, {"sku": "hosting-standard", "quantity": 1}
        )
        await running.advance_to("2026-01-30")
        first, second = await invoices(running)
        in_time = await running.call(
            "billing",
            "POST",
            f"/invoices/{first['invoice_number']}/disputes",
            expect=201,
            json={"reason": "Vi har opsagt webhotellet", "received_on": "2026-02-04"},
        )
        late = await running.call(
            "billing",
            "POST",
            f"/invoices/{second['invoice_number']}/disputes",
            expect=201,
            json={"reason": "For dyrt", "received_on": "2026-02-05"},
        )
        log = await running.call("ops", "GET", "/events", params={"name": "InvoiceDisputed"})
    assert (in_time["in_time"], in_time["pauses_dunning"], in_time["deadline"]) == (
        True,
        True,
        "2026-02-04",
    )
    assert (late["in_time"], late["pauses_dunning"]) == (False, False)
    assert sorted(e["envelope"]["data"]["pauses_dunning"] for e in log) == [False, True]


async def test_a_bank_statement_settles_matched_partial_over_and_queues_unmatched_and_imports_once(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-02")
        nordhavn = await customer_with_agreement(
            running, NORDHAVN, {"sku": "hosting-standard", "quantity": 1, "start": "2026-02-01"}
        )
        havn = await customer_with_agreement(
            running, HAVNEKONTORET, {"sku": "web-security", "quantity": 1, "start": "2026-02-01"}
        )
        third = await customer_with_agreement(
            running,
            {"name": "Kajgaarden I/S", "cvr": "30000021"},
            {"sku": "hosting-standard", "quantity": 3, "start": "2026-02-01"},
        )
        clinic = await customer_with_agreement(
            running,
            {"name": "Strandvejens Tandklinik ApS", "cvr": "30000048"},
            {"sku": "web-security", "quantity": 2, "start": "2026-02-01"},
        )
        await running.advance_to("2026-01-30")
        by_customer = {i["customer_id"]: i for i in await invoices(running)}
        n, h, k = by_customer[nordhavn], by_customer[havn], by_customer[third]
        c = by_customer[clinic]
        statement = camt053(
            "STMT-2026-02-10",
            [
                Entry(
                    "E1", n["total"], "2026-02-10", reference=f"FIK {n['payment_id']}"
                ),  # matched by FI payment ID
                Entry(
                    "E2", "500.00", "2026-02-10", reference=f"+71<{h['payment_id']}+81234567<"
                ),  # partial
                Entry(
                    "E3", str(Decimal(k["total"]) + 100), "2026-02-10", reference=k["payment_id"]
                ),  # over by 100
                Entry(
                    "E4",
                    "1234.56",
                    "2026-02-10",
                    reference="Faktura ukendt",
                    debtor="Ukendt Firma ApS",
                ),
                Entry("E5", "99.00", "2026-02-10", credit=False),  # outgoing: not ours
                Entry(
                    "E6",
                    c["total"],
                    "2026-02-11",
                    reference="betaling",
                    debtor="STRANDVEJENS TANDKLINIK APS",
                ),
            ],
        )
        first = await running.call("billing", "POST", "/bank-statements", content=statement)
        again = await running.call("billing", "POST", "/bank-statements", content=statement)
        after = {i["customer_id"]: i for i in await invoices(running)}
        third_balance = await running.call("billing", "GET", f"/customers/{third}/balance")
        queue = await running.call("billing", "GET", "/payments", params={"status": "unmatched"})
        names = await billing_events(running)
    assert (first["matched"], first["unmatched"], first["duplicate"]) == (4, 1, 0)
    assert (again["matched"], again["unmatched"], again["duplicate"]) == (0, 0, 5)
    assert after[clinic]["status"] == "paid", "matched by amount and the debtor's name"
    assert after[nordhavn]["status"] == "paid" and after[nordhavn]["balance"] == "0.00"
    assert after[havn]["status"] == "open"
    assert after[havn]["balance"] == str(Decimal(h["total"]) - 500)
    assert after[third]["status"] == "paid"
    assert third_balance["credit_balance"] == "100.00"
    assert [(p["amount"], p["reason"] is not None) for p in queue] == [("1234.56", True)]
    assert names.count("InvoicePaid") == 3 and names.count("InvoicePartiallyPaid") == 1
    assert names.count("PaymentReceived") == 4 and names.count("PaymentUnmatched") == 1


async def test_an_operator_assigns_an_unmatched_payment_to_its_invoice(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-02")
        customer = await customer_with_agreement(
            running, NORDHAVN, {"sku": "hosting-standard", "quantity": 1}
        )
        await running.advance_to("2026-01-30")
        (invoice,) = await invoices(running, customer)
        registered = await running.call(
            "billing",
            "POST",
            "/payments",
            expect=201,
            json={"amount": invoice["total"], "reference": "januar"},
        )
        assert registered["status"] == "unmatched"
        await running.call(
            "billing",
            "POST",
            f"/payments/{registered['payment_ref']}/assign",
            json={"invoice_number": invoice["invoice_number"]},
        )
        (paid,) = await invoices(running, customer)
    assert paid["status"] == "paid"


async def test_a_credit_note_references_the_invoice_and_reduces_what_is_owed(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-02")
        customer = await customer_with_agreement(
            running, NORDHAVN, {"sku": "hosting-standard", "quantity": 2}
        )
        await running.advance_to("2026-01-30")
        (invoice,) = await invoices(running, customer)
        note = await running.call(
            "billing",
            "POST",
            f"/invoices/{invoice['invoice_number']}/credit-notes",
            expect=201,
            json={
                "reason": "Ét webhotel for meget",
                "lines": [
                    {"description": "Webhotel februar", "quantity": 1, "unit_price": "149.00"}
                ],
            },
        )
        (after,) = await invoices(running, customer)
    assert note["invoice_number"] == invoice["invoice_number"]
    assert note["credit_note_number"] == invoice["invoice_number"] + 1, "one gapless sequence"
    assert note["total"] == "186.25"
    assert after["balance"] == str(Decimal(invoice["total"]) - Decimal("186.25"))
    assert after["document"] == invoice["document"], "the issued invoice never changes"


async def test_recorded_work_says_how_each_line_was_rated(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await customer_with_agreement(running, NORDHAVN)
        work = await running.call(
            "billing",
            "POST",
            "/work",
            expect=201,
            json={
                "customer_id": customer,
                "kind": "onsite",
                "start": "2026-03-10T10:00",
                "end": "2026-03-10T10:20",
                "km": "42",
            },
        )
        refused = await running.call(
            "billing",
            "POST",
            "/work",
            expect=422,
            json={
                "customer_id": customer,
                "kind": "consulting",
                "start": "2026-03-10T10:00",
                "end": "2026-03-10T09:00",
            },
        )
    assert [line["amount"] for line in work["lines"]] == ["1275.00", "165.48"]
    assert work["amount"] == "1440.48"
    assert refused["detail"][0]["loc"] == ["body", "end"]

"""What a payment, a dispute or an operator's pause does at each stage of the ladder."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.e2e.platform import RunningPlatform, customer_with_agreement, embedded

NORDHAVN = {
    "name": "Nordhavn Revision ApS",
    "cvr": "13585628",
    "finance_email": "bogholderi@nordhavn.dk",
}


async def overdue_customer(running: RunningPlatform) -> tuple[str, dict[str, Any]]:
    """A customer with web hosting, invoiced 30 Jan 2026 (due 13 Feb), as in DOMAIN.md."""
    await running.advance_to("2026-01-02")
    customer = await customer_with_agreement(
        running,
        NORDHAVN,
        {
            "sku": "hosting-standard",
            "quantity": 1,
            "vendor_reference": {"domain": "nordhavn-revision.dk"},
        },
    )
    await running.advance_to("2026-01-30")
    invoice = next(
        i for i in await running.call("billing", "GET", "/invoices") if i["kind"] == "run"
    )
    return customer, invoice


async def pay(running: RunningPlatform, invoice: dict[str, Any], amount: Decimal, on: str) -> None:
    await running.call(
        "billing",
        "POST",
        "/payments",
        expect=201,
        json={"amount": str(amount), "paid_on": on, "reference": invoice["payment_id"]},
    )


async def owed(running: RunningPlatform, invoice_number: int) -> Decimal:
    case = await running.call("dunning", "GET", f"/cases/{invoice_number}")
    return Decimal(case["outstanding"])


async def dunning_log(running: RunningPlatform, invoice_number: int = 1) -> list[tuple[str, str]]:
    """The dunning events of one invoice's case, oldest first."""
    log = await running.call("ops", "GET", "/events", params={"context": "dunning", "limit": 500})
    return [
        (e["business_date"], e["name"])
        for e in reversed(log)
        if e["envelope"]["data"].get("invoice_number") == invoice_number
    ]


async def pay_everything(
    running: RunningPlatform, customer: str, invoice: dict[str, Any], on: str
) -> None:
    """Pay all the customer owes in one transfer quoting the first invoice's FI payment ID."""
    balance = await running.call("billing", "GET", f"/customers/{customer}/balance")
    await pay(running, invoice, Decimal(balance["owed"]), on)


async def test_payment_before_reminder_1_ends_the_matter_without_a_case(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        await running.advance_to("2026-02-13")
        await pay(
            running, invoice, Decimal(invoice["total"]), "2026-02-13"
        )  # on the due date: in time
        await running.advance_to("2026-03-31")
        log = await dunning_log(running)
    assert log == []


async def test_payment_between_the_reminders_closes_the_case_and_no_second_reminder_follows(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        await running.advance_to("2026-02-18")
        demanded = await owed(running, invoice["invoice_number"])
        await pay(running, invoice, demanded, "2026-02-18")
        await running.advance_to("2026-03-31")
        log = await dunning_log(running)
    assert demanded == Decimal(invoice["total"]) + 410, (
        "invoice plus the reminder fee and compensation"
    )
    assert log == [
        ("2026-02-14", "DunningCaseOpened"),
        ("2026-02-16", "ReminderIssued"),
        ("2026-02-18", "DunningCaseClosed"),
    ]


async def test_a_partial_payment_restores_nothing_and_says_what_is_missing(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        await running.advance_to("2026-02-24")
        await pay(running, invoice, Decimal("100.00"), "2026-02-24")
        case = await running.call("dunning", "GET", f"/cases/{invoice['invoice_number']}")
        log = await dunning_log(running)
    assert Decimal(case["outstanding"]) == Decimal(invoice["total"]) + 410 - 100
    assert case["status"] == "open"
    assert [s["state"] for s in case["services"]] == ["suspended"]
    assert "ServiceRestored" not in [name for _, name in log]


async def test_full_payment_after_suspension_restores_the_service_within_48_hours(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        await running.advance_to("2026-02-25")
        await pay(running, invoice, await owed(running, invoice["invoice_number"]), "2026-02-25")
        case = await running.call("dunning", "GET", f"/cases/{invoice['invoice_number']}")
        restored = await running.call("ops", "GET", "/events", params={"name": "ServiceRestored"})
        await running.advance_to("2026-02-27")
        reopening = await running.call("billing", "GET", "/work")
    assert case["status"] == "closed" and case["closed_reason"] == "paid"
    data = restored[0]["envelope"]["data"]
    assert (
        restored[0]["business_date"],
        data["after_permanent_closure"],
        data["restore_within_hours"],
    ) == (
        "2026-02-25",
        False,
        48,
    )
    assert [w["description"] for w in reopening] == [
        f"Genåbning efter betaling af faktura {invoice['invoice_number']}"
    ]


async def test_payment_after_permanent_closure_restores_and_bills_the_extra_work(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        await running.advance_to("2026-03-12")
        await pay(running, invoice, await owed(running, invoice["invoice_number"]), "2026-03-12")
        restored = await running.call("ops", "GET", "/events", params={"name": "ServiceRestored"})
        extra = await running.call("billing", "GET", "/work", params={"invoiced": "false"})
    data = restored[0]["envelope"]["data"]
    assert data["after_permanent_closure"] is True
    assert data["extra_work_hours"] == "2.00"
    lines = [line["description"] for w in extra for line in w["lines"]]
    assert lines == [
        "Genåbningsgebyr, hosting-standard",
        "Genetablering efter permanent lukning, hosting-standard",
    ]


async def test_a_service_held_by_two_unpaid_cases_comes_back_only_when_both_are_paid(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        await running.advance_to("2026-03-25")  # February's invoice is past its reminder 2 as well
        await pay(running, invoice, await owed(running, invoice["invoice_number"]), "2026-03-25")
        first = await running.call("dunning", "GET", f"/cases/{invoice['invoice_number']}")
        log = await running.call("ops", "GET", "/events", params={"name": "ServiceRestored"})
    assert first["status"] == "closed"
    assert log == [], "the February case still holds the hosting suspended"


async def test_payment_after_deletion_restores_an_empty_service_and_closes_the_case(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        customer, invoice = await overdue_customer(running)
        await running.advance_to("2026-04-10")
        await pay_everything(running, customer, invoice, "2026-04-10")
        cases = await running.call("dunning", "GET", "/cases", params={"customer_id": customer})
        restored = await running.call("ops", "GET", "/events", params={"name": "ServiceRestored"})
        log = await dunning_log(running)
    assert {c["status"] for c in cases} == {"closed"}
    assert ("2026-04-09", "HostedDataDeletionDue") in log
    assert [
        (r["business_date"], r["envelope"]["data"]["after_permanent_closure"]) for r in restored
    ] == [("2026-04-10", True)], (
        "restored once, when the last case holding it closed; its data was deleted the day before"
    )


async def dispute_in_time(running: RunningPlatform, number: int, day: str) -> None:
    """The customer disputes the invoice on `day`, before its due date."""
    await running.advance_to(day)
    await running.call(
        "billing",
        "POST",
        f"/invoices/{number}/disputes",
        expect=201,
        json={"reason": "Forkert antal", "received_on": day},
    )


async def test_a_dispute_in_time_pauses_the_ladder_until_it_is_rejected(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        number = invoice["invoice_number"]
        await dispute_in_time(running, number, "2026-02-02")
        await running.advance_to("2026-03-02")
        paused = await running.call("dunning", "GET", f"/cases/{number}")
        await running.call(
            "billing", "POST", f"/invoices/{number}/disputes/resolve", json={"outcome": "rejected"}
        )
        await running.advance_to("2026-03-03")
        log = await dunning_log(running)
    assert paused["paused"] == ["invoice disputed in time"]
    assert paused["next_step"] is None
    assert log == [
        ("2026-02-14", "DunningCaseOpened"),
        ("2026-02-14", "DunningPaused"),
        ("2026-03-02", "DunningResumed"),
        ("2026-03-02", "ReminderIssued"),
    ], "the missed reminder is sent when the dispute is rejected, not backdated"


async def test_a_late_dispute_is_recorded_and_the_ladder_goes_on(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        number = invoice["invoice_number"]
        await running.advance_to("2026-02-10")
        disputed = await running.call(
            "billing",
            "POST",
            f"/invoices/{number}/disputes",
            expect=201,
            json={"reason": "For dyrt", "received_on": "2026-02-10"},
        )
        await running.advance_to("2026-02-16")
        log = await dunning_log(running)
    assert disputed["in_time"] is False
    assert log == [("2026-02-14", "DunningCaseOpened"), ("2026-02-16", "ReminderIssued")]


async def test_no_follow_up_pauses_every_case_until_its_end_date(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        customer, _ = await overdue_customer(running)
        await running.advance_to("2026-02-12")
        await running.call(
            "dunning",
            "PUT",
            f"/customers/{customer}/no-follow-up",
            expect=204,
            json={"reason": "Betalingsaftale med direktøren", "until": "2026-02-20"},
        )
        await running.advance_to("2026-02-23")
        log = await dunning_log(running)
    assert log == [
        ("2026-02-14", "DunningCaseOpened"),
        ("2026-02-14", "DunningPaused"),
        ("2026-02-21", "DunningResumed"),
        ("2026-02-23", "ReminderIssued"),
    ]


async def test_a_case_resumed_on_a_weekend_shows_its_next_step_on_the_monday(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        number = invoice["invoice_number"]
        await dispute_in_time(running, number, "2026-02-02")
        await running.advance_to("2026-03-07")  # a Saturday
        await running.call(
            "billing", "POST", f"/invoices/{number}/disputes/resolve", json={"outcome": "rejected"}
        )
        resumed = await running.call("dunning", "GET", f"/cases/{number}")
        await running.advance_to("2026-03-09")
        log = await dunning_log(running)
    assert resumed["paused"] == []
    assert resumed["next_step"]["on"] == "2026-03-09", "not the 16 February it would have been"
    assert log[-2:] == [("2026-03-07", "DunningResumed"), ("2026-03-09", "ReminderIssued")]

"""DOMAIN.md's worked example: exactly those events, on exactly those business dates, with those fees."""

from __future__ import annotations

from pathlib import Path

from shared import scenario
from shared.envelope import CloudEvent

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def ladder(events: list[CloudEvent]) -> list[tuple[str, str, dict[str, object]]]:
    """(business date, event, the figures that matter) of the invoice's way down the ladder."""
    picked = []
    for event in events:
        data = event.data
        if data.get("invoice_number", 1) != 1 and event.event_name != "InvoiceIssued":
            continue  # February's invoice starts a case of its own
        if (
            event.event_name in ("InvoiceIssued", "DueDatePassed")
            and data.get("kind", "run") == "run"
        ):
            picked.append(
                (str(event.businessdate), event.event_name, {"due": data.get("due_date")})
            )
        elif event.event_name == "ReminderIssued":
            figures = {
                k: data[k]
                for k in ("reminder_number", "deadline", "fee", "compensation", "collection_notice")
            }
            picked.append((str(event.businessdate), "ReminderIssued", figures))
        elif event.context == "dunning" and event.event_name != "ReminderIssued":
            picked.append((str(event.businessdate), event.event_name, {}))
    # Billing and dunning each react to the same DayStarted; between them a day has no order,
    # within each service the order is causal and kept (a stable sort).
    return sorted(
        picked, key=lambda step: (step[0], step[1] not in ("InvoiceIssued", "DueDatePassed"))
    )


async def test_the_worked_example_happens_on_exactly_those_days_with_exactly_those_fees() -> None:
    events = await scenario.run(scenario.load(SCENARIOS / "worked-example.yaml"))
    first_invoice = next(e for e in events if e.event_name == "InvoiceIssued")
    assert first_invoice.data["invoice_number"] == 1
    steps = [
        s
        for s in ladder(events)
        if s[0] >= "2026-01-30" and (s[1] != "InvoiceIssued" or s[0] == "2026-01-30")
    ]
    assert steps == [
        ("2026-01-30", "InvoiceIssued", {"due": "2026-02-13"}),
        ("2026-02-14", "DueDatePassed", {"due": "2026-02-13"}),
        ("2026-02-14", "DunningCaseOpened", {}),
        (
            "2026-02-16",
            "ReminderIssued",
            {
                "reminder_number": 1,
                "deadline": "2026-02-20",
                "fee": "100.00",
                "compensation": "310.00",
                "collection_notice": False,
            },
        ),
        (
            "2026-02-23",
            "ReminderIssued",
            {
                "reminder_number": 2,
                "deadline": "2026-02-27",
                "fee": "0.00",
                "compensation": "0.00",
                "collection_notice": False,
            },
        ),
        ("2026-02-23", "ServiceSuspended", {}),
        (
            "2026-03-10",
            "ReminderIssued",
            {
                "reminder_number": 3,
                "deadline": "2026-03-19",
                "fee": "100.00",
                "compensation": "0.00",
                "collection_notice": True,
            },
        ),
        ("2026-03-10", "ServicePermanentlyClosed", {}),
        ("2026-04-09", "HostedDataDeletionDue", {}),
    ]
    second = next(
        e for e in events if e.event_name == "ReminderIssued" and e.data["reminder_number"] == 2
    )
    assert second.data["fee_reason"] == "no fee: 7 days since reminder 1, the law requires 10"
    fee_invoices = [
        e
        for e in events
        if e.event_name == "InvoiceIssued"
        and e.data["kind"] == "fees"
        and e.data["regarding_invoice"] == 1
    ]
    assert [
        (str(e.businessdate), e.data["exempt_subtotal"], e.data["vat_amount"]) for e in fee_invoices
    ] == [
        ("2026-02-16", "410.00", "0.00"),
        ("2026-03-10", "100.00", "0.00"),
    ], "fees and compensation are booked VAT-exempt on fee invoices"

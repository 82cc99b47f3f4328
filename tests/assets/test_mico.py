"""MICO (seed 003): registration per company and employee, overviews on request, two visits a year."""

from __future__ import annotations

from pathlib import Path

from tests.assets.builders import SmtpServer, event_data, laptop, refusal, register_customer
from tests.e2e.platform import RunningPlatform, embedded

MICO_PEOPLE = (
    ("Karin Lund", "contact", "karin@nordhavn.dk"),
    ("Sofie Juul", "employee", "sofie@nordhavn.dk"),
    ("Anders Bech", "employee", None),
)


async def mico_customer_converted_on_2_february(running: RunningPlatform) -> str:
    await running.advance_to("2026-01-12")
    customer = await register_customer(running, tier=None, people=MICO_PEOPLE)
    base = f"/customers/{customer.customer_id}/agreement"
    await running.call(
        "agreements",
        "POST",
        f"{base}/subscriptions",
        expect=201,
        json={"sku": "MCOSAABAS", "quantity": 1},
    )
    await running.advance_to("2026-02-02")
    await running.call("agreements", "POST", f"{base}/convert-trial")
    return customer.customer_id


async def test_two_service_visits_a_year_fall_due_from_the_agreements_start_each_with_a_report(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path, profile="mico") as running:
        await running.advance_to("2026-01-12")
        on_trial = await register_customer(running, tier=None, name="Prøve ApS", people=())
        customer_id = await mico_customer_converted_on_2_february(running)
        visits = f"/customers/{customer_id}/service-visits"
        planned = await running.call("assets", "GET", visits)
        trial_plan = await running.call(
            "assets", "GET", f"/customers/{on_trial.customer_id}/service-visits", expect=404
        )
        await running.advance_to("2026-08-01")
        day_before = await event_data(running, customer_id, "ServiceVisitDue")
        await running.advance_to("2026-08-02")
        due = await event_data(running, customer_id, "ServiceVisitDue")
        await running.advance_to("2026-08-04")
        reported = await running.call(
            "assets",
            "POST",
            visits,
            expect=201,
            json={
                "condition_report": "Alle maskiner opdateret; backup af server OK. Anbefaler ny switch."
            },
        )
        completed = await event_data(running, customer_id, "ServiceVisitCompleted")
    assert (planned["starts_on"], planned["visits_per_year"]) == ("2026-02-02", 2)
    assert planned["next_visit"] == {
        "number": 1,
        "due_on": "2026-08-02",
        "status": "scheduled",
        "completed_on": None,
        "condition_report": None,
        "recorded_by": None,
    }
    assert "no routine service visits" in refusal(trial_plan)[1], "a trial has no visits yet"
    assert day_before == []
    assert [(d["number"], d["due_on"]) for d in due] == [(1, "2026-08-02")]
    assert [
        (v["number"], v["status"], v["completed_on"], v["recorded_by"]) for v in reported["visits"]
    ] == [(1, "completed", "2026-08-04", "admin")]
    assert reported["next_visit"]["due_on"] == "2027-02-02"
    assert [c["condition_report"][:20] for c in completed] == ["Alle maskiner opdate"]


async def test_the_overview_per_company_and_employee_is_sent_to_the_contact_person(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    async with embedded(tmp_path, profile="mico") as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running, tier=None, people=MICO_PEOPLE)
        base = f"/customers/{customer.customer_id}"
        sofie = customer.people["Sofie Juul"]
        await running.call(
            "assets",
            "POST",
            f"{base}/hardware",
            expect=201,
            json={**laptop("NAS1"), "product_type": "server", "name": "Synology DS923+"},
        )
        await running.call(
            "assets", "POST", f"{base}/hardware", expect=201, json=laptop("PF1", employee_id=sofie)
        )
        await running.call(
            "assets",
            "POST",
            f"{base}/software",
            expect=201,
            json={"name": "Microsoft 365 Business Standard", "employee_id": sofie},
        )
        overview = await running.call("assets", "GET", f"{base}/overview")
        sent = await running.call("assets", "POST", f"{base}/overview/send", expect=202, json={})
        (mail,) = await smtp.inbox.wait_for(1)
    assert [(g["holder"], [i["name"] for i in g["items"]]) for g in overview["groups"]] == [
        ("Virksomheden", ["Synology DS923+"]),
        ("Sofie Juul", ["Lenovo ThinkPad T14", "Microsoft 365 Business Standard"]),
    ]
    assert sent == {"recipients": ["karin@nordhavn.dk"]}
    assert mail["To"] == "karin@nordhavn.dk"
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")  # SMTP lines end in CRLF
    assert "Virksomheden:\n  - Server: Synology DS923+ (serienr. NAS1" in text
    assert "Sofie Juul:\n  - Bærbar computer: Lenovo ThinkPad T14 (serienr. PF1" in text


async def test_an_overview_needs_a_contact_person_with_an_e_mail(tmp_path: Path) -> None:
    async with embedded(tmp_path, profile="mico") as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(
            running, tier=None, people=(("Anders Bech", "employee", None),)
        )
        refused = await running.call(
            "assets",
            "POST",
            f"/customers/{customer.customer_id}/overview/send",
            expect=422,
            json={},
        )
        outbox = await running.call("assets", "GET", "/mail-outbox")
    assert refusal(refused) == (
        ["body", "person_id"],
        "Nordhavn Revision ApS has no contact person with an e-mail; name one with person_id",
    )
    assert outbox == []

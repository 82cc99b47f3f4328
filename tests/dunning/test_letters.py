"""Reminder letters: rendered in Danish, stored, and sent to the finance contact by SMTP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.assets.builders import SmtpServer, free_port
from tests.dunning.test_payments_and_pauses import overdue_customer
from tests.e2e.platform import embedded


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    monkeypatch.setenv("MAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("MAIL_PORT", str(server.port))
    monkeypatch.setenv("MAIL_SENDER", "rykker@safe-it.nu")
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_reminder_1_reaches_the_finance_contact_with_the_fee_deadline_and_fi_line(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        await running.advance_to("2026-02-16")
        (mail,) = await smtp.inbox.wait_for(1)
        page = await running.clients["dunning"].get(
            f"/cases/{invoice['invoice_number']}/reminders/1.html"
        )
    assert smtp.inbox.envelopes == [("rykker@safe-it.nu", ["bogholderi@nordhavn.dk"])]
    assert (
        mail["Subject"]
        == f"1. rykker – faktura {invoice['invoice_number']} – Safe IT-Solutions ApS"
    )
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert "1. rykker" in text
    assert "senest 20.02.2026" in text
    assert "100,00 kr." in text and "310,00 kr." in text
    assert f"+71<{invoice['payment_id']}+81234567<" in text
    assert page.status_code == 200 and "Rykkergebyr" in page.text


async def test_the_collection_notice_says_so(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        _, invoice = await overdue_customer(running)
        await running.advance_to("2026-03-10")
        page = await running.clients["dunning"].get(
            f"/cases/{invoice['invoice_number']}/reminders/3.html"
        )
        pdf = await running.clients["dunning"].get(
            f"/cases/{invoice['invoice_number']}/reminders/3.pdf"
        )
    assert "Inkassovarsel" in page.text
    assert "Inkassovarsel" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()

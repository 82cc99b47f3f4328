"""Mail log lines name the recipient's domain, never a person's whole address."""

from __future__ import annotations

import logging

import pytest

from shared.mail import OutgoingMail, RecordingMailer, masked


async def test_a_recorded_mail_logs_the_recipient_masked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="msp.mail")
    mail = OutgoingMail(
        to=["hanne.jensen@nordhavn-revision.dk", "bogholderi@kunde.co.uk"],
        subject="Rykker 1 for faktura 17",
        body="Kære Hanne",
    )
    await RecordingMailer().send(mail)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "mail recorded (no MAIL_HOST) to h***@nordhavn-revision.dk, b***@kunde.co.uk: "
        "Rykker 1 for faktura 17"
    ]
    assert "hanne.jensen" not in caplog.text


def test_an_smtp_refusal_is_masked_but_keeps_its_reason() -> None:
    refusal = "{'lars@firma.dk': (550, b'5.1.1 <lars@firma.dk>: Recipient address rejected')}"
    assert masked(refusal) == (
        "{'l***@firma.dk': (550, b'5.1.1 <l***@firma.dk>: Recipient address rejected')}"
    )

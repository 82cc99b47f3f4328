"""The mail port: the SMTP adapter against a real local server, settings, and the recorder."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from shared.mail import (
    Attachment,
    MailNotSent,
    MailSettings,
    OutgoingMail,
    RecordingMailer,
    SmtpMailer,
    mailer_from,
)
from tests.assets.builders import SmtpServer, free_port

WORKBOOK = Attachment(
    filename="hardwareregnskab-2026-03.xlsx",
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    content=b"PK\x03\x04 not really a workbook",
)
MAIL = OutgoingMail(
    to=["bogholderi@nordhavn.dk"],
    subject="Hardwareregnskab marts 2026",
    body="Regnearket er vedhæftet.",
    attachments=[WORKBOOK],
)


async def test_smtp_delivers_the_text_and_the_attachment_byte_for_byte(smtp: SmtpServer) -> None:
    await SmtpMailer(MailSettings()).send(MAIL)
    (received,) = await smtp.inbox.wait_for(1)
    (attachment,) = list(received.iter_attachments())
    assert smtp.inbox.envelopes == [("hardware@safe-it.nu", ["bogholderi@nordhavn.dk"])]
    assert received["Subject"] == "Hardwareregnskab marts 2026"
    assert attachment.get_filename() == WORKBOOK.filename
    assert attachment.get_content() == WORKBOOK.content


async def test_an_unreachable_server_raises_mail_not_sent_without_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = MailSettings(
        host="127.0.0.1", port=free_port(), username="safe-it", password=SecretStr("hemmelig-42")
    )
    mailer = SmtpMailer(settings)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MailNotSent) as refused:
        await mailer.send(MAIL)
    assert "hemmelig-42" not in str(refused.value)
    assert "hemmelig-42" not in repr(mailer) + repr(settings) + caplog.text


def test_settings_come_from_mail_variables_and_choose_the_adapter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MAIL_HOST", raising=False)
    assert isinstance(mailer_from(MailSettings()), RecordingMailer), "embedded: recorded only"
    monkeypatch.setenv("MAIL_HOST", "smtp.safe-it.nu")
    monkeypatch.setenv("MAIL_PORT", "465")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("MAIL_PASSWORD", "hemmelig-42")
    settings = MailSettings()
    assert (settings.host, settings.port, settings.use_tls) == ("smtp.safe-it.nu", 465, True)
    assert isinstance(mailer_from(settings), SmtpMailer)
    assert "hemmelig-42" not in str(settings)


async def test_the_recorder_keeps_what_it_was_given() -> None:
    recorder = RecordingMailer()
    await recorder.send(MAIL)
    assert recorder.sent == [MAIL]

"""The workbook reaches the customer's finance department by SMTP, and is never lost on the way."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from shared.auth import KEY_FILE
from tests.assets.builders import SmtpServer, free_port, three_moves_in_march
from tests.e2e.platform import RunningPlatform, embedded

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def outbox_when(
    running: RunningPlatform, done: Any, timeout: float = 20.0
) -> list[dict[str, Any]]:
    """The mail outbox once done(rows) holds."""
    for _ in range(int(timeout / 0.1)):
        rows: list[dict[str, Any]] = await running.call("assets", "GET", "/mail-outbox")
        if done(rows):
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"mail outbox never reached the expected state: {rows}")


async def test_the_workbook_reaches_the_finance_department_as_an_xlsx_attachment(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    async with embedded(tmp_path) as running:
        customer = await three_moves_in_march(running)
        await running.advance_to("2026-03-31")
        (mail,) = await smtp.inbox.wait_for(1)
        issued = await running.clients["assets"].get(
            f"/customers/{customer.customer_id}/workbooks/2026-03.xlsx"
        )
        outbox = await outbox_when(running, lambda rows: rows[0]["status"] == "sent")
    assert smtp.inbox.envelopes == [
        ("hardware@safe-it.nu", ["bogholderi@nordhavn.dk", "lars@nordhavn.dk"])
    ]
    assert mail["Subject"] == "Hardwareregnskab marts 2026 – Nordhavn Revision ApS"
    assert "3 flytninger" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "hardwareregnskab-2026-03-nordhavn-revision-aps.xlsx"
    assert attachment.get_content_type() == XLSX
    content = attachment.get_content()
    assert content == issued.content, "the mailed file is the workbook as issued"
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None and sheet["D9"].value == "I alt"
    assert (outbox[0]["status"], outbox[0]["attempts"]) == ("sent", 1)


async def test_a_workbook_issued_while_the_mail_server_is_down_is_sent_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = SmtpServer(free_port())
    monkeypatch.setenv("MAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("MAIL_PORT", str(smtp.port))
    async with embedded(tmp_path) as running:
        await three_moves_in_march(running)
        await running.advance_to("2026-03-31")
        failing = await outbox_when(running, lambda rows: rows and rows[0]["attempts"] >= 1)
    smtp.start()
    (tmp_path / KEY_FILE).unlink()  # the restarted platform prints a new admin key for the test
    try:
        async with embedded(tmp_path) as restarted:
            (mail,) = await smtp.inbox.wait_for(1)
            delivered = await outbox_when(restarted, lambda rows: rows[0]["status"] == "sent")
    finally:
        smtp.stop()
    assert failing[0]["status"] == "pending"
    assert "ConnectionRefused" in failing[0]["last_error"] or "connect" in failing[0]["last_error"]
    assert mail["Subject"] == "Hardwareregnskab marts 2026 – Nordhavn Revision ApS"
    assert len(delivered) == 1 and delivered[0]["attempts"] >= 2


@pytest.mark.postgres
async def test_on_postgresql_the_workbook_is_issued_and_mailed_once(
    tmp_path: Path, smtp: SmtpServer, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSETS_DATABASE_URL", pg_database)
    async with embedded(tmp_path) as running:
        customer = await three_moves_in_march(running)
        await running.advance_to("2026-04-01")
        (mail,) = await smtp.inbox.wait_for(1)
        issued = await running.call("assets", "GET", f"/customers/{customer.customer_id}/workbooks")
        outbox = await outbox_when(running, lambda rows: rows[0]["status"] == "sent")
        await asyncio.sleep(0.5)  # a second sender would have sent it again by now
    assert [(w["rows"], w["total"]) for w in issued] == [(3, "13950.50")]
    assert len(smtp.inbox.messages) == 1 and len(outbox) == 1
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == issued[0]["filename"]

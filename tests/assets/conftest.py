"""Fixtures for the assets tests: a real SMTP server the platform sends to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.assets.builders import SmtpServer, free_port


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A running local SMTP server; MAIL_HOST and MAIL_PORT point the platform at it."""
    server = SmtpServer(free_port())
    monkeypatch.setenv("MAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("MAIL_PORT", str(server.port))
    monkeypatch.setenv("MAIL_SENDER", "hardware@safe-it.nu")
    server.start()
    try:
        yield server
    finally:
        server.stop()

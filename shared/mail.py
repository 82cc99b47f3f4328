"""Outgoing e-mail as a port: the Mailer protocol, an SMTP adapter and an in-memory recorder."""

from __future__ import annotations

import logging
import re
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("msp.mail")

_ADDRESS = re.compile(r"([A-Za-z0-9_%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def masked(text: str) -> str:
    """Text for a log line, each e-mail address cut to its first letter and domain
    (h***@nordhavn.dk): a person's address is personal data, the domain says enough."""
    return _ADDRESS.sub(r"\1***@\2", text)


class Attachment(BaseModel):
    """A file sent with a mail."""

    model_config = ConfigDict(frozen=True)

    filename: str
    content_type: str
    content: bytes


class OutgoingMail(BaseModel):
    """One message to send: recipients, subject, plain-text body and attachments."""

    model_config = ConfigDict(frozen=True)

    to: list[str] = Field(min_length=1)
    subject: str
    body: str
    attachments: list[Attachment] = Field(default_factory=list)


class Mailer(Protocol):
    """Sends mail; raises MailNotSent when the message was not accepted."""

    async def send(self, message: OutgoingMail) -> None:
        """Deliver one message."""


class MailNotSent(Exception):
    """The mail server refused the message or could not be reached."""


class MailSettings(BaseSettings):
    """Where mail goes (prefix MAIL_); without a host the platform only records mail."""

    model_config = SettingsConfigDict(env_prefix="MAIL_", extra="ignore")

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    use_tls: bool = Field(
        default=False, description="Implicit TLS (port 465); else STARTTLS when offered"
    )
    sender: str = "platform@localhost"
    timeout_seconds: float = Field(default=30.0, gt=0)


class SmtpMailer:
    """Sends through an SMTP server with aiosmtplib."""

    def __init__(self, settings: MailSettings) -> None:
        if not settings.host:
            raise ValueError("SmtpMailer needs MAIL_HOST")
        self.settings = settings

    def __repr__(self) -> str:  # the password never appears, not even masked
        return (
            f"SmtpMailer({self.settings.host}:{self.settings.port}, sender={self.settings.sender})"
        )

    async def send(self, message: OutgoingMail) -> None:
        """Deliver one message; MailNotSent says why it failed (without credentials)."""
        settings = self.settings
        password = settings.password.get_secret_value() if settings.password else None
        try:
            await aiosmtplib.send(
                mime_message(message, settings.sender),
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=password,
                use_tls=settings.use_tls,
                timeout=settings.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailNotSent(
                f"{settings.host}:{settings.port}: {type(exc).__name__}: {exc}"
            ) from exc
        log.info("mail sent to %s: %s", masked(", ".join(message.to)), message.subject)


class RecordingMailer:
    """Keeps messages in memory: the embedded default when no MAIL_HOST is set, and a test fake."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []

    async def send(self, message: OutgoingMail) -> None:
        """Record the message instead of sending it."""
        self.sent.append(message)
        log.info(
            "mail recorded (no MAIL_HOST) to %s: %s", masked(", ".join(message.to)), message.subject
        )


def mailer_from(settings: MailSettings) -> Mailer:
    """SMTP when a host is configured, else the recorder."""
    return SmtpMailer(settings) if settings.host else RecordingMailer()


def mime_message(message: OutgoingMail, sender: str) -> EmailMessage:
    """The message as MIME: a text part and one part per attachment."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = ", ".join(message.to)
    mime["Subject"] = message.subject
    mime.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mime.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return mime

"""Builders for the assets tests: customers with departments and people, hardware, moves, SMTP."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.e2e.platform import RunningPlatform

NORDHAVN = {
    "name": "Nordhavn Revision ApS",
    "cvr": "13585628",
    "finance_email": "bogholderi@nordhavn.dk",
}


@dataclass
class Customer:
    """A customer as agreements registered it, with the ids assets learnt."""

    customer_id: str
    departments: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)


async def register_customer(
    running: RunningPlatform,
    *,
    departments: tuple[str, ...] = ("Administration", "Salg", "Værksted"),
    people: tuple[tuple[str, str, str | None], ...] = (
        ("Mette Holm", "management_approver", "mette@nordhavn.dk"),
        ("Lars Berg", "finance_contact", "lars@nordhavn.dk"),
        ("Sofie Juul", "employee", None),
        ("Anders Bech", "employee", None),
    ),
    tier: str | None = "it-agreement-silver",
    sign: bool = True,
    **extra: Any,
) -> Customer:
    """Register a customer in agreements with departments, people and (optionally) a tier."""
    created = await running.call(
        "agreements", "POST", "/customers", expect=201, json={**NORDHAVN, **extra}
    )
    customer = Customer(created["customer_id"])
    base = f"/customers/{customer.customer_id}"
    for name in departments:
        body = await running.call(
            "agreements", "POST", f"{base}/departments", expect=201, json={"name": name}
        )
        customer.departments[name] = next(
            d["department_id"] for d in body["departments"] if d["name"] == name
        )
    for name, role, email in people:
        body = await running.call(
            "agreements",
            "POST",
            f"{base}/people",
            expect=201,
            json={"name": name, "role": role, "email": email},
        )
        customer.people[name] = body["people"][-1]["person_id"]
    if sign:
        agreement = {"tier": tier} if tier else {}
        await running.call("agreements", "POST", f"{base}/agreement", expect=201, json=agreement)
    return customer


def laptop(serial: str, **extra: Any) -> dict[str, Any]:
    """A laptop bought through the provider."""
    return {
        "product_type": "laptop",
        "name": "Lenovo ThinkPad T14",
        "serial": serial,
        "purchase_date": "2026-01-15",
        "price": "9800.00",
        "supplier": "Dustin A/S",
        **extra,
    }


def refusal(body: dict[str, Any]) -> tuple[list[str], str]:
    """The field and reason of a 4xx answer."""
    detail = body["detail"][0]
    return [str(part) for part in detail["loc"]], detail["msg"]


async def event_data(running: RunningPlatform, customer_id: str, name: str) -> list[dict[str, Any]]:
    """The published events of one name for a customer, oldest first, as ops shows them."""
    log = await running.call(
        "ops", "GET", "/events", params={"customer_id": customer_id, "name": name}
    )
    return [{**e["envelope"]["data"], "_actor": e["actor"]} for e in reversed(log)]


class Inbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """Wait until count messages arrived."""
        for _ in range(int(timeout / 0.05)):
            if len(self.messages) >= count:
                return self.messages
            await asyncio.sleep(0.05)
        raise AssertionError(f"{len(self.messages)} of {count} mails arrived within {timeout}s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    """A local SMTP server (aiosmtpd) on a free port, started and stopped by the test."""

    port: int
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


async def register_hardware(
    running: RunningPlatform, customer: Customer, body: dict[str, object]
) -> str:
    created = await running.call(
        "assets", "POST", f"/customers/{customer.customer_id}/hardware", expect=201, json=body
    )
    return str(created["hardware_id"])


async def move(
    running: RunningPlatform, customer: Customer, hardware_id: str, to: str, price: str
) -> dict[str, object]:
    moved: dict[str, object] = await running.call(
        "assets",
        "POST",
        f"/customers/{customer.customer_id}/hardware/{hardware_id}/moves",
        expect=201,
        json={"to_department_id": customer.departments[to], "estimated_price": price},
    )
    return moved


async def three_moves_in_march(running: RunningPlatform) -> Customer:
    """Three devices in Administration; moves on 3, 12 and 24 March 2026."""
    await running.advance_to("2026-03-02")
    customer = await register_customer(running)
    admin = customer.departments["Administration"]
    thinkpad = await register_hardware(running, customer, laptop("PF3K9A1", department_id=admin))
    screen = await register_hardware(
        running,
        customer,
        {
            "product_type": "monitor",
            "name": "Dell P2723DE 27″",
            "serial": "CN0X7Y2K",
            "purchase_date": "2025-11-03",
            "price": "3150.00",
            "department_id": admin,
        },
    )
    printer = await register_hardware(
        running,
        customer,
        {
            "product_type": "printer",
            "name": "HP Color LaserJet Pro MFP 4302fdw",
            "serial": "VNB3R12345",
            "purchase_date": "2025-06-20",
            "price": "5495.00",
            "bought_through_provider": False,
            "warranty_end": "2027-06-20",
            "department_id": admin,
        },
    )
    await running.advance_to("2026-03-03")
    await move(running, customer, thinkpad, "Salg", "7500.00")
    await running.advance_to("2026-03-12")
    await move(running, customer, screen, "Værksted", "2250.50")
    await running.advance_to("2026-03-24")
    await move(running, customer, printer, "Salg", "4200.00")
    return customer

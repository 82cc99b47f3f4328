"""Envelope and contracts: CloudEvents on the wire, versioned data, old versions still read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.contracts import Contract, UnknownContract, contract, read, upcaster
from shared.contracts.agreements import CustomerRegistered
from shared.envelope import CloudEvent, event_type


@contract
class TicketOpened(Contract):
    """Version 2: the priority became a required field; version 1 had none."""

    context = "contracttest"
    version = 2
    ticket_id: str
    priority: str


@upcaster("contracttest", "TicketOpened", 1)
def _ticket_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "priority": "normal"}


def envelope(type_: str, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(
        id="e-1",
        source="/services/test",
        type=type_,
        time=datetime(2026, 2, 16, 8, 0, tzinfo=UTC),
        customerid="c-1",
        businessdate=date(2026, 2, 16),
        correlationid="corr-1",
        causationid="cause-1",
        actor="finance@provider",
        data=data,
    )


def test_an_envelope_is_cloudevents_json_with_the_platform_extensions() -> None:
    wire = envelope(CustomerRegistered.type_name(), {"customer_id": "c-1", "name": "A"}).to_json()
    parsed = CloudEvent.from_json(wire)
    assert parsed.specversion == "1.0"
    assert parsed.type == "msp.agreements.CustomerRegistered.v1"
    assert parsed.datacontenttype == "application/json"
    assert (parsed.customerid, parsed.businessdate, parsed.actor) == (
        "c-1",
        date(2026, 2, 16),
        "finance@provider",
    )
    assert (parsed.correlationid, parsed.causationid) == ("corr-1", "cause-1")
    assert (parsed.event_name, parsed.context, parsed.version) == (
        "CustomerRegistered",
        "agreements",
        1,
    )


def test_an_older_contract_version_still_reads_as_the_current_one() -> None:
    old = envelope(event_type("contracttest", "TicketOpened", 1), {"ticket_id": "T-7"})
    message = read(old)
    assert isinstance(message, TicketOpened)
    assert message.priority == "normal"


def test_the_current_version_reads_without_upcasting() -> None:
    current = envelope(TicketOpened.type_name(), {"ticket_id": "T-8", "priority": "high"})
    assert read(current) == TicketOpened(ticket_id="T-8", priority="high")


def test_an_event_no_contract_describes_is_reported_as_unknown() -> None:
    with pytest.raises(UnknownContract):
        read(envelope("msp.contracttest.NeverDefined.v1", {}))

"""Public events of the agreements context."""

from __future__ import annotations

from typing import Literal

from shared.contracts import Contract, contract

TOPIC = "agreements.events"


@contract
class CustomerRegistered(Contract):
    """A new customer of the provider."""

    context = "agreements"
    customer_id: str
    name: str
    cvr: str | None = None
    kind: Literal["business", "consumer"] = "business"
    address: str | None = None
    finance_email: str | None = None

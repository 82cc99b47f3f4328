"""Domain events of the agreements context."""

from __future__ import annotations

from typing import Literal

from shared.domain import DomainEvent


class CustomerRegistered(DomainEvent):
    """A customer was taken on."""

    customer_id: str
    name: str
    cvr: str | None
    kind: Literal["business", "consumer"]
    address: str | None
    finance_email: str | None


ALL = (CustomerRegistered,)

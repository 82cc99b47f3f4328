"""Public events of the billing context (topic billing.events, key = customer id)."""

from __future__ import annotations

from shared.contracts import Contract

TOPIC = "billing.events"


class _Billing(Contract):
    context = "billing"

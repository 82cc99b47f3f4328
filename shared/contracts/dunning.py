"""Public events of the dunning context (topic dunning.events, key = customer id)."""

from __future__ import annotations

from shared.contracts import Contract

TOPIC = "dunning.events"


class _Dunning(Contract):
    context = "dunning"

"""Public events of the assets context (topic assets.events, key = customer id)."""

from __future__ import annotations

from shared.contracts import Contract

TOPIC = "assets.events"


class _Assets(Contract):
    context = "assets"

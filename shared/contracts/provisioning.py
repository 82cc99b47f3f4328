"""Public events of the provisioning context (topic provisioning.events, key = customer id)."""

from __future__ import annotations

from shared.contracts import Contract

TOPIC = "provisioning.events"


class _Provisioning(Contract):
    context = "provisioning"

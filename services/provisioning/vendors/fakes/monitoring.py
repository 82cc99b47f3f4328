"""An in-memory MonitoringPort with the RMM adapters' rules."""

from __future__ import annotations

from collections.abc import Mapping

from services.provisioning.vendors.fakes.base import FakeVendor
from services.provisioning.vendors.ports import MonitoringState, WriteOutcome


class FakeMonitoring(FakeVendor):
    """Clients and their monitoring state; a removed client has nothing left to switch."""

    vendor = "fake_rmm"

    def __init__(self, clients: Mapping[str, MonitoringState] | None = None) -> None:
        super().__init__()
        self.clients: dict[str, MonitoringState] = dict(clients or {})

    async def monitoring_state(self, client: str) -> MonitoringState:
        self._enter()
        return self._state(client)

    async def pause_monitoring(self, client: str, *, request_id: str) -> WriteOutcome:
        return self._set(client, "paused", "pause", request_id)

    async def resume_monitoring(self, client: str, *, request_id: str) -> WriteOutcome:
        return self._set(client, "monitored", "resume", request_id)

    async def remove_devices(self, client: str, *, request_id: str) -> WriteOutcome:
        return self._set(client, "removed", "remove", request_id)

    def _set(
        self, client: str, state: MonitoringState, action: str, request_id: str
    ) -> WriteOutcome:
        self._enter()
        current = self._state(client)
        if current == state or current == "removed":
            return WriteOutcome.ALREADY
        self.clients[client] = state
        return self._changed(client, action, request_id)

    def _state(self, client: str) -> MonitoringState:
        if client not in self.clients:
            raise self._not_found(f"client {client!r}")
        return self.clients[client]

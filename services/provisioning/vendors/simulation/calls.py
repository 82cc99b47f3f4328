"""The simulator's call log: every write it saw, so tests can prove "done exactly once"."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class CallRecord:
    """One write request (or one faulted request) and what it did to the resource."""

    method: str
    path: str
    request_id: str | None
    resource: str | None  # None when a fault answered before the vendor logic ran
    action: str | None  # "suspend", "activate", ...; None for a faulted request
    status_code: int
    state: str | None  # the resource's state after the request
    changed: bool  # the request changed the resource's state
    fault: str | None = None  # "error", "throttle", "timeout" (response withheld)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON for the admin endpoint."""
        return asdict(self)


class CallLog:
    """Records in arrival order."""

    def __init__(self) -> None:
        self._records: list[CallRecord] = []

    def add(self, record: CallRecord) -> None:
        """Append one record."""
        self._records.append(record)

    def all(self) -> list[CallRecord]:
        """Every record, oldest first."""
        return list(self._records)

    def writes(self, resource: str | None = None) -> list[CallRecord]:
        """Write requests the vendor logic handled, optionally for one resource."""
        return [
            r
            for r in self._records
            if r.action is not None and (resource is None or r.resource == resource)
        ]

    def changes(self, resource: str | None = None) -> list[CallRecord]:
        """Writes that changed state."""
        return [r for r in self.writes(resource) if r.changed]

    def clear(self) -> None:
        """Forget everything."""
        self._records.clear()

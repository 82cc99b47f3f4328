"""What every fake shares: a list of the writes it made and failures a test can queue."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from services.provisioning.vendors.errors import VendorError
from services.provisioning.vendors.ports import WriteOutcome


@dataclass(frozen=True)
class FakeWrite:
    """One change the fake made, with the caller's request id."""

    resource: str
    action: str
    request_id: str


class FakeVendor:
    """In-memory vendor: no HTTP, same rules as the adapter and its simulator."""

    vendor: ClassVar[str]

    def __init__(self) -> None:
        self.writes: list[FakeWrite] = []
        self._failures: deque[VendorError] = deque()

    def fail_next(self, *errors: VendorError) -> None:
        """The next calls raise these errors, one per call, before doing anything."""
        self._failures.extend(errors)

    def _enter(self) -> None:
        if self._failures:
            raise self._failures.popleft()

    def _changed(self, resource: str, action: str, request_id: str) -> WriteOutcome:
        self.writes.append(FakeWrite(resource, action, request_id))
        return WriteOutcome.CHANGED

    def _not_found(self, what: str) -> VendorError:
        return VendorError(self.vendor, 404, "not_found", f"no {what}", retryable=False)

    def _refused(self, code: str, message: str) -> VendorError:
        return VendorError(self.vendor, 400, code, message, retryable=False)

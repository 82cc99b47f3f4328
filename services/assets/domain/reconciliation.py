"""Devices against PC security packages: which devices have none, which packages have no device."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Device:
    """A device in service that the PC security package is sold for."""

    hardware_id: str
    product_type: str
    name: str
    serial: str
    department: str | None
    employee_id: str | None


@dataclass
class PackageSource:
    """Where packages come from: included in the agreement tier, or a pc-security subscription."""

    source: str
    quantity: int
    subscription_id: str | None = None
    covered: int = 0

    @property
    def unused(self) -> int:
        """Packages of this source that no device uses."""
        return self.quantity - self.covered


@dataclass
class Reconciliation:
    """The outcome: counts, and the differences on either side."""

    devices: int
    packages: int
    sources: list[PackageSource]
    devices_without_package: list[Device] = field(default_factory=list)

    @property
    def packages_without_device(self) -> list[PackageSource]:
        """Sources with packages no device uses (paid subscriptions are filled last)."""
        return [s for s in self.sources if s.unused > 0]


def reconcile(devices: list[Device], sources: list[PackageSource]) -> Reconciliation:
    """Give packages to devices in registration order, included ones first, then subscriptions.

    Packages are counted per customer, not tied to a device, so the newest devices are the
    ones shown without a package, and unused packages show on the subscriptions first.
    """
    waiting = list(devices)
    for source in sources:
        source.covered = min(source.quantity, len(waiting))
        waiting = waiting[source.covered :]
    return Reconciliation(
        devices=len(devices),
        packages=sum(s.quantity for s in sources),
        sources=sources,
        devices_without_package=waiting,
    )

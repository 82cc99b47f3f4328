"""The Hardware aggregate: one device, from registration through moves, repairs and setup to retirement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.assets.domain import commands as cmd
from services.assets.domain import events as ev
from services.assets.domain.dates import add_months
from services.assets.domain.policy import AssetPolicy
from services.assets.domain.register import Register
from shared.domain import Aggregate
from shared.errors import Conflict, DomainError
from shared.money import dkk


class Hardware(Aggregate):
    """A device in a customer's register."""

    stream_prefix = "hardware"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.customer_id = ""
        self.product_type = ""
        self.name = ""
        self.serial = ""
        self.warranty_end: date | None = None
        self.department_id: str | None = None
        self.employee_id: str | None = None
        self.status = "active"  # active | in_repair | retired
        self.warned = False

    @classmethod
    def register(
        cls,
        hardware_id: str,
        register: Register,
        command: cmd.RegisterHardware,
        policy: AssetPolicy,
        today: date,
    ) -> Hardware:
        """Register hardware; bought through the provider, it carries the provider's warranty."""
        if command.purchase_date > today:
            raise DomainError(f"the purchase date is after today ({today})", field="purchase_date")
        warranty_end = command.warranty_end
        if command.bought_through_provider:
            if warranty_end is not None:
                raise DomainError(
                    f"hardware bought through the provider has its {policy.warranty_months}-month "
                    "warranty; leave warranty_end out",
                    field="warranty_end",
                )
            warranty_end = add_months(command.purchase_date, policy.warranty_months)
        elif warranty_end is not None and warranty_end < command.purchase_date:
            raise DomainError(
                "the warranty cannot end before the purchase date", field="warranty_end"
            )
        placement = register.placement(command.department_id, command.employee_id)
        hardware = cls(hardware_id)
        hardware._record(
            ev.HardwareRegistered(
                customer_id=register.id,
                hardware_id=hardware_id,
                product_type=command.product_type,
                name=command.name,
                serial=command.serial,
                purchase_date=command.purchase_date,
                price=dkk(command.price),
                supplier=command.supplier,
                bought_through_provider=command.bought_through_provider,
                warranty_end=warranty_end,
                department_id=placement.department_id,
                employee_id=placement.employee_id,
            )
        )
        return hardware

    def move(self, register: Register, command: cmd.MoveHardware, today: date) -> None:
        """Move to another department and/or person; records from, to and the estimated price."""
        self._in_service("moved")
        to = register.placement(command.to_department_id, command.to_employee_id, prefix="to_")
        if (to.department_id, to.employee_id) == (self.department_id, self.employee_id):
            raise DomainError(
                "the hardware is already there: give another department or person",
                field="to_department_id",
            )
        self._record(
            ev.HardwareMoved(
                customer_id=self.customer_id,
                hardware_id=self.id,
                product_type=self.product_type,
                product_name=self.name,
                from_department_id=self.department_id,
                from_department=register.departments.get(self.department_id or ""),
                to_department_id=to.department_id,
                to_department=to.department,
                from_employee_id=self.employee_id,
                to_employee_id=to.employee_id,
                estimated_price=dkk(command.estimated_price),
                moved_on=today,
            )
        )

    def retire(self, reason: str, today: date) -> None:
        """Take the hardware out of service for good."""
        if self.status == "retired":
            raise Conflict(f"{self.name} ({self.serial}) is already retired", field="hardware_id")
        self._record(
            ev.HardwareRetired(
                customer_id=self.customer_id, hardware_id=self.id, retired_on=today, reason=reason
            )
        )

    def return_for_repair(self, command: cmd.ReturnHardwareForRepair, today: date) -> None:
        """Send for repair under warranty; refused once the warranty has ended."""
        self._in_service("returned for repair")
        if self.status == "in_repair":
            raise Conflict(
                f"{self.name} ({self.serial}) is already away for repair", field="hardware_id"
            )
        if self.warranty_end is None or self.warranty_end < today:
            ended = f"ended on {self.warranty_end}" if self.warranty_end else "is not recorded"
            raise DomainError(
                f"the warranty of {self.name} ({self.serial}) {ended}: a repair is billable work",
                field="warranty_end",
            )
        self._record(
            ev.HardwareReturnedForRepair(
                customer_id=self.customer_id,
                hardware_id=self.id,
                returned_on=today,
                sent_to=command.sent_to,
                fault=command.fault,
                warranty_end=self.warranty_end,
            )
        )

    def receive_repaired(self, note: str | None, today: date) -> None:
        """Take the repaired hardware back into service."""
        if self.status != "in_repair":
            raise Conflict(
                f"{self.name} ({self.serial}) is not away for repair", field="hardware_id"
            )
        self._record(
            ev.HardwareRepaired(
                customer_id=self.customer_id, hardware_id=self.id, repaired_on=today, note=note
            )
        )

    def complete_setup(
        self, hours_spent: Decimal, today: date, tier: str | None, silver_or_gold: bool
    ) -> None:
        """Record a setup (also after a move: reset and set up again)."""
        self._in_service("set up")
        self._record(
            ev.DeviceSetupCompleted(
                customer_id=self.customer_id,
                hardware_id=self.id,
                product_type=self.product_type,
                product_name=self.name,
                serial=self.serial,
                completed_on=today,
                hours_spent=hours_spent,
                agreement_tier=tier,
                silver_or_gold=silver_or_gold,
            )
        )

    def warn_warranty(self, today: date, notice_days: int) -> None:
        """Raise WarrantyExpiring once, when the warranty ends within notice_days."""
        if self.warned or self.status == "retired" or self.warranty_end is None:
            return
        days_left = (self.warranty_end - today).days
        if 0 <= days_left <= notice_days:
            self._record(
                ev.WarrantyExpiring(
                    customer_id=self.customer_id,
                    hardware_id=self.id,
                    product_name=self.name,
                    serial=self.serial,
                    warranty_end=self.warranty_end,
                    days_left=days_left,
                    noticed_on=today,
                )
            )

    def _in_service(self, action: str) -> None:
        if self.status == "retired":
            raise Conflict(
                f"{self.name} ({self.serial}) is retired and cannot be {action}",
                field="hardware_id",
            )

    def when_HardwareRegistered(self, event: ev.HardwareRegistered) -> None:
        self.customer_id = event.customer_id
        self.product_type = event.product_type
        self.name = event.name
        self.serial = event.serial
        self.warranty_end = event.warranty_end
        self.department_id = event.department_id
        self.employee_id = event.employee_id

    def when_HardwareMoved(self, event: ev.HardwareMoved) -> None:
        self.department_id = event.to_department_id
        self.employee_id = event.to_employee_id

    def when_HardwareRetired(self, _: ev.HardwareRetired) -> None:
        self.status = "retired"

    def when_HardwareReturnedForRepair(self, _: ev.HardwareReturnedForRepair) -> None:
        self.status = "in_repair"

    def when_HardwareRepaired(self, _: ev.HardwareRepaired) -> None:
        self.status = "active"

    def when_DeviceSetupCompleted(self, _: ev.DeviceSetupCompleted) -> None:
        pass

    def when_WarrantyExpiring(self, _: ev.WarrantyExpiring) -> None:
        self.warned = True

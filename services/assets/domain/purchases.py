"""Hardware orders (from the customer's management only) and software in the register."""

from __future__ import annotations

from datetime import date

from services.assets.domain import commands as cmd
from services.assets.domain import events as ev
from services.assets.domain.register import Register
from shared.domain import Aggregate
from shared.errors import DomainError
from shared.money import dkk


class HardwareOrder(Aggregate):
    """An order for hardware, placed by a management approver of the customer."""

    stream_prefix = "hardware-order"

    @classmethod
    def place(
        cls, order_id: str, register: Register, command: cmd.OrderHardware, today: date
    ) -> HardwareOrder:
        """Place the order; refused unless it names one of the customer's management approvers."""
        approver = register.approver(command.approved_by)
        placement = register.placement(command.department_id, command.employee_id)
        unit_price = dkk(command.estimated_unit_price)
        order = cls(order_id)
        order._record(
            ev.HardwareOrdered(
                customer_id=register.id,
                order_id=order_id,
                approved_by=approver.person_id,
                product_type=command.product_type,
                name=command.name,
                quantity=command.quantity,
                estimated_unit_price=unit_price,
                estimated_total=dkk(unit_price * command.quantity),
                department_id=placement.department_id,
                employee_id=placement.employee_id,
                ordered_on=today,
                note=command.note,
            )
        )
        return order

    def when_HardwareOrdered(self, _: ev.HardwareOrdered) -> None:
        pass


class Software(Aggregate):
    """A software licence in the register."""

    stream_prefix = "software"

    @classmethod
    def register(
        cls, software_id: str, register: Register, command: cmd.RegisterSoftware, today: date
    ) -> Software:
        """Register software for the company, a department or an employee."""
        if command.purchase_date is not None and command.purchase_date > today:
            raise DomainError(f"the purchase date is after today ({today})", field="purchase_date")
        placement = register.placement(command.department_id, command.employee_id)
        software = cls(software_id)
        software._record(
            ev.SoftwareRegistered(
                customer_id=register.id,
                software_id=software_id,
                name=command.name,
                publisher=command.publisher,
                seats=command.seats,
                purchase_date=command.purchase_date,
                price=dkk(command.price) if command.price is not None else None,
                supplier=command.supplier,
                licence_expires=command.licence_expires,
                department_id=placement.department_id,
                employee_id=placement.employee_id,
            )
        )
        return software

    def when_SoftwareRegistered(self, _: ev.SoftwareRegistered) -> None:
        pass

"""The register's overview per company and per employee (MICO's "oversigter"), from the read models."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assets.adapters import tables as t
from services.assets.adapters.people import revealed_people
from services.assets.domain.policy import product_label

COMPANY = "Virksomheden"


class OverviewItem(BaseModel):
    """One piece of hardware or software."""

    kind: Literal["hardware", "software"]
    item_id: str
    product: str
    name: str
    serial: str | None = None
    seats: int | None = None
    department: str | None
    purchase_date: date | None
    warranty_end: date | None = None
    licence_expires: date | None = None
    status: str = "active"


class OverviewGroup(BaseModel):
    """What the company holds in common, or what one employee holds."""

    holder: str
    person_id: str | None
    items: list[OverviewItem]


class Overview(BaseModel):
    """The customer's register, grouped by holder."""

    customer_id: str
    hardware: int
    software: int
    groups: list[OverviewGroup]


async def build_overview(conn: AsyncConnection, customer_id: str) -> Overview:
    """Hardware in service and software, the company's first, then each employee's."""
    departments = dict(
        (
            await conn.execute(
                select(t.departments.c.department_id, t.departments.c.name).where(
                    t.departments.c.customer_id == customer_id
                )
            )
        ).all()
    )
    person_ids = (
        await conn.execute(
            select(t.people.c.person_id).where(t.people.c.customer_id == customer_id)
        )
    ).scalars()
    people = {
        pid: data.name for pid, data in (await revealed_people(conn, list(person_ids))).items()
    }
    h, s = t.hardware.c, t.software.c
    hardware = (
        (
            await conn.execute(
                select(t.hardware)
                .where(h.customer_id == customer_id, h.status != "retired")
                .order_by(h.registered_position)
            )
        )
        .mappings()
        .all()
    )
    software = (
        (
            await conn.execute(
                select(t.software).where(s.customer_id == customer_id).order_by(s.name)
            )
        )
        .mappings()
        .all()
    )
    groups: dict[str | None, list[OverviewItem]] = {None: []}
    for row in hardware:
        groups.setdefault(row["employee_id"], []).append(
            OverviewItem(
                kind="hardware",
                item_id=row["hardware_id"],
                product=product_label(row["product_type"]),
                name=row["name"],
                serial=row["serial"],
                department=departments.get(row["department_id"]),
                purchase_date=row["purchase_date"],
                warranty_end=row["warranty_end"],
                status=row["status"],
            )
        )
    for row in software:
        groups.setdefault(row["employee_id"], []).append(
            OverviewItem(
                kind="software",
                item_id=row["software_id"],
                product="Software",
                name=row["name"],
                seats=row["seats"],
                department=departments.get(row["department_id"]),
                purchase_date=row["purchase_date"],
                licence_expires=row["licence_expires"],
            )
        )
    company = groups.pop(None)
    employees = sorted(groups.items(), key=lambda g: people.get(g[0] or "", ""))
    ordered = [(None, company), *employees]
    return Overview(
        customer_id=customer_id,
        hardware=len(hardware),
        software=len(software),
        groups=[
            OverviewGroup(
                holder=people.get(pid, pid) if pid else COMPANY, person_id=pid, items=items
            )
            for pid, items in ordered
        ],
    )


def overview_text(customer: str, provider: str, overview: Overview, today: date) -> str:
    """The overview as the plain-text mail the contact person receives."""
    lines = [f"Oversigt over hardware og software hos {customer} pr. {today:%d.%m.%Y}", ""]
    for group in overview.groups:
        lines.append(f"{group.holder}:")
        if not group.items:
            lines.append("  (intet registreret)")
        for item in group.items:
            detail = f"serienr. {item.serial}" if item.serial else f"{item.seats} licens(er)"
            until = item.warranty_end or item.licence_expires
            ends = f", garanti/licens til {until:%d.%m.%Y}" if until else ""
            where = f", {item.department}" if item.department else ""
            lines.append(f"  - {item.product}: {item.name} ({detail}{where}{ends})")
        lines.append("")
    lines += [f"Venlig hilsen\n{provider}"]
    return "\n".join(lines) + "\n"

"""People as assets keeps them: sealed in the read model, revealed through the vault when used."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assets.adapters import tables as t
from shared.privacy import ERASED_PERSON, Personal, PersonalData
from shared.vault import current as vault

PERSON = "person:"
_PERSONAL: TypeAdapter[Personal] = TypeAdapter(Personal)


async def revealed_people(
    conn: AsyncConnection, person_ids: Sequence[str]
) -> dict[str, PersonalData]:
    """The people's data in the clear; erased (or unknown) people read as erased."""
    p = t.people.c
    rows = (
        await conn.execute(
            select(p.person_id, p.personal, p.name, p.email).where(
                p.person_id.in_(sorted(set(person_ids)))
            )
        )
    ).all()
    found: list[tuple[str, Personal | None]] = [
        (
            row.person_id,
            _PERSONAL.validate_python(row.personal)
            if row.personal
            # a person noted before sealing began, and not erased since
            else (PersonalData(name=row.name, email=row.email) if row.name else None),
        )
        for row in rows
    ]
    revealed = await vault().reveal_many(found)
    known = {pid: data for (pid, _), data in zip(found, revealed, strict=True)}
    return {pid: known.get(pid, ERASED_PERSON) for pid in person_ids}


async def revealed_recipients(
    conn: AsyncConnection, recipients: Sequence[str], *, erased: str | None
) -> list[str]:
    """Recipients with `person:<id>` replaced by the e-mail; an erased one by `erased` (or left out)."""
    people = await revealed_people(
        conn, [r.removeprefix(PERSON) for r in recipients if r.startswith(PERSON)]
    )
    shown: list[str] = []
    for recipient in recipients:
        if not recipient.startswith(PERSON):
            shown.append(recipient)
            continue
        email = people[recipient.removeprefix(PERSON)].email
        if email or erased:
            shown.append(email or str(erased))
    return shown

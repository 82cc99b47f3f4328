"""The people read model as the API shows it: revealed through the key vault, never stored in the clear."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from services.agreements.schemas import PersonRead
from shared.privacy import Personal, PersonalData
from shared.vault import Vault


async def revealed_people(vault: Vault, rows: list[dict[str, Any]]) -> list[PersonRead]:
    """People with their data revealed through the vault (erased ones read as erased)."""
    sealed = [(r["person_id"], _personal(r)) for r in rows]
    revealed = await vault.reveal_many(sealed)
    return [
        PersonRead(
            person_id=r["person_id"],
            role=r["role"],
            department_id=r["department_id"],
            name=data.name,
            email=data.email,
            phone=data.phone,
            erased=data.erased,
        )
        for r, data in zip(rows, revealed, strict=True)
    ]


def _personal(row: dict[str, Any]) -> Personal | None:
    if row["erased"]:
        return None
    if row["personal"] is not None:
        return _PERSONAL.validate_python(row["personal"])
    if row["name"]:  # a row projected before sealing began, not replayed since
        return PersonalData(name=row["name"], email=row["email"], phone=row["phone"])
    return None


_PERSONAL: TypeAdapter[Personal] = TypeAdapter(Personal)

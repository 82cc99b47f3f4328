"""Personal data is sealed per person: no plaintext in events, tampering fails, erasure reads as erased."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from services.agreements.domain.events import PersonAdded as StoredPersonAdded
from shared.contracts import read
from shared.contracts.agreements import PersonAdded
from shared.envelope import CloudEvent
from shared.privacy import (
    ERASED,
    PersonalData,
    PersonalDataTampered,
    SealedPersonal,
    seal,
    unseal,
)
from shared.vault import Vault

LARS = PersonalData(name="Lars Berg", email="lars.berg@nordhavn.dk", phone="+45 20 30 40 50")


@pytest.fixture
async def vault(database_url: str) -> AsyncIterator[Vault]:
    """The key vault on an SQLite file and on a PostgreSQL database."""
    opened = Vault(database_url)
    await opened.open()
    yield opened
    await opened.close()


async def test_a_sealed_person_event_carries_no_plaintext_and_reveals_through_the_vault(
    vault: Vault,
) -> None:
    sealed = await vault.seal("p-1", LARS)
    event = PersonAdded(customer_id="c-1", person_id="p-1", role="finance_contact", personal=sealed)
    wire = event.model_dump_json()
    for clear in ("Lars", "Berg", "lars.berg", "nordhavn.dk", "20 30 40 50"):
        assert clear not in wire
    assert await vault.reveal("p-1", event.personal) == LARS


async def test_each_sealing_uses_a_fresh_nonce(vault: Vault) -> None:
    first, second = await vault.seal("p-1", LARS), await vault.seal("p-1", LARS)
    assert first.key_id == second.key_id
    assert first.nonce != second.nonce and first.ciphertext != second.ciphertext


async def test_a_tampered_ciphertext_fails_authentication(vault: Vault) -> None:
    sealed = await vault.seal("p-1", LARS)
    raw = bytearray(sealed.ciphertext.encode())
    raw[5] = ord("A") if raw[5] != ord("A") else ord("B")
    forged = sealed.model_copy(update={"ciphertext": raw.decode()})
    with pytest.raises(PersonalDataTampered):
        await vault.reveal("p-1", forged)


async def test_ciphertext_moved_to_another_person_fails_authentication() -> None:
    key = bytes(32)
    sealed = seal(key, "k-1", "p-1", LARS)
    assert unseal(key, "p-1", sealed) == LARS
    with pytest.raises(PersonalDataTampered):
        unseal(key, "p-2", sealed)


async def test_after_erasure_the_person_reads_as_erased_without_an_error(vault: Vault) -> None:
    sealed = await vault.seal("p-1", LARS)
    assert await vault.erase("p-1") is True
    revealed = await vault.reveal("p-1", sealed)
    assert (revealed.name, revealed.email, revealed.phone, revealed.erased) == (
        ERASED,
        None,
        None,
        True,
    )
    assert await vault.erase("p-1") is False, "erasing again changes nothing"


async def test_a_key_of_another_person_does_not_open_the_data(vault: Vault) -> None:
    mine = await vault.seal("p-1", LARS)
    await vault.seal("p-2", PersonalData(name="Mette Holm"))
    theirs = await vault.seal("p-2", PersonalData(name="Mette Holm"))
    pasted = SealedPersonal(key_id=theirs.key_id, nonce=mine.nonce, ciphertext=mine.ciphertext)
    assert (await vault.reveal("p-1", pasted)).erased, "p-2's key is never used for p-1"


def test_a_version_1_person_event_in_the_clear_still_reads() -> None:
    old = CloudEvent(
        id="e-1",
        source="agreements",
        type="msp.agreements.PersonAdded.v1",
        time=datetime.now(UTC),
        data={
            "customer_id": "c-1",
            "person_id": "p-1",
            "role": "contact",
            "name": "Karin Lund",
            "email": "karin@nordhavn.dk",
            "phone": None,
            "department_id": None,
        },
    )
    message = read(old)
    assert isinstance(message, PersonAdded)
    assert message.personal == PersonalData(name="Karin Lund", email="karin@nordhavn.dk")


def test_a_person_recorded_in_the_clear_before_sealing_still_loads() -> None:
    stored = StoredPersonAdded.model_validate(
        {
            "customer_id": "c-1",
            "person_id": "p-1",
            "role": "contact",
            "name": "Karin Lund",
            "email": None,
            "phone": None,
            "department_id": None,
        }
    )
    assert stored.personal == PersonalData(name="Karin Lund")


def test_personal_data_never_shows_in_a_log_line() -> None:
    assert "Lars" not in repr(LARS) and "lars" not in f"{LARS}"
    assert "Lars" not in json.dumps({"seen": str(LARS)})

"""Personal data sealed per person with AES-256-GCM; pure (no I/O): the keys come from the vault."""

from __future__ import annotations

import base64
import json
import os
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict

ERASED = "[erased]"
ERASE_SCOPE = "privacy:erase"
KEY_BYTES = 32
NONCE_BYTES = 12


class PersonalData(BaseModel):
    """A person's name, e-mail and phone in the clear; only ever held in memory."""

    model_config = ConfigDict(frozen=True)

    name: str
    email: str | None = None
    phone: str | None = None
    erased: bool = False

    def __repr__(self) -> str:  # keep personal data out of logs and tracebacks
        return f"PersonalData(erased={self.erased})"

    __str__ = __repr__


ERASED_PERSON = PersonalData(name=ERASED, erased=True)


class SealedPersonal(BaseModel):
    """Personal data as events and read models carry it: ciphertext under one person's key."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    alg: Literal["A256GCM"] = "A256GCM"
    nonce: str
    ciphertext: str


# What a person event may carry: sealed data, or plain data recorded before sealing began.
Personal = SealedPersonal | PersonalData


class PersonalDataTampered(Exception):
    """Sealed personal data failed authentication: altered, or moved to another person."""


def associated_data(person_id: str) -> bytes:
    """Binds a ciphertext to its person and purpose, so it cannot be pasted onto another."""
    return f"msp/person/{person_id}/personal".encode()


def new_key() -> bytes:
    """A fresh 256-bit key."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: bytes, key_id: str, person_id: str, data: PersonalData) -> SealedPersonal:
    """Encrypt a person's data under their key, with a fresh nonce."""
    nonce = os.urandom(NONCE_BYTES)
    clear = json.dumps(data.model_dump(exclude={"erased"}), separators=(",", ":")).encode()
    ciphertext = AESGCM(key).encrypt(nonce, clear, associated_data(person_id))
    return SealedPersonal(key_id=key_id, nonce=_b64(nonce), ciphertext=_b64(ciphertext))


def unseal(key: bytes, person_id: str, sealed: SealedPersonal) -> PersonalData:
    """Decrypt sealed data; PersonalDataTampered if it does not authenticate."""
    try:
        clear = AESGCM(key).decrypt(
            _unb64(sealed.nonce), _unb64(sealed.ciphertext), associated_data(person_id)
        )
    except (InvalidTag, ValueError) as exc:
        raise PersonalDataTampered(
            f"personal data of person {person_id} failed authentication"
        ) from exc
    return PersonalData.model_validate_json(clear)


def legacy_personal(data: dict[str, Any]) -> dict[str, Any]:
    """Move plain name/email/phone of an event recorded before sealing into `personal`."""
    if data.get("personal") is None and "name" in data:
        data = dict(data)
        data["personal"] = {k: data.pop(k, None) for k in ("name", "email", "phone")}
    return data


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())

"""What a write request's transactions record for it: how many committed, and its key.

The HTTP layer (shared/idempotency.py) opens a `WriteRequest` for every request that may
write; the event store's transactions in that context record themselves in it:

- every commit counts (`commits`), also in tasks the request started, so that an error
  after one is not answered as if nothing was stored;
- a request that carries an Idempotency-Key has a `KeyClaim`, and the store's first
  transaction for the request's own service inserts the key with the command's own rows.
  So the key is taken exactly when the command is stored: a command refused or rolled
  back leaves the key free, a command committed leaves it taken, and a second request
  with the key finds it taken (`AlreadyCarriedOut`) and stores nothing. Two requests with
  one key at once: the second's insert waits for the first's transaction, then finds the
  key taken (PostgreSQL), or waits for the write lock (SQLite).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.envelope import utcnow
from shared.store.schema import idempotency_keys

KEPT_FOR = timedelta(hours=24)  # a key and its answer; a retry later than this is a new request


@dataclass
class KeyClaim:
    """One request's key: its caller's scope and key, and what the request was."""

    key: str  # as the caller sent it
    fingerprint: str
    store: Any  # the event store of the service the request is for: the key is kept there
    request_state: dict[str, Any]  # where the API key guard names the caller
    taking: bool = False  # a transaction of this request is taking it now
    claimed: bool = False  # stored with a committed transaction of this request

    @property
    def stored_key(self) -> str:
        """The key under its caller's name: each API key (by name, so across a rotation of
        its secret) has keys of its own."""
        principal = self.request_state.get("principal")
        return f"{getattr(principal, 'name', '')}:{self.key}"


class AlreadyCarriedOut(Exception):
    """A request with this key was stored before; nothing was stored this time."""

    def __init__(self, claim: KeyClaim) -> None:
        super().__init__("a request with this Idempotency-Key was carried out before")
        self.claim = claim


class WriteRequest:
    """One write request, as its transactions record it."""

    __slots__ = ("claim", "commits")

    def __init__(self, claim: KeyClaim | None = None) -> None:
        self.claim = claim
        self.commits = 0


_request: ContextVar[WriteRequest | None] = ContextVar("msp_write_request", default=None)


@contextlib.contextmanager
def serving(request: WriteRequest) -> Iterator[WriteRequest]:
    """The event store's transactions run inside this block record themselves in request."""
    token = _request.set(request)
    try:
        yield request
    finally:
        _request.reset(token)


def open_claim(store: Any) -> KeyClaim | None:
    """The key the current request still has to take in this store, if any."""
    request = _request.get()
    claim = None if request is None else request.claim
    if claim is None or claim.store is not store or claim.claimed or claim.taking:
        return None
    return claim


def note_commit() -> None:
    """The event store committed a transaction: count it for the request, if any."""
    request = _request.get()
    if request is not None:
        request.commits += 1


async def take(conn: AsyncConnection, claim: KeyClaim) -> None:
    """Insert the key in the transaction on conn; `AlreadyCarriedOut` if it is taken.

    Keys older than `KEPT_FOR` are removed first, so the table holds a day's keys. The
    caller clears `taking` when its transaction ends, and sets `claimed` if it committed.
    """
    claim.taking = True
    now = utcnow()
    await conn.execute(
        delete(idempotency_keys).where(idempotency_keys.c.created_at < now - KEPT_FOR)
    )
    row: dict[str, Any] = {
        "key": claim.stored_key,
        "fingerprint": claim.fingerprint,
        "created_at": now,
    }
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    result = await conn.execute(insert(idempotency_keys).values(row).on_conflict_do_nothing())
    if result.rowcount != 1:
        raise AlreadyCarriedOut(claim)

"""Telling a lost database from a failed command: the first is waited out, the second is not.

While PostgreSQL restarts, new connections are refused (an OSError from asyncpg's connect),
pooled ones are invalidated (a DBAPIError with connection_invalidated), and a starting server
answers "the database system is starting up". None of that says anything about the command:
consumers wait and try again instead of spending their dead-letter attempts on it, and the
HTTP layer answers 503 instead of 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("msp.store")

T = TypeVar("T")

_ASYNCPG_UNAVAILABLE = (
    asyncpg.exceptions.PostgresConnectionError,  # class 08
    asyncpg.exceptions.OperatorInterventionError,  # 57P: shutdown, starting up
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,  # a connection left mid-operation
    asyncpg.exceptions.TooManyConnectionsError,  # 53300: the server's or role's limit, for now
)


class CommitOutcomeUnknown(Exception):
    """The database went away while a transaction was committing: it may have been stored.

    Raised from the error that ended the commit (its `__cause__`). It counts as unavailable
    (a consumer waits and handles the message again, which its inbox makes safe), but the
    HTTP layer must not tell a caller that nothing was stored.
    """

    def __init__(self) -> None:
        super().__init__("the database was lost while the transaction was committing")


# The exception classes to look at (the HTTP layer registers a handler for each).
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    CommitOutcomeUnknown,
    OSError,
    DBAPIError,
    PoolTimeout,
    asyncpg.exceptions.PostgresError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)


def outcome_unknown(exc: BaseException) -> bool:
    """True if the error, or one it came from, is a commit whose outcome is unknown."""
    current: BaseException | None = exc
    for _ in range(8):
        if current is None:
            return False
        if isinstance(current, CommitOutcomeUnknown):
            return True
        current = current.__cause__
    return False


def is_unavailable(exc: BaseException) -> bool:
    """True when the error means the database cannot be reached right now."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        if isinstance(current, BaseExceptionGroup):  # e.g. from a TaskGroup of batches
            return all(is_unavailable(inner) for inner in current.exceptions)
        if isinstance(current, CommitOutcomeUnknown | ConnectionError | TimeoutError | PoolTimeout):
            return True
        if isinstance(current, OSError) and current.errno is not None:
            return True  # connect() refused, reset or unreachable
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, asyncpg.exceptions.QueryCanceledError):
            return False  # a statement timeout (57014) is the command's own doing
        if isinstance(current, _ASYNCPG_UNAVAILABLE):
            return True
        current = current.__cause__
        seen += 1
    return False


async def retry_while_unavailable(
    work: Callable[[], Awaitable[T]],
    *,
    what: str,
    pause: float = 0.5,
    max_pause: float = 5.0,
) -> T:
    """Run work; while the database is away, wait and run it again (other errors propagate)."""
    waited = 0
    while True:
        try:
            return await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            if waited == 0:
                log.warning("%s: the database is unavailable, waiting for it", what)
            waited += 1
            await asyncio.sleep(min(max_pause, pause * 2 ** min(waited - 1, 4)))

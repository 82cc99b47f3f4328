"""Idempotency keys on write requests: a request sent again is carried out once.

A caller that may have to send a write request again (a timeout, a lost connection, an
answer saying the outcome is unknown) sends it with an `Idempotency-Key` header, the same
key on every try (the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field"):

- the first try that stores its command takes the key in the command's own transaction
  (shared/store/claims.py); its answer's status is kept with the key for `KEPT_FOR`;
- a later try with the key and the same request stores nothing and is answered 409,
  naming the first answer's status (or saying it is not known yet: still being answered,
  or lost with the connection). The first answer's body is not kept to be given again:
  answers show people's data revealed (the stores hold it only sealed, docs/privacy.md)
  and secrets shown once (a webhook's signing secret); the caller reads the result;
- the key with a different request (method, path, query or body) is refused with 422;
- a try that stored nothing (refused, or failed before its commit) leaves the key free,
  so the corrected or repeated request is carried out.

Keys are kept per caller (the API key's name): two callers may use the same idempotency key
without meeting. Requests without the header are handled as before.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select, update

from shared.store.availability import is_unavailable
from shared.store.claims import AlreadyCarriedOut, KeyClaim, WriteRequest, serving
from shared.store.schema import idempotency_keys

log = logging.getLogger("msp.idempotency")

HEADER = b"idempotency-key"
LONGEST = 255
READING = frozenset({"GET", "HEAD", "OPTIONS"})  # methods that never write


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"detail": [{"loc": ["header", "Idempotency-Key"], "msg": message, "type": "idempotency"}]},
        status_code=status,
    )


class WriteRequests:
    """Plain ASGI middleware: a request that may write is served as a `WriteRequest` (its
    commits counted, for the answer to an error after one), and one with an
    Idempotency-Key takes the key with its command. Reads pass straight through."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in READING:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        given = next((v for k, v in scope.get("headers", ()) if k == HEADER), None)
        if given is None:
            with serving(WriteRequest()) as request:
                state["write_request"] = request
                await self.app(scope, receive, send)
            return
        key = given.decode("latin-1")
        if not 0 < len(key) <= LONGEST or not key.isprintable() or not key.isascii():
            await _refused(400, f"must be 1 to {LONGEST} printable ASCII characters")(
                scope, receive, send
            )
            return

        body = b""
        while True:  # the whole request, to tell a retry from a different request
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        delivered = False

        async def replayed_receive() -> Any:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        fingerprint = hashlib.sha256(
            b"\0".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    body,
                ]
            )
        ).hexdigest()
        store = scope["app"].state.runtime.store
        claim = KeyClaim(key, fingerprint, store, state)
        answered: list[int] = []

        async def noting_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                answered.append(message["status"])
            await send(message)

        with serving(WriteRequest(claim)) as request:
            state["write_request"] = request
            await self.app(scope, replayed_receive, noting_send)
        if not claim.claimed or not answered or answered[0] >= 500:
            # An answer of the server's own trouble is not kept: a retry is told that the
            # request was carried out, rather than of the trouble again.
            return
        try:
            async with store.engine.begin() as conn:
                await conn.execute(
                    update(idempotency_keys)
                    .where(idempotency_keys.c.key == claim.stored_key)
                    .values(status=answered[0])
                )
        except Exception as error:  # answered already; a retry learns only "carried out"
            if not is_unavailable(error):
                raise
            log.warning("the status of an idempotent request was not kept: database away")


async def carried_out_before(request: Request, exc: Exception) -> Response:
    """The answer to a request whose key a stored request took before."""
    assert isinstance(exc, AlreadyCarriedOut)
    store = request.app.state.runtime.store
    async with store.engine.connect() as conn:
        first = (
            (
                await conn.execute(
                    select(idempotency_keys).where(idempotency_keys.c.key == exc.claim.stored_key)
                )
            )
            .mappings()
            .first()
        )
    if first is not None and first["fingerprint"] != exc.claim.fingerprint:
        return _refused(
            422,
            "was used before with a different request (method, path or body); use a new key "
            "for a new request",
        )
    first_status = None if first is None else first["status"]
    answered = "not known yet" if first_status is None else f"answered {first_status}"
    return _refused(
        409,
        f"a request with this key was carried out before ({answered}); nothing was done "
        "now. Read the result instead of sending the request again",
    )

"""Idempotency keys on write requests: a retried request is carried out once.

A caller that may have to send a write request again (a timeout, a lost connection, an
answer saying the outcome is unknown) sends it with an `Idempotency-Key` header, the same
key on every try (the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field"):

- the first try that stores its command takes the key in the command's own transaction
  (shared/store/claims.py), and its answer is kept with the key for `KEPT_FOR`;
- a later try with the key and the same request stores nothing and gets the first answer
  again, marked `Idempotent-Replayed: true`; while the first is still being answered, or
  if its answer was lost, it gets 409 and stores nothing;
- the key with a different request (method, path, query or body) is refused with 422;
- a try that stored nothing (refused, or failed before its commit) leaves the key free.

Keys are kept per caller: two API keys may use the same idempotency key without meeting.
Requests without the header are handled as before.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select, update

from shared.store.claims import AlreadyCarriedOut, KeyClaim, claiming
from shared.store.schema import idempotency_keys

HEADER = b"idempotency-key"
LONGEST = 255
READING = frozenset({"GET", "HEAD", "OPTIONS"})


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"detail": [{"loc": ["header", "Idempotency-Key"], "msg": message, "type": "idempotency"}]},
        status_code=status,
    )


class IdempotencyKeys:
    """Plain ASGI middleware: a write request with an Idempotency-Key takes it with its command."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in READING:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        given = headers.get(HEADER)
        if given is None:
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

        caller = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()[:32]
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
        claim = KeyClaim(f"{caller}:{key}", fingerprint, store)
        answer: dict[str, Any] = {"status": None, "content_type": None, "body": b""}

        async def keeping_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() == b"content-type":
                        answer["content_type"] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")
            await send(message)

        with claiming(claim):
            await self.app(scope, replayed_receive, keeping_send)
        if claim.claimed and answer["status"] is not None and answer["status"] < 500:
            # An answer of the server's own trouble is not kept: a retry then learns that the
            # request was carried out (409) rather than the trouble again.
            async with store.engine.begin() as conn:
                await conn.execute(
                    update(idempotency_keys)
                    .where(idempotency_keys.c.key == claim.key)
                    .values(
                        status=answer["status"],
                        content_type=answer["content_type"],
                        body=answer["body"],
                    )
                )


async def carried_out_before(request: Request, exc: Exception) -> Response:
    """The answer to a request whose key a stored request took before."""
    assert isinstance(exc, AlreadyCarriedOut)
    store = request.app.state.runtime.store
    async with store.engine.connect() as conn:
        first = (
            (
                await conn.execute(
                    select(idempotency_keys).where(idempotency_keys.c.key == exc.claim.key)
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
    if first is None or first["status"] is None:
        return _refused(
            409,
            "a request with this key was carried out; its answer is not ready or was not "
            "kept. Read the result instead of sending the request again",
        )
    return Response(
        first["body"] or b"",
        status_code=first["status"],
        media_type=first["content_type"],
        headers={"idempotent-replayed": "true"},
    )

"""A SuperOps GraphQL stand-in that understands the adapter's default operations.

Seed: {account_id: "Active" | "Inactive" | "Archived"}. It answers the root fields
`getClient` and `updateClient` (the adapter's unverified defaults) and refuses any
other with a GraphQL validation error. Errors come as `errors[]`: in a 200 for
business errors (NOT_FOUND, BAD_USER_INPUT), with 401 / 429 / 5xx otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.provisioning.vendors.simulation.base import Simulation, json_object
from services.provisioning.vendors.simulation.faults import FaultPlan

STATUSES = ("Active", "Inactive", "Archived")
ROOT_FIELD = re.compile(r"\{\s*(\w+)")
FAULT_CODES = {429: "TOO_MANY_REQUESTS"}


class SuperOpsSimulation(Simulation):
    """Clients of one MSP subdomain, each Active, Inactive or Archived."""

    vendor = "superops"
    request_id_header = "X-Request-Id"

    def __init__(
        self,
        seed: Mapping[str, Any] | None = None,
        *,
        faults: FaultPlan | None = None,
        api_token: str = "sim-superops-token",
        subdomain: str = "sim-msp",
    ) -> None:
        self.subdomain = subdomain
        super().__init__(seed, faults=faults)
        self.api_token = api_token
        self._tokens.add(api_token)  # a static API token, valid until expire_tokens()

    def load(self, seed: Mapping[str, Any]) -> None:
        self.clients: dict[str, str] = {str(k): str(v) for k, v in seed.items()}

    def snapshot(self) -> dict[str, Any]:
        return {"clients": dict(self.clients)}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        code = FAULT_CODES.get(status, "SERVICE_UNAVAILABLE" if status >= 500 else "ERROR")
        return {"errors": [{"message": message, "extensions": {"code": code}}]}

    @staticmethod
    def _errors(message: str, code: str, status: int = 200) -> JSONResponse:
        body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
        return JSONResponse(body, status_code=status)

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.post("/msp")
        async def graphql(request: Request) -> JSONResponse:
            if not self.bearer_ok(request) or (
                request.headers.get("customersubdomain") != self.subdomain
            ):
                return self._errors("Unauthorized", "UNAUTHENTICATED", 401)
            body = await json_object(request)
            match = ROOT_FIELD.search(str(body.get("query", "")))
            field = match.group(1) if match else ""
            variables = body.get("variables") or {}
            given = variables.get("input") or {}
            if field == "getClient":
                return self._get_client(str(given.get("accountId", "")))
            if field == "updateClient":
                return self._update_client(request, given)
            return self._errors(f"Cannot query field {field!r}", "GRAPHQL_VALIDATION_FAILED", 400)

        return router

    def _get_client(self, account_id: str) -> JSONResponse:
        if account_id not in self.clients:
            return self._errors(f"Client {account_id} not found", "NOT_FOUND")
        client = {"accountId": account_id, "status": self.clients[account_id]}
        return JSONResponse({"data": {"getClient": client}})

    def _update_client(self, request: Request, given: dict[str, Any]) -> JSONResponse:
        account_id = str(given.get("accountId", ""))
        status = given.get("status")
        if account_id not in self.clients:
            return self._errors(f"Client {account_id} not found", "NOT_FOUND")
        if status not in STATUSES:
            return self._errors(f"Invalid status {status!r}", "BAD_USER_INPUT")
        changed = self.clients[account_id] != status
        self.clients[account_id] = str(status)
        self.record(
            request,
            resource=account_id,
            action=f"status:{status}",
            status_code=200,
            state=str(status),
            changed=changed,
        )
        client = {"accountId": account_id, "status": status}
        return JSONResponse({"data": {"updateClient": client}})

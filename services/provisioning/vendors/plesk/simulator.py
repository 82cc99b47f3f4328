"""A Plesk REST v2 stand-in: domains with an active / suspended / disabled / deleted machine.

Seed: {domain_name: "active" | "suspended" | "disabled"} or {domain_name: {"status": ...}}.
A deleted domain stays in the simulator's state (and call log) but, as in Plesk,
the API no longer shows it. Error codes 1001 / 1013 / 1019 are borrowed from the
Plesk XML API; the codes the REST API uses are unverified.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.provisioning.vendors.simulation.base import Simulation, json_object
from services.provisioning.vendors.simulation.faults import FaultPlan

SETTABLE = ("active", "suspended", "disabled")
AUTHENTICATION_FAILED = 1001
OBJECT_NOT_FOUND = 1013
INVALID_VALUE = 1019


class PleskSimulation(Simulation):
    """Domains on one Plesk server."""

    vendor = "plesk"
    request_id_header = "X-Request-Id"

    def __init__(
        self,
        seed: Mapping[str, Any] | None = None,
        *,
        faults: FaultPlan | None = None,
        api_key: str = "sim-plesk-key",
    ) -> None:
        self.api_key = api_key
        super().__init__(seed, faults=faults)

    def load(self, seed: Mapping[str, Any]) -> None:
        self.domains: dict[int, dict[str, Any]] = {}
        for name, spec in seed.items():
            status = spec if isinstance(spec, str) else spec.get("status", "active")
            self.put(name, status=status)

    def put(self, name: str, *, status: str = "active") -> dict[str, Any]:
        """Add a domain (ids count up from 1)."""
        domain_id = max(self.domains, default=0) + 1
        domain = {
            "id": domain_id,
            "name": name,
            "ascii_name": name,
            "hosting_type": "virtual",
            "guid": f"sim-{domain_id:08d}",
            "status": status,
        }
        self.domains[domain_id] = domain
        return domain

    def snapshot(self) -> dict[str, Any]:
        return {"domains": {d["name"]: d["status"] for d in self.domains.values()}}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"code": status, "message": message}

    def _live(self, domain_id: int) -> dict[str, Any] | None:
        domain = self.domains.get(domain_id)
        return domain if domain and domain["status"] != "deleted" else None

    def _error(self, status: int, code: int, message: str) -> JSONResponse:
        return JSONResponse({"code": code, "message": message}, status_code=status)

    def _refused(self, request: Request) -> JSONResponse | None:
        if request.headers.get("x-api-key") != self.api_key:
            return self._error(401, AUTHENTICATION_FAILED, "Authentication failed.")
        return None

    def router(self) -> APIRouter:
        router = APIRouter(prefix="/api/v2")

        @router.get("/domains")
        async def list_domains(request: Request, name: str | None = None) -> JSONResponse:
            if refused := self._refused(request):
                return refused
            found = [
                {k: v for k, v in d.items() if k != "status"}
                for d in self.domains.values()
                if d["status"] != "deleted" and (name is None or d["name"] == name)
            ]
            return JSONResponse(found)

        @router.get("/domains/{domain_id}/status")
        async def get_status(domain_id: int, request: Request) -> JSONResponse:
            if refused := self._refused(request):
                return refused
            if (domain := self._live(domain_id)) is None:
                return self._error(404, OBJECT_NOT_FOUND, "Object not found.")
            return JSONResponse({"status": domain["status"]})

        @router.put("/domains/{domain_id}/status")
        async def put_status(domain_id: int, request: Request) -> JSONResponse:
            if refused := self._refused(request):
                return refused
            if (domain := self._live(domain_id)) is None:
                return self._error(404, OBJECT_NOT_FOUND, "Object not found.")
            wanted = (await json_object(request)).get("status")
            if wanted not in SETTABLE:
                return self._error(400, INVALID_VALUE, f"Invalid status {wanted!r}.")
            changed = domain["status"] != wanted
            domain["status"] = wanted
            action = {"suspended": "suspend", "active": "activate"}.get(wanted, "disable")
            self.record(
                request,
                resource=domain["name"],
                action=action,
                status_code=200,
                state=wanted,
                changed=changed,
            )
            return JSONResponse({"status": wanted})

        @router.delete("/domains/{domain_id}")
        async def delete_domain(domain_id: int, request: Request) -> Response:
            if refused := self._refused(request):
                return refused
            if (domain := self._live(domain_id)) is None:
                return self._error(404, OBJECT_NOT_FOUND, "Object not found.")
            domain["status"] = "deleted"
            self.record(
                request,
                resource=domain["name"],
                action="delete",
                status_code=200,
                state="deleted",
                changed=True,
            )
            return JSONResponse({"status": "success"})

        return router

"""An ESET MSP Administrator 2 stand-in: tokens, licences and companies with their states.

Seed: {"companies": {company_id: "active" | "suspended"},
       "licenses": {public_licence_key: {"company": company_id, "state": "normal" | "suspended"}}}.
Error bodies are top-level {"code", "subCode", "message"} (the real layout is
unverified). Codes 8.21 / 8.22 / 8.23 and 99.2 are ESET's; 8.21 for an already
suspended company, 8.900 and 8.404 are the simulator's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.provisioning.vendors.simulation.base import Simulation, json_object
from services.provisioning.vendors.simulation.faults import FaultPlan

STATE_CODES = {"normal": 1, "suspended": 3}
MAINTENANCE = "Sorry, we are currently down for maintenance. Please try again later."


class EsetSimulation(Simulation):
    """Companies and their licences in one MSP account."""

    vendor = "eset"
    request_id_header = "X-Request-Id"

    def __init__(
        self,
        seed: Mapping[str, Any] | None = None,
        *,
        faults: FaultPlan | None = None,
        username: str = "sim-user",
        password: str = "sim-password",
    ) -> None:
        self.username = username
        self.password = password
        self._refresh_tokens: set[str] = set()
        super().__init__(seed, faults=faults)

    def load(self, seed: Mapping[str, Any]) -> None:
        self.companies: dict[str, str] = dict(seed.get("companies", {}))
        self.licenses: dict[str, dict[str, str]] = {}
        for key, spec in seed.get("licenses", {}).items():
            self.licenses[key] = {
                "company": spec.get("company", ""),
                "state": spec.get("state", "normal"),
            }
            self.companies.setdefault(self.licenses[key]["company"], "active")

    def snapshot(self) -> dict[str, Any]:
        return {"companies": dict(self.companies), "licenses": dict(self.licenses)}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        if status == 503:
            return {"code": 99, "subCode": 2, "message": MAINTENANCE}
        return {"code": 99, "subCode": 0, "message": message}

    def end_sessions(self) -> None:
        """Access and refresh tokens alike are refused: clients must log in again."""
        self.expire_tokens()
        self._refresh_tokens.clear()

    def _error(self, status: int, code: int, sub_code: int, message: str) -> JSONResponse:
        body = {"code": code, "subCode": sub_code, "message": message}
        return JSONResponse(body, status_code=status)

    def _tokens_response(self) -> JSONResponse:
        refresh = uuid.uuid4().hex
        self._refresh_tokens.add(refresh)
        return JSONResponse({"accessToken": self.issue_token(), "refreshToken": refresh})

    def router(self) -> APIRouter:
        router = APIRouter(prefix="/api")

        @router.post("/Token/Get")
        async def get_token(request: Request) -> JSONResponse:
            body = await json_object(request)
            if body.get("username") != self.username or body.get("password") != self.password:
                return self._error(401, 1, 1, "Invalid user name or password.")
            return self._tokens_response()

        @router.post("/Token/Renew")
        async def renew_token(request: Request) -> JSONResponse:
            refresh = (await json_object(request)).get("refreshToken")
            if refresh not in self._refresh_tokens:
                return self._error(401, 1, 2, "Invalid refresh token.")
            self._refresh_tokens.discard(refresh)
            return self._tokens_response()

        @router.post("/License/Detail")
        async def licence_detail(request: Request) -> JSONResponse:
            if not self.bearer_ok(request):
                return self._error(401, 1, 0, "Unauthorized.")
            key = (await json_object(request)).get("publicLicenseKey", "")
            if (licence := self.licenses.get(key)) is None:
                return self._error(404, 8, 404, "License not found.")
            detail = {
                "publicLicenseKey": key,
                "customerId": licence["company"],
                "productCode": 112,
                "productName": "ESET PROTECT Entry",
                "quantity": 10,
                "usage": 7,
                "state": STATE_CODES[licence["state"]],
                "trial": False,
            }
            return JSONResponse(detail)

        @router.post("/License/Suspend")
        async def suspend_licence(request: Request) -> JSONResponse:
            return await self._licence_write(request, "suspended")

        @router.post("/License/Unsuspend")
        async def unsuspend_licence(request: Request) -> JSONResponse:
            return await self._licence_write(request, "normal")

        @router.post("/Company/Suspend")
        async def suspend_company(request: Request) -> JSONResponse:
            return await self._company_write(request, "suspended")

        @router.post("/Company/Unsuspend")
        async def unsuspend_company(request: Request) -> JSONResponse:
            return await self._company_write(request, "active")

        @router.post("/Company/Delete")
        async def delete_company(request: Request) -> JSONResponse:
            return await self._company_write(request, "deleted")

        return router

    async def _licence_write(self, request: Request, wanted: str) -> JSONResponse:
        if not self.bearer_ok(request):
            return self._error(401, 1, 0, "Unauthorized.")
        key = str((await json_object(request)).get("publicLicenseKey", ""))
        if (licence := self.licenses.get(key)) is None:
            return self._error(404, 8, 404, "License not found.")
        action = "suspend" if wanted == "suspended" else "unsuspend"
        response = JSONResponse({})
        if self.companies.get(licence["company"]) == "deleted":
            response = self._error(400, 8, 23, "LicenseIsInactive")
        elif licence["state"] == wanted:
            sub_code = 21 if wanted == "suspended" else 22
            response = self._error(400, 8, sub_code, "LicenseIsAlready" + action.title())
        changed = response.status_code == 200
        if changed:
            licence["state"] = wanted
        self.record(
            request,
            resource=key,
            action=action,
            status_code=response.status_code,
            state=licence["state"],
            changed=changed,
        )
        return response

    async def _company_write(self, request: Request, wanted: str) -> JSONResponse:
        if not self.bearer_ok(request):
            return self._error(401, 1, 0, "Unauthorized.")
        company_id = str((await json_object(request)).get("companyId", ""))
        current = self.companies.get(company_id)
        if current in (None, "deleted"):
            return self._error(404, 8, 404, "Company not found.")
        action = {"suspended": "suspend_company", "active": "unsuspend_company"}.get(
            wanted, "delete_company"
        )
        response = JSONResponse({"operationId": str(uuid.uuid4())})
        if wanted == "deleted" and current != "suspended":
            response = self._error(400, 8, 900, "CompanyIsNotSuspended")
        elif current == wanted:
            response = self._error(400, 8, 21 if wanted == "suspended" else 22, "AlreadyInState")
        changed = response.status_code == 200
        if changed:
            self.companies[company_id] = wanted
            if wanted in ("suspended", "deleted"):
                self._set_licences(company_id, "suspended")
            elif wanted == "active":
                self._set_licences(company_id, "normal")
        self.record(
            request,
            resource=company_id,
            action=action,
            status_code=response.status_code,
            state=self.companies[company_id],
            changed=changed,
        )
        return response

    def _set_licences(self, company_id: str, state: str) -> None:
        for licence in self.licenses.values():
            if licence["company"] == company_id:
                licence["state"] = state

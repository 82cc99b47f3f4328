"""A Partner Center stand-in: token endpoint, subscriptions with etags, MS-RequestId replay.

Seed: {tenant_id: {subscription_id: {subscription fields to override}}}.
Error codes it answers with ("404", "412", "3000") are the simulator's own; the real
codes for these cases are unverified.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.provisioning.vendors.clock import utc_now
from services.provisioning.vendors.partner_center.subscription import license_state
from services.provisioning.vendors.ports import can_cancel
from services.provisioning.vendors.simulation.base import Simulation, json_object
from services.provisioning.vendors.simulation.faults import FaultPlan

WRITABLE_STATUSES = ("active", "suspended", "deleted")


class PartnerCenterSimulation(Simulation):
    """Subscriptions per customer tenant, each with a status machine and an etag."""

    vendor = "partner_center"
    request_id_header = "MS-RequestId"

    def __init__(
        self,
        seed: Mapping[str, Any] | None = None,
        *,
        faults: FaultPlan | None = None,
        client_id: str = "sim-client",
        client_secret: str = "sim-secret",
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.now = now
        super().__init__(seed, faults=faults)

    def load(self, seed: Mapping[str, Any]) -> None:
        self._version = 0
        self.subscriptions: dict[tuple[str, str], dict[str, Any]] = {}
        self._replies: dict[str, dict[str, Any]] = {}  # MS-RequestId -> the 200 body sent
        for tenant_id, subscriptions in seed.items():
            for subscription_id, fields in subscriptions.items():
                self.put(tenant_id, subscription_id, **fields)

    def put(self, tenant_id: str, subscription_id: str, **fields: Any) -> dict[str, Any]:
        """Add or replace one subscription (defaults: an active annual Microsoft 365 plan)."""
        body: dict[str, Any] = {
            "id": subscription_id,
            "offerId": "CFQ7TTC0LH18:0001",
            "friendlyName": "Microsoft 365 Business Basic",
            "quantity": 1,
            "status": "active",
            "suspensionReasons": [],
            "autoRenewEnabled": True,
            "commitmentEndDate": "2027-01-31T00:00:00Z",
            "cancellationAllowedUntilDate": None,
            "termDuration": "P1Y",
            "billingCycle": "monthly",
            **fields,
        }
        body["attributes"] = {"etag": self._next_etag(), "objectType": "Subscription"}
        self.subscriptions[(tenant_id, subscription_id)] = body
        return body

    def snapshot(self) -> dict[str, Any]:
        return {"subscriptions": {f"{t}/{s}": body for (t, s), body in self.subscriptions.items()}}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"code": str(status), "description": message, "data": [], "source": "PartnerFD"}

    def touch(self, tenant_id: str, subscription_id: str) -> None:
        """Another writer changed the subscription: only its etag moves."""
        current = self.subscriptions[(tenant_id, subscription_id)]
        attributes = {**current["attributes"], "etag": self._next_etag()}
        self.subscriptions[(tenant_id, subscription_id)] = {**current, "attributes": attributes}

    def _next_etag(self) -> str:
        self._version += 1
        return f"sim-etag-{self._version}"

    def _error(self, status: int, code: str, description: str) -> JSONResponse:
        body = {"code": code, "description": description, "data": [], "source": "PartnerFD"}
        return JSONResponse(body, status_code=status)

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.post("/{partner_tenant}/oauth2/v2.0/token")
        async def token(partner_tenant: str, request: Request) -> JSONResponse:
            form = parse_qs((await request.body()).decode())
            if (
                form.get("grant_type") != ["client_credentials"]
                or form.get("client_id") != [self.client_id]
                or form.get("client_secret") != [self.client_secret]
            ):
                body = {"error": "invalid_client", "error_description": "Invalid client secret."}
                return JSONResponse(body, status_code=401)
            access = {
                "token_type": "Bearer",
                "expires_in": 3600,
                "access_token": self.issue_token(),
            }
            return JSONResponse(access)

        @router.get("/v1/customers/{tenant_id}/subscriptions")
        async def list_subscriptions(tenant_id: str, request: Request) -> JSONResponse:
            if not self.bearer_ok(request):
                return self._error(401, "401", "Unauthorized")
            items = [b for (t, _), b in self.subscriptions.items() if t == tenant_id]
            collection = {"totalCount": len(items), "items": items}
            return JSONResponse({**collection, "attributes": {"objectType": "Collection"}})

        @router.get("/v1/customers/{tenant_id}/subscriptions/{subscription_id}")
        async def get_subscription(
            tenant_id: str, subscription_id: str, request: Request
        ) -> JSONResponse:
            if not self.bearer_ok(request):
                return self._error(401, "401", "Unauthorized")
            found = self.subscriptions.get((tenant_id, subscription_id))
            if found is None:
                return self._error(404, "404", f"Subscription {subscription_id} not found.")
            return JSONResponse(found)

        @router.patch("/v1/customers/{tenant_id}/subscriptions/{subscription_id}")
        async def patch_subscription(
            tenant_id: str, subscription_id: str, request: Request
        ) -> JSONResponse:
            if not self.bearer_ok(request):
                return self._error(401, "401", "Unauthorized")
            return await self._patch(tenant_id, subscription_id, request)

        return router

    async def _patch(self, tenant_id: str, subscription_id: str, request: Request) -> JSONResponse:
        key = (tenant_id, subscription_id)
        resource = f"{tenant_id}/{subscription_id}"
        current = self.subscriptions.get(key)
        if current is None:
            return self._error(404, "404", f"Subscription {subscription_id} not found.")
        request_id = request.headers.get(self.request_id_header)
        if request_id and request_id in self._replies:
            # A retry of a write that already landed: same answer, nothing done twice.
            replay = self._replies[request_id]
            self.record(
                request,
                resource=resource,
                action="replay",
                status_code=200,
                state=current["status"],
                changed=False,
            )
            return JSONResponse(replay)
        if self.dice.stale_etag():
            self.touch(tenant_id, subscription_id)
        response, changed = self._apply(key, await json_object(request), request)
        if response.status_code == 200 and request_id:
            self._replies[request_id] = copy.deepcopy(self.subscriptions[key])
        self.record(
            request,
            resource=resource,
            action="patch",
            status_code=response.status_code,
            state=self.subscriptions[key]["status"],
            changed=changed,
        )
        return response

    def _apply(
        self, key: tuple[str, str], body: dict[str, Any], request: Request
    ) -> tuple[JSONResponse, bool]:
        current = self.subscriptions[key]
        if_match = request.headers.get("if-match")
        if if_match is not None and if_match != current["attributes"]["etag"]:
            return self._error(412, "412", "The subscription changed since it was read."), False
        if current["status"] == "deleted":
            return self._error(400, "3000", "A cancelled subscription cannot be changed."), False
        status = body.get("status", current["status"])
        if status not in WRITABLE_STATUSES:
            return self._error(400, "3000", f"Status {status!r} cannot be set."), False
        if status == "deleted" and not can_cancel(license_state(current), self.now()):
            refusal = "The cancellation window for this subscription has passed."
            return self._error(400, "3000", refusal), False
        updated = {
            **current,
            "status": status,
            "autoRenewEnabled": bool(body.get("autoRenewEnabled", current["autoRenewEnabled"])),
            "quantity": int(body.get("quantity", current["quantity"])),
            "suspensionReasons": ["PartnerInitiated"] if status == "suspended" else [],
        }
        changed = any(updated[f] != current[f] for f in ("status", "autoRenewEnabled", "quantity"))
        if changed:
            updated["attributes"] = {**current["attributes"], "etag": self._next_etag()}
            self.subscriptions[key] = updated
        return JSONResponse(self.subscriptions[key]), changed

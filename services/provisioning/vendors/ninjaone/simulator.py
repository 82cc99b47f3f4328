"""A NinjaOne stand-in: organizations of devices, each monitored / in maintenance / removed.

Seed: {organization_id: [device_id, ...]} (all monitored), or
{organization_id: {device_id: "monitored" | "maintenance"}}.
Error bodies {"resultCode", "errorMessage", "incidentId"} follow what NinjaOne is
seen to return; the layout is unverified. DELETE /v2/device/{id} is the adapter's
unverified removal endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.provisioning.vendors.simulation.base import Simulation, json_object
from services.provisioning.vendors.simulation.faults import FaultPlan

FEATURES = frozenset({"ALERTS", "PATCHING", "AVSCANS", "TASKS"})


class NinjaOneSimulation(Simulation):
    """Devices grouped by organization."""

    vendor = "ninjaone"
    request_id_header = "X-Request-Id"

    def __init__(
        self,
        seed: Mapping[str, Any] | None = None,
        *,
        faults: FaultPlan | None = None,
        client_id: str = "sim-ninja-client",
        client_secret: str = "sim-ninja-secret",
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        super().__init__(seed, faults=faults)

    def load(self, seed: Mapping[str, Any]) -> None:
        self.organizations = {int(organization) for organization in seed}
        self.devices: dict[int, dict[str, Any]] = {}
        for organization, devices in seed.items():
            states = (
                devices if isinstance(devices, Mapping) else dict.fromkeys(devices, "monitored")
            )
            for device_id, state in states.items():
                self.devices[int(device_id)] = {
                    "id": int(device_id),
                    "organizationId": int(organization),
                    "state": state,
                    "window": None,
                }

    def snapshot(self) -> dict[str, Any]:
        return {"devices": {str(i): d["state"] for i, d in self.devices.items()}}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"resultCode": "FAILURE", "errorMessage": message, "incidentId": "sim"}

    def _error(self, status: int, message: str) -> JSONResponse:
        return JSONResponse(self.error_body(status, message), status_code=status)

    def _live(self, device_id: int) -> dict[str, Any] | None:
        device = self.devices.get(device_id)
        return device if device and device["state"] != "removed" else None

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.post("/ws/oauth/token")
        async def token(request: Request) -> JSONResponse:
            form = parse_qs((await request.body()).decode())
            if form.get("client_id") != [self.client_id] or form.get("client_secret") != [
                self.client_secret
            ]:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            token = {"access_token": self.issue_token(), "token_type": "Bearer", "expires_in": 3600}
            return JSONResponse(token)

        @router.get("/v2/organization/{organization}/devices")
        async def organization_devices(
            organization: int, request: Request, pageSize: int = 500, after: int = 0
        ) -> JSONResponse:
            if not self.bearer_ok(request):
                return self._error(401, "Unauthorized")
            if organization not in self.organizations:
                return self._error(404, "Organization not found")
            page = sorted(
                (d for d in self.devices.values() if d["organizationId"] == organization),
                key=lambda d: int(d["id"]),
            )
            page = [d for d in page if d["state"] != "removed" and d["id"] > after][:pageSize]
            return JSONResponse([self._summary(d) for d in page])

        @router.get("/v2/device/{device_id}")
        async def device_detail(device_id: int, request: Request) -> JSONResponse:
            if not self.bearer_ok(request):
                return self._error(401, "Unauthorized")
            if (device := self._live(device_id)) is None:
                return self._error(404, "Device not found")
            detail = self._summary(device)
            if device["state"] == "maintenance":
                detail["maintenance"] = {"status": "IN_MAINTENANCE", **(device["window"] or {})}
            return JSONResponse(detail)

        @router.put("/v2/device/{device_id}/maintenance")
        async def start_maintenance(device_id: int, request: Request) -> Response:
            window = await json_object(request)
            features = set(window.get("disabledFeatures", []))
            if not features or not features <= FEATURES or "end" not in window:
                return self._error(400, "disabledFeatures and end are required")
            return self._write(request, device_id, "pause", "maintenance", window)

        @router.delete("/v2/device/{device_id}/maintenance")
        async def end_maintenance(device_id: int, request: Request) -> Response:
            return self._write(request, device_id, "resume", "monitored", None)

        @router.delete("/v2/device/{device_id}")
        async def remove_device(device_id: int, request: Request) -> Response:
            return self._write(request, device_id, "remove", "removed", None)

        return router

    def _write(
        self,
        request: Request,
        device_id: int,
        action: str,
        state: str,
        window: dict[str, Any] | None,
    ) -> Response:
        if not self.bearer_ok(request):
            return self._error(401, "Unauthorized")
        if (device := self._live(device_id)) is None:
            return self._error(404, "Device not found")
        changed = device["state"] != state
        device["state"] = state
        if window is not None:
            device["window"] = {"start": window.get("start"), "end": window["end"]}
        self.record(
            request,
            resource=f"device/{device_id}",
            action=action,
            status_code=204,
            state=state,
            changed=changed,
        )
        return Response(status_code=204)

    @staticmethod
    def _summary(device: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": device["id"],
            "organizationId": device["organizationId"],
            "nodeClass": "WINDOWS_WORKSTATION",
            "systemName": f"PC-{device['id']}",
            "offline": False,
        }

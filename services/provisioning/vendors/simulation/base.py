"""What every vendor simulator shares: seeded state, bearer tokens, faults, the call log, admin."""

from __future__ import annotations

import asyncio
import secrets
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.provisioning.vendors.simulation.admin import admin_router
from services.provisioning.vendors.simulation.calls import CallLog, CallRecord
from services.provisioning.vendors.simulation.faults import Fault, FaultDice, FaultPlan


class Simulation(ABC):
    """One vendor's resources and behaviour; `app()` serves it over HTTP."""

    vendor: ClassVar[str]
    request_id_header: ClassVar[str]

    def __init__(
        self, seed: Mapping[str, Any] | None = None, *, faults: FaultPlan | None = None
    ) -> None:
        self.calls = CallLog()
        self.set_faults(faults or FaultPlan())
        self._tokens: set[str] = set()
        self.load(seed or {})

    @abstractmethod
    def load(self, seed: Mapping[str, Any]) -> None:
        """Replace every resource with those in the seed."""

    @abstractmethod
    def snapshot(self) -> dict[str, Any]:
        """Every resource's current state, as JSON."""

    @abstractmethod
    def error_body(self, status: int, message: str) -> dict[str, Any]:
        """The vendor's error envelope for a fault answered with `status`."""

    @abstractmethod
    def router(self) -> APIRouter:
        """The vendor's API."""

    def app(self) -> FastAPI:
        """An ASGI app for httpx.ASGITransport or uvicorn."""
        app = FastAPI(title=f"{self.vendor} simulator", docs_url=None, redoc_url=None)
        app.include_router(self.router())
        app.include_router(admin_router(self))
        app.add_middleware(FaultMiddleware, simulation=self)
        app.state.simulation = self
        return app

    def set_faults(self, plan: FaultPlan) -> None:
        """Apply a new fault plan, restarting its seeded draws."""
        self.faults = plan
        self.dice = FaultDice(plan)

    # Tokens: any bearer token the simulator issued is good until expire_tokens().

    def issue_token(self) -> str:
        """A new access token."""
        token = secrets.token_hex(16)
        self._tokens.add(token)
        return token

    def bearer_ok(self, request: Request) -> bool:
        """The request carries a token this simulator issued and has not expired."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token in self._tokens

    def expire_tokens(self) -> None:
        """Every token issued so far is refused from now on."""
        self._tokens.clear()

    # The call log.

    def record(
        self,
        request: Request,
        *,
        resource: str,
        action: str,
        status_code: int,
        state: str | None,
        changed: bool,
        request_id: str | None = None,
    ) -> None:
        """Log one write the vendor logic handled."""
        self.calls.add(
            CallRecord(
                method=request.method,
                path=request.url.path,
                request_id=request_id or request.headers.get(self.request_id_header),
                resource=resource,
                action=action,
                status_code=status_code,
                state=state,
                changed=changed,
                fault=request.scope.get("state", {}).get("fault"),
            )
        )


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object ({} when empty or not an object)."""
    try:
        body = await request.json()
    except ValueError:  # json.JSONDecodeError included
        return {}
    return body if isinstance(body, dict) else {}


class FaultMiddleware:
    """Applies the simulation's fault plan to every vendor request (never to /_sim)."""

    def __init__(self, app: ASGIApp, simulation: Simulation) -> None:
        self.app = app
        self.simulation = simulation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        sim = self.simulation
        plan = sim.faults
        if plan.latency_seconds:
            await asyncio.sleep(plan.latency_seconds)
        fault = sim.dice.draw()
        if fault is Fault.TIMEOUT:
            scope.setdefault("state", {})["fault"] = fault.value

            async def withhold(message: Message) -> None:
                if message["type"] == "http.response.start":
                    await asyncio.sleep(plan.timeout_seconds)
                await send(message)

            await self.app(scope, receive, withhold)
            return
        if fault is None:
            await self.app(scope, receive, send)
            return
        status = plan.error_status if fault is Fault.ERROR else 429
        headers = (
            {"Retry-After": f"{plan.retry_after_seconds:g}"} if fault is Fault.THROTTLE else {}
        )
        message = "simulated outage" if fault is Fault.ERROR else "simulated throttling"
        sim.calls.add(
            CallRecord(
                method=scope["method"],
                path=scope["path"],
                request_id=_header(scope, sim.request_id_header),
                resource=None,
                action=None,
                status_code=status,
                state=None,
                changed=False,
                fault=fault.value,
            )
        )
        response = JSONResponse(
            sim.error_body(status, message), status_code=status, headers=headers
        )
        await response(scope, receive, send)


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for key, value in scope.get("headers", []):
        if key == wanted:
            return bytes(value).decode("latin-1")
    return None

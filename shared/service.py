"""What makes a service: its spec, its runtime (store, bus, relay) and its FastAPI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from sqlalchemy import text

from shared.auth import KeyRing, Principal, scope_guard
from shared.bus.port import Bus
from shared.consumer import EventHandler, RawHandler, Subscriber
from shared.contracts import Contract
from shared.errors import DomainError
from shared.profile import Profile, load_profile
from shared.settings import PlatformSettings, ServiceSettings
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, Metadata, Projection
from shared.store.migrations import upgrade
from shared.store.relay import OutboxRelay

log = logging.getLogger("msp.service")


@dataclass
class ServiceSpec:
    """Everything a context contributes; the kernel does the wiring."""

    name: str
    title: str
    description: str
    migrations_dir: Path
    routers: Callable[[], Sequence[APIRouter]]
    projections: Callable[[Runtime], Sequence[Projection]] = lambda _: ()
    handlers: Callable[[Runtime], Mapping[type[Contract], Sequence[EventHandler]]] = lambda _: {}
    every_event: RawHandler | None = None
    extra_topics: Callable[[], Sequence[str]] = lambda: ()
    background: Sequence[Callable[[Runtime], Awaitable[None]]] = ()
    public_routers: Callable[[], Sequence[APIRouter]] = lambda: ()


@dataclass
class Runtime:
    """A running service: built by bootstrap() from settings, never at import."""

    spec: ServiceSpec
    platform: PlatformSettings
    settings: ServiceSettings
    bus: Bus
    keyring: KeyRing
    owns_bus: bool = True
    profile: Profile = field(init=False)
    store: EventStore = field(init=False)
    relay: OutboxRelay = field(init=False)
    subscriber: Subscriber = field(init=False)
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.profile = load_profile(self.platform.profile)
        engine = make_engine(
            self.settings.resolved_database_url(self.platform), pool_size=self.settings.db_pool_size
        )
        self.store = EventStore(
            engine, source=self.spec.name, projections=self.spec.projections(self)
        )
        self.relay = OutboxRelay(
            self.store,
            self.bus,
            batch_size=self.platform.relay_batch_size,
            poll_seconds=self.platform.relay_poll_seconds,
        )
        self.subscriber = Subscriber(
            self.store,
            self.spec.name,
            self.spec.handlers(self),
            every_event=self.spec.every_event,
            extra_topics=self.spec.extra_topics(),
        )

    @property
    def name(self) -> str:
        """The service's name."""
        return self.spec.name

    async def start(self) -> None:
        """Migrate the store, subscribe, start the relay and background work."""
        await upgrade(self.store.engine, self.spec.migrations_dir)
        self.bus.subscribe(self.spec.name, self.subscriber.topics, self.subscriber)
        if self.owns_bus:
            await self.bus.start()
        self._spawn(self.relay.run(), "relay")
        for job in self.spec.background:
            self._spawn(job(self), job.__name__)

    async def stop(self) -> None:
        """Stop background work, the bus it owns, and the store."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.owns_bus:
            await self.bus.stop()
        await self.store.engine.dispose()

    async def readiness(self) -> dict[str, bool]:
        """Whether the store and the bus answer."""
        store_ok = True
        try:
            async with self.store.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            store_ok = False
        return {"store": store_ok, "bus": await self.bus.ping()}

    def _spawn(self, work: Awaitable[None], label: str) -> None:
        async def guarded() -> None:
            await work

        self._tasks.append(asyncio.create_task(guarded(), name=f"{self.name}:{label}"))


def get_runtime(request: Request) -> Runtime:
    """The runtime of the app serving the request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def command_metadata(request: Request) -> Metadata:
    """Who is asking, and the correlation id to follow the request by."""
    principal: Principal = request.state.principal
    correlation = request.headers.get("x-correlation-id") or request.state.request_id
    return Metadata(
        actor=principal.name, correlation_id=correlation, causation_id=request.state.request_id
    )


MetadataDep = Annotated[Metadata, Depends(command_metadata)]


def create_app(runtime: Runtime, *, manage_runtime: bool = True) -> FastAPI:
    """The service's FastAPI app: its routers behind API keys, plus health, ready, metrics."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_runtime:
            await runtime.start()
        try:
            yield
        finally:
            if manage_runtime:
                await runtime.stop()

    app = FastAPI(
        title=runtime.spec.title,
        description=runtime.spec.description,
        version="1.0",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    guard = scope_guard(runtime.name, runtime.keyring)
    for router in runtime.spec.routers():
        app.include_router(router, dependencies=[guard])
    for router in runtime.spec.public_routers():
        app.include_router(router)
    _add_operational_routes(app, runtime)
    _add_error_handlers(app)
    _add_metrics(app, runtime)
    return app


def _add_operational_routes(app: FastAPI, runtime: Runtime) -> None:
    @app.get("/health", tags=["operations"], summary="The process is alive")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": runtime.name}

    @app.get("/ready", tags=["operations"], summary="The store and the bus answer")
    async def ready() -> JSONResponse:
        checks = await runtime.readiness()
        ok = all(checks.values())
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(runtime.registry).decode())


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        loc: list[Any] = ["body", *exc.field.split(".")] if exc.field else ["body"]
        return JSONResponse(
            {"detail": [{"loc": loc, "msg": exc.message, "type": type(exc).__name__}]},
            status_code=exc.status_code,
        )


def _add_metrics(app: FastAPI, runtime: Runtime) -> None:
    requests = Counter(
        "msp_http_requests",
        "HTTP requests served",
        ["method", "route", "status"],
        registry=runtime.registry,
    )
    latency = Histogram(
        "msp_http_request_seconds", "HTTP request latency", ["route"], registry=runtime.registry
    )
    Counter("msp_events_handled", "Integration events handled", registry=runtime.registry).inc(0)

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        from shared.ids import new_id

        request.state.request_id = request.headers.get("x-request-id") or new_id()
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        requests.labels(request.method, route, str(response.status_code)).inc()
        latency.labels(route).observe(time.perf_counter() - started)
        response.headers["x-request-id"] = request.state.request_id
        return response

"""What makes a service: its spec, its runtime (store, bus, relay) and its FastAPI app."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import Path as InPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from sqlalchemy import text

from shared.auth import KeyRing, Principal, ScopeGuard
from shared.bus.port import Bus
from shared.consumer import EventHandler, RawHandler, Subscriber
from shared.contracts import Contract
from shared.errors import DomainError
from shared.idempotency import WriteRequests, carried_out_before
from shared.ids import new_id
from shared.profile import Profile, load_profile
from shared.settings import PlatformSettings, ServiceSettings
from shared.store.availability import UNAVAILABLE_ERRORS, is_unavailable, outcome_unknown
from shared.store.claims import AlreadyCarriedOut, WriteRequest
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, Metadata, Projection
from shared.store.migrations import upgrade
from shared.store.relay import OutboxRelay
from shared.vault import Vault, acquire, release

log = logging.getLogger("msp.service")
# These log each statement with its parameters below WARNING, and parameters hold secrets
# (webhook signing secrets, keys of personal data): kept quiet whatever the root level says.
for _statement_logger in ("aiosqlite", "sqlalchemy.engine"):
    logging.getLogger(_statement_logger).setLevel(logging.WARNING)


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
    personal_data: bool = False  # holds people's data sealed: opens the key vault


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
    vault: Vault | None = None
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
        if self.spec.personal_data and self.vault is None:
            self.vault = await acquire(self.platform.resolved_vault_url())
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
        await self.store.close()
        if self.vault is not None:
            await release(self.vault)
            self.vault = None

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
        # The work itself becomes the task: a runtime stopped before it ran cancels it
        # without leaving a coroutine that was never awaited.
        task = asyncio.ensure_future(work)
        task.set_name(f"{self.name}:{label}")
        self._tasks.append(task)


def get_runtime(request: Request) -> Runtime:
    """The runtime of the app serving the request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

# A number in a path (an invoice's, a reminder's): the stores keep them as 32-bit integers,
# so a larger one is refused as a 422 naming the parameter, not sent to the database.
DocumentNumber = Annotated[int, InPath(ge=1, le=2**31 - 1)]


def command_metadata(request: Request) -> Metadata:
    """Who is asking, and the correlation id to follow the request by."""
    principal: Principal = request.state.principal
    correlation = request.headers.get("x-correlation-id") or request.state.request_id
    return Metadata(
        actor=principal.name, correlation_id=correlation, causation_id=request.state.request_id
    )


MetadataDep = Annotated[Metadata, Depends(command_metadata)]


def freeze_startup_heap() -> None:
    """Leave what the process built at startup out of every later garbage collection.

    A service starts with some 140,000 objects (modules, models, routes, the store's
    compiled statements) that live as long as the process. A request that awaits its
    database survives a young collection and counts towards the next full one, and a full
    collection walks that whole startup heap (about 80 ms here): under 64 concurrent reads
    that was a fifth of the server's CPU (bench/README.md, section 7). Collecting once and
    freezing the survivors keeps full collections to what was made since.
    """
    gc.collect()
    gc.freeze()


def create_app(
    runtime: Runtime, *, manage_runtime: bool = True, freeze_heap: bool = False
) -> FastAPI:
    """The service's FastAPI app: its routers behind API keys, plus health, ready, metrics.

    `freeze_heap`: the app is its process's own (`msp serve`), so what the process holds once
    it has started is frozen out of garbage collection (`freeze_startup_heap`).
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_runtime:
            await runtime.start()
        if freeze_heap:
            freeze_startup_heap()
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
    guard = ScopeGuard(runtime.name, runtime.keyring)
    for router in runtime.spec.routers():
        _include_flat(app, router, guard)
    for router in runtime.spec.public_routers():
        _include_flat(app, router, None)
    _add_operational_routes(app, runtime)
    _add_error_handlers(app)
    app.add_middleware(WriteRequests)
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
    app.add_exception_handler(AlreadyCarriedOut, carried_out_before)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": refusal_details(exc.errors())}, status_code=422)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        loc: list[Any] = ["body", *exc.field.split(".")] if exc.field else ["body"]
        return JSONResponse(
            {"detail": [{"loc": loc, "msg": exc.message, "type": type(exc).__name__}]},
            status_code=exc.status_code,
        )

    async def store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The database is restarting or unreachable: nothing was stored (each command is one
        # transaction), so the caller may simply try again. Any other error stays a 500.
        if not is_unavailable(exc):
            raise exc
        log.warning(
            "store unavailable", extra={"path": request.url.path, "error": type(exc).__name__}
        )
        # No Retry-After where something may have been stored: trying again blindly could
        # do it twice.
        if outcome_unknown(exc):
            # The connection was lost while the command was committing.
            return JSONResponse(
                {
                    "detail": "The service's database was lost while the request was being "
                    "saved, so it may or may not have been carried out. Check its result "
                    "before trying again, or try again with the same Idempotency-Key."
                },
                status_code=503,
            )
        served: WriteRequest | None = request.scope.get("state", {}).get("write_request")
        if served is not None and served.commits:
            # Stored, then lost while reading back what to answer.
            return JSONResponse(
                {
                    "detail": "The request was carried out, but the service's database went "
                    "away before its result could be read. Do not send it again; read the "
                    "result once the service answers."
                },
                status_code=503,
            )
        return JSONResponse(
            {
                "detail": "The service's database is unavailable; the request was not "
                "carried out. Try again shortly."
            },
            status_code=503,
            headers={"retry-after": "5"},
        )

    for kind in UNAVAILABLE_ERRORS:
        app.add_exception_handler(kind, store_unavailable)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Anything else is our fault: logged with its traceback under a reference the caller
        # can quote, answered as JSON like every other refusal (never the exception's text).
        if is_unavailable(exc):
            return await store_unavailable(request, exc)
        reference = new_id()
        log.error(
            "unexpected error",
            exc_info=exc,
            extra={"path": request.url.path, "reference": reference},
        )
        return JSONResponse(
            {"detail": f"An unexpected error occurred; reference {reference}."},
            status_code=500,
        )


def refusal_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Each error's field and reason, never the input: a body may carry a secret."""
    return [
        {
            "loc": list(error.get("loc", ())),
            "msg": str(error.get("msg", "invalid")),
            "type": str(error.get("type", "value_error")),
        }
        for error in errors
    ]


# What `add_api_route` takes that a route keeps under the same name.
_ROUTE_SETTINGS = tuple(
    name
    for name in inspect.signature(APIRouter.add_api_route).parameters
    if name not in ("self", "path", "endpoint", "dependencies", "route_class_override")
)


def _include_flat(app: FastAPI, router: APIRouter, guard: ScopeGuard | None) -> None:
    """Add the router's routes to the app itself, each behind `guard` if one is given.

    `include_router` keeps the router as one nested route, which FastAPI matches by walking
    its routes twice per request (once to find the router, once to pick the route), with
    scope bookkeeping at every step: about 2.7 µs of CPU per route ahead of the one matched
    (bench/README.md, section 7). A route added to the app is matched once, by its regex.
    A route keeps every setting it was declared with (its router's prefix, tags and
    dependencies are already part of it), so the schema and the behaviour are those of
    `include_router` with the guard as a dependency (tests/kernel/test_service_app.py
    compares both).
    """
    if not all(isinstance(route, APIRoute) for route in router.routes):
        app.include_router(router, dependencies=[guard.dependency()] if guard else [])
        return
    for route in router.routes:
        assert isinstance(route, APIRoute)
        app.router.add_api_route(
            route.path,
            route.endpoint,
            dependencies=route.dependencies,
            route_class_override=type(route),
            **{name: getattr(route, name) for name in _ROUTE_SETTINGS},
        )
        if guard is not None:
            added = app.router.routes[-1]
            assert isinstance(added, APIRoute) and added.endpoint is route.endpoint
            added.app = guard.wrap(added.app)


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

    app.add_middleware(_Observe, requests=requests, latency=latency)


class _Observe:
    """Request ids and metrics as a plain ASGI middleware.

    Starlette's `@app.middleware("http")` streams every response through a memory channel;
    this one only wraps `send`, which the HTTP read benchmark (bench/http_read.py) showed
    to matter. The labelled metric children are looked up once per route and status, not
    built by `labels()` on every request.
    """

    def __init__(self, app: Any, *, requests: Counter, latency: Histogram) -> None:
        self.app = app
        self.requests = requests
        self.latency = latency
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers", ()) if k == b"x-request-id"), None)
        request_id = given.decode("latin-1") if given else new_id()
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode("latin-1"))
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            key = (scope["method"], route, status)
            children = self._children.get(key)
            if children is None:
                children = self._children[key] = (
                    self.requests.labels(scope["method"], route, str(status)),
                    self.latency.labels(route),
                )
            children[0].inc()
            children[1].observe(time.perf_counter() - started)

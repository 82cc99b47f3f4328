"""HTTP: billing's GET /invoices/{n} under 64 concurrent clients, against a bare FastAPI endpoint.

Ours is the billing service exactly as `msp serve billing` runs it (uvicorn, one worker, the
app from `shared.platform:app_from_environment`, its store on PostgreSQL, bearer API key with
the billing:read scope), over invoices issued by a real invoice run. Theirs is a bare FastAPI
app under the same uvicorn settings whose GET /invoices/{n} returns the same JSON bytes from
memory. One load generator drives both: 64 keep-alive connections from one asyncio process,
each sending the next request as soon as its answer is read (no think time), over the same
random sequence of invoice numbers; the sides run in turns (ours, bare, ours, bare) and each
side's best turn counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    Ratio,
    postgres,
    scratch_database,
    size,
    sqlalchemy_url,
    stop_processes,
)

TITLE = "HTTP read"

CLIENTS = 64
API_KEY = "msp_bench_http_read_key"
REPO = Path(__file__).resolve().parents[1]


async def run(smoke: bool) -> list[Ratio]:
    customers = size(1_000, 20, smoke)
    requests = size(20_000, 400, smoke)
    turns = 1 if smoke else 2
    with postgres() as server, tempfile.TemporaryDirectory() as tmp:
        async with scratch_database(server) as url:
            numbers = await _seed(url, customers)
            ours_port, bare_port = _free_port(), _free_port()
            bodies_file = Path(tmp) / "bodies.json"
            ours_env = {
                "MSP_SERVICE": "billing",
                "MSP_VAR_DIR": str(Path(tmp) / "var"),
                "MSP_API_KEYS": json.dumps(
                    [{"name": "bench", "key": API_KEY, "scopes": ["billing:read"]}]
                ),
                "BILLING_DATABASE_URL": sqlalchemy_url(url),
            }
            serve = _in_process if smoke else _uvicorn
            async with serve("shared.platform:app_from_environment", ours_port, ours_env):
                bodies = await _bodies(ours_port, numbers)
                await asyncio.to_thread(bodies_file.write_text, json.dumps(bodies))
                bare_env = {"BENCH_HTTP_BODIES": str(bodies_file)}
                async with serve("bench.http_read:bare_app", bare_port, bare_env):
                    await _check_same(ours_port, bare_port, numbers[:5])
                    order = random.Random(7).choices(numbers, k=requests)
                    paths = [f"/invoices/{n}" for n in order]
                    ours_rates, bare_rates = [], []
                    for _ in range(turns):
                        ours_rates.append(await load(ours_port, paths))
                        bare_rates.append(await load(bare_port, paths))
    ours, bare = max(ours_rates), max(bare_rates)
    return [
        Ratio(
            f"GET /invoices/{{n}} at {CLIENTS} clients vs bare FastAPI",
            ours,
            bare,
            "req/s",
            goal=0.5,
            notes=f"{requests:,} requests a turn, {len(numbers):,} invoices; turns ours "
            + ", ".join(f"{r:,.0f}" for r in ours_rates)
            + " / bare "
            + ", ".join(f"{r:,.0f}" for r in bare_rates),
        )
    ]


# --- the two servers ------------------------------------------------------------------------


def bare_app() -> Any:
    """uvicorn factory: the bare FastAPI app, answering from memory."""
    from fastapi import FastAPI, Response

    raw = json.loads(Path(os.environ["BENCH_HTTP_BODIES"]).read_text())
    bodies = {int(n): body.encode() for n, body in raw.items()}
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/invoices/{invoice_number}")
    async def invoice(invoice_number: int) -> Response:
        return Response(bodies[invoice_number], media_type="application/json")

    return app


@contextlib.asynccontextmanager
async def _uvicorn(target: str, port: int, env: dict[str, str]) -> AsyncIterator[None]:
    """One uvicorn process, one worker, the same options for both sides."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
    )
    try:
        await _wait_until_up(port, process)
        yield
    finally:
        await stop_processes([process])


@contextlib.asynccontextmanager
async def _in_process(target: str, port: int, env: dict[str, str]) -> AsyncIterator[None]:
    """Smoke size: the same apps served from this process (a process's imports take seconds)."""
    import uvicorn

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        module, name = target.split(":")
        app = getattr(__import__(module, fromlist=[name]), name)()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await _wait_until_up(port, None)
        yield
    finally:
        server.should_exit = True
        await task
        # `msp serve`'s app freezes its process's heap once started (shared/service.py);
        # here that process is the caller's, which goes on to other work.
        gc.unfreeze()


async def _wait_until_up(port: int, process: asyncio.subprocess.Process | None) -> None:
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process is not None and process.returncode is not None:
                raise RuntimeError(f"the server on port {port} exited ({process.returncode})")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not start")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- the data ------------------------------------------------------------------------------


async def _seed(url: str, customers: int) -> list[int]:
    """A billing store with invoices issued by a real invoice run (bench.month_end's seeding)."""
    import asyncpg

    from bench import month_end as m
    from services.billing import consumer
    from services.billing.adapters.projections import BillingView
    from services.billing.bootstrap import DIRECTORY
    from shared.consumer import Subscriber
    from shared.store.engine import make_engine
    from shared.store.eventstore import EventStore
    from shared.store.migrations import upgrade

    profile = m._profile()
    engine = make_engine(sqlalchemy_url(url))
    store = EventStore(engine, source="billing", projections=[BillingView(profile.id), DIRECTORY])
    try:
        await upgrade(engine, REPO / "services" / "billing" / "migrations")
        subscriber = Subscriber(store, "billing", consumer.handlers(profile))
        await subscriber(m._delivery(m._day_started(m.DAY_BEFORE)))
        raw = await asyncpg.connect(url)
        try:
            await m._copy_seed(raw, profile, range(0, customers))
            await subscriber(m._delivery(m._day_started(m.RUN_DAY)))
            await raw.execute("ANALYZE")
            return [r[0] for r in await raw.fetch("SELECT invoice_number FROM invoices")]
        finally:
            await raw.close()
    finally:
        await store.close()


async def _bodies(port: int, numbers: Sequence[int]) -> dict[int, str]:
    """Each invoice's JSON as ours serves it."""
    headers = {"authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
        found = {}
        for n in numbers:
            response = await client.get(f"/invoices/{n}")
            response.raise_for_status()
            found[n] = response.text
        return found


async def _check_same(ours: int, bare: int, numbers: Sequence[int]) -> None:
    headers = {"authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(headers=headers) as client:
        for n in numbers:
            a = await client.get(f"http://127.0.0.1:{ours}/invoices/{n}")
            b = await client.get(f"http://127.0.0.1:{bare}/invoices/{n}")
            if a.status_code != 200 or a.content != b.content:
                raise AssertionError(f"ours and bare answer /invoices/{n} differently")


# --- the load generator ----------------------------------------------------------------------


async def load(port: int, paths: Sequence[str], clients: int = CLIENTS) -> float:
    """Requests per second: `clients` keep-alive connections, each sending its next request as
    soon as the previous answer is read, until every path was asked once."""
    cursor = iter(range(len(paths)))
    requests = [
        f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {API_KEY}\r\nAccept: application/json\r\n\r\n".encode()
        for p in paths
    ]

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for index in cursor:
                writer.write(requests[index])
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise AssertionError(f"{paths[index]}: {head.splitlines()[0]!r}")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return len(paths) / (time.perf_counter() - started)

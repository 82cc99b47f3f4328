"""The walking skeleton distributed: each service its own process, PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from shared.platform import SERVICES
from tests.conftest import create_database, drop_database
from tests.infrastructure import KafkaBroker, free_port

KEY = "msp_e2e-distributed-admin"
HEADERS = {"authorization": f"Bearer {KEY}"}


@pytest.fixture
async def distributed(
    postgres_url: str, kafka: KafkaBroker, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    """Start every service as its own process (billing with two); yields their URLs."""
    urls: dict[str, str] = {}
    databases: list[str] = []
    env = {
        **os.environ,
        "MSP_MODE": "distributed",
        "MSP_VAR_DIR": str(tmp_path),
        "MSP_API_KEYS": json.dumps([{"name": "e2e-operator", "key": KEY, "scopes": ["admin"]}]),
        "MSP_CONSUMER_RETRY_BACKOFF_SECONDS": "0.05",
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        "KAFKA_ENABLE_IDEMPOTENCE": str(kafka.idempotence).lower(),
    }
    for name in SERVICES:
        database = await create_database(postgres_url)
        databases.append(database)
        port = free_port()
        env[f"{name.upper()}_DATABASE_URL"] = database
        env[f"{name.upper()}_PORT"] = str(port)
        urls[name] = f"http://127.0.0.1:{port}"
    processes = [
        subprocess.Popen(  # noqa: ASYNC220 - started once, before the test awaits anything
            [
                sys.executable,
                "-m",
                "shared.cli",
                "serve",
                name,
                *(["--workers", "2"] if name == "billing" else []),
            ],
            env=env,
            stdout=(tmp_path / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for name in SERVICES
    ]
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            for name, url in urls.items():
                await eventually(lambda url=url: ready(client, url), what=f"{name} ready")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for database in databases:
            await drop_database(postgres_url, database)


async def ready(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(f"{url}/ready")).status_code == 200
    except httpx.HTTPError:
        return False


async def eventually(check, *, what: str, timeout: float = 90.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.2)


async def test_a_customer_registered_in_one_process_reaches_every_service_process(
    distributed: dict[str, str],
) -> None:
    async with httpx.AsyncClient(headers=HEADERS, timeout=10) as client:
        advanced = await client.post(
            f"{distributed['ops']}/clock/advance", json={"to": "2026-01-30"}
        )
        assert advanced.status_code == 200
        created = await client.post(
            f"{distributed['agreements']}/customers",
            json={"name": "Nordhavn Revision ApS", "cvr": "13585628"},
        )
        assert created.status_code == 201, created.text
        customer_id = created.json()["customer_id"]
        for name in ("billing", "dunning", "provisioning", "assets", "ops"):

            async def known(name: str = name) -> bool:
                found = await client.get(f"{distributed[name]}/customers/{customer_id}")
                return found.status_code == 200

            await eventually(known, what=f"{name} knows the customer")

        async def logged() -> bool:
            log = (await client.get(f"{distributed['ops']}/events")).json()
            return {"DayStarted", "CustomerRegistered"} <= {e["name"] for e in log}

        await eventually(logged, what="ops logs both events")
        log = (
            await client.get(f"{distributed['ops']}/events", params={"name": "CustomerRegistered"})
        ).json()
    assert len(log) == 1, "published once, logged once"
    assert log[0]["actor"] == "e2e-operator"

"""A write request sent again with its Idempotency-Key is carried out once (both stores)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.settings import ApiKeySetting
from tests.conftest import create_database, drop_database
from tests.e2e.platform import RunningPlatform, embedded
from tests.faults.harness import cvr

ERP = ApiKeySetting(name="erp-sync", key="msp_erp-key", scopes=["agreements:write"])
CRM = ApiKeySetting(name="crm-sync", key="msp_crm-key", scopes=["agreements:write"])


@pytest.fixture(params=["sqlite", "postgres"])
async def running(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningPlatform]:
    url = None
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_url")
        url = await create_database(server)
        monkeypatch.setenv("AGREEMENTS_DATABASE_URL", url)
        monkeypatch.setenv("AGREEMENTS_DB_POOL_SIZE", "2")
    try:
        async with embedded(tmp_path, api_keys=[ERP, CRM]) as platform:
            yield platform
    finally:
        if url is not None:
            await drop_database(request.getfixturevalue("postgres_url"), url)


def sent_by(key: ApiKeySetting, idempotency_key: str | None = None) -> dict[str, str]:
    assert key.key is not None
    headers = {"authorization": f"Bearer {key.key.get_secret_value()}"}
    if idempotency_key is not None:
        headers["idempotency-key"] = idempotency_key
    return headers


async def customers_named(running: RunningPlatform, name: str) -> list[str]:
    listed = await running.call("agreements", "GET", "/customers")
    return [c["customer_id"] for c in listed if c["name"] == name]


async def test_a_registration_sent_again_is_stored_once_and_the_retry_told_so(
    running: RunningPlatform,
) -> None:
    client = running.clients["agreements"]
    body = {"name": "Gentaget ApS", "cvr": cvr(1)}
    first = await client.post("/customers", json=body, headers=sent_by(ERP, "order-4711"))
    again = await client.post("/customers", json=body, headers=sent_by(ERP, "order-4711"))
    assert first.status_code == 201, first.text
    assert again.status_code == 409, again.text
    refusal = again.json()["detail"][0]
    assert refusal["loc"] == ["header", "Idempotency-Key"]
    assert "carried out before (answered 201)" in refusal["msg"]
    # The first answer is not given again: it shows the customer's people revealed.
    assert "Gentaget" not in again.text
    assert await customers_named(running, "Gentaget ApS") == [first.json()["customer_id"]]
    await running.settle()
    registered = await running.call(
        "ops", "GET", "/events", params={"name": "CustomerRegistered", "limit": 100}
    )
    assert len(registered) == 1, "one event, one customer, in every service"


async def test_the_key_with_a_different_request_is_refused_and_stores_nothing(
    running: RunningPlatform,
) -> None:
    client = running.clients["agreements"]
    headers = sent_by(ERP, "order-4712")
    first = await client.post(
        "/customers", json={"name": "Først ApS", "cvr": cvr(2)}, headers=headers
    )
    other = await client.post(
        "/customers", json={"name": "Anden ApS", "cvr": cvr(3)}, headers=headers
    )
    assert first.status_code == 201
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert "different request" in other.json()["detail"][0]["msg"]
    assert await customers_named(running, "Anden ApS") == []


async def test_a_refused_request_leaves_its_key_free_for_the_corrected_one(
    running: RunningPlatform,
) -> None:
    client = running.clients["agreements"]
    headers = sent_by(ERP, "order-4713")
    wrong = await client.post(
        "/customers", json={"name": "Rettet ApS", "cvr": "12345678"}, headers=headers
    )
    right = await client.post(
        "/customers", json={"name": "Rettet ApS", "cvr": cvr(4)}, headers=headers
    )
    assert wrong.status_code == 422, wrong.text
    assert right.status_code == 201, right.text
    assert await customers_named(running, "Rettet ApS") == [right.json()["customer_id"]]


async def test_each_caller_has_its_own_keys_and_requests_without_one_are_each_carried_out(
    running: RunningPlatform,
) -> None:
    client = running.clients["agreements"]
    body = {"name": "To Kunder ApS", "cvr": cvr(5)}
    erp = await client.post("/customers", json=body, headers=sent_by(ERP, "same-key"))
    crm = await client.post("/customers", json=body, headers=sent_by(CRM, "same-key"))
    plain = await client.post("/customers", json=body, headers=sent_by(ERP))
    assert [erp.status_code, crm.status_code, plain.status_code] == [201, 201, 201]
    assert len(await customers_named(running, "To Kunder ApS")) == 3


async def test_two_tries_at_once_with_one_key_store_one_customer(
    running: RunningPlatform,
) -> None:
    client = running.clients["agreements"]
    body = {"name": "Samtidig ApS", "cvr": cvr(6)}
    answers = await asyncio.gather(
        *(
            client.post("/customers", json=body, headers=sent_by(ERP, "order-4714"))
            for _ in range(2)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 409], [a.text for a in answers]
    assert len(await customers_named(running, "Samtidig ApS")) == 1


async def test_a_key_that_is_not_printable_ascii_or_too_long_is_refused(
    running: RunningPlatform,
) -> None:
    client = running.clients["agreements"]
    body = {"name": "Nøgle ApS", "cvr": cvr(7)}
    for key in ("x" * 256, "", "tab\there"):
        refused = await client.post("/customers", json=body, headers=sent_by(ERP, key))
        assert refused.status_code == 400, (key, refused.text)
        assert refused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await customers_named(running, "Nøgle ApS") == []

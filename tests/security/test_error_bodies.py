"""A refused request names the field and the reason, and never echoes what was sent."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.e2e.platform import RunningPlatform

pytestmark = pytest.mark.asyncio(loop_scope="module")

SECRET = "whsec_c2VjcmV0LXRoYXQtbXVzdC1uZXZlci1iZS1lY2hvZWQ="


def json_bodies(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, body schema) of every operation that takes a JSON object."""
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            if body is not None:
                found.append((method.upper(), path, resolve(schema, body)))
    return found


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def hostile_bodies(body: dict[str, Any]) -> list[Any]:
    """Wrong shapes that each carry the secret where a careless 422 would echo it."""
    fields = list(body.get("properties", {}))
    return [
        [SECRET],
        {"api_key": SECRET},  # the required fields missing: the error's input is this object
        {name: {"secret": SECRET} for name in fields},
        {name: [SECRET] * 3 for name in fields},
    ]


async def test_no_refusal_echoes_a_secret_sent_in_the_body(running: RunningPlatform) -> None:
    tried = 0
    for service, client in running.clients.items():
        schema = (await client.get("/openapi.json")).json()
        for method, path, body in json_bodies(schema):
            url = re.sub(r"\{[^}]+\}", "1", path)
            for sent in hostile_bodies(body):
                refused = await client.request(method, url, json=sent)
                seen = f"{service}: {method} {path} {sent!r:.80} -> {refused.status_code}"
                assert refused.status_code in (404, 409, 422), seen
                assert SECRET not in refused.text, seen
                for error in refused.json()["detail"]:
                    assert set(error) == {"loc", "msg", "type"}, seen
                    assert error["loc"] and error["msg"], seen
                tried += 1
    assert tried > 40, "every service's JSON operations were tried"


async def test_a_query_value_is_refused_by_name_without_being_echoed(
    running: RunningPlatform,
) -> None:
    refused = await running.clients["ops"].get("/events", params={"limit": SECRET})
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "loc": ["query", "limit"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]


@pytest.mark.parametrize(
    ("service", "path", "name"),
    [
        ("billing", "/invoices/{n}", "invoice_number"),
        ("billing", "/invoices/{n}.pdf", "invoice_number"),
        ("billing", "/credit-notes/{n}.pdf", "credit_note_number"),
        ("dunning", "/cases/{n}/reminders", "invoice_number"),
        ("dunning", "/cases/1/reminders/{n}.pdf", "reminder_number"),
    ],
)
async def test_a_number_beyond_what_the_stores_keep_is_refused_by_name(
    running: RunningPlatform, service: str, path: str, name: str
) -> None:
    for number, reason in ((2**31, "less_than_equal"), (0, "greater_than_equal")):
        refused = await running.clients[service].get(path.format(n=number))
        assert refused.status_code == 422, refused.text
        assert [(e["loc"], e["type"]) for e in refused.json()["detail"]] == [
            (["path", name], reason)
        ]


async def test_a_webhook_secret_in_a_refused_registration_is_not_echoed(
    running: RunningPlatform,
) -> None:
    refused = await running.clients["ops"].post(
        "/webhooks", json={"url": "not a url", "secret": SECRET, "event_types": ["no spaces"]}
    )
    assert refused.status_code == 422
    assert SECRET not in refused.text
    assert ["body", "event_types", 0] in [e["loc"] for e in refused.json()["detail"]]


async def test_an_unexpected_error_is_a_json_500_with_a_reference_found_in_the_log(
    running: RunningPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    app = running.platform.apps()["billing"]

    async def broken() -> None:
        raise RuntimeError(f"a bug holding {SECRET}")

    app.router.add_api_route("/broken-on-purpose", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://billing", headers=running.clients["billing"].headers
    ) as client:
        answer = await client.get("/broken-on-purpose")
    assert answer.status_code == 500
    detail = answer.json()["detail"]
    assert detail.startswith("An unexpected error occurred; reference ")
    assert SECRET not in answer.text and "RuntimeError" not in answer.text
    reference = detail.removesuffix(".").rsplit(" ", 1)[1]
    logged = [r for r in caplog.records if r.getMessage() == "unexpected error"]
    assert [r.__dict__["reference"] for r in logged] == [reference]
    assert logged[0].exc_info is not None, "the traceback is kept for the operator"

"""Every operation of every service, fed generated and malformed input: no 5xx, readable 4xx."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python.asgi import get_client, shutdown_lifespans

from shared.platform import SERVICES
from shared.settings import ApiKeySetting
from tests.security.hosted import HostedPlatform

FUZZER_KEY = "msp_fuzzer-admin-key-0123456789"
AS_ADMIN = {"authorization": f"Bearer {FUZZER_KEY}"}
EXAMPLES_PER_OPERATION = 10
# Where to find ids of things the demo data made, so paths reach real records too.
KNOWN = {
    "customer_id": ("agreements", "/customers", "customer_id"),
    "invoice_number": ("billing", "/invoices", "invoice_number"),
    "action_id": ("provisioning", "/actions", "action_id"),
    "event_id": ("ops", "/events?limit=20", "event_id"),
}


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostedPlatform]:
    """The platform with the demo data, and an admin key for the fuzzer."""
    var_dir: Path = tmp_path_factory.mktemp("fuzzed")
    key = ApiKeySetting(name="fuzzer", key=FUZZER_KEY, scopes=["admin"])
    hosted = HostedPlatform(var_dir, [key])
    yield hosted
    hosted.closing = True
    with get_client(hosted.app("ops")):  # a lifespan to end, should the tests have ended all
        pass
    shutdown_lifespans()


@pytest.fixture(scope="module")
def known_ids(hosted: HostedPlatform) -> dict[str, list[Any]]:
    """Ids of records the demo data made, by path parameter name."""
    found: dict[str, list[Any]] = {}
    for parameter, (service, path, field) in KNOWN.items():
        with get_client(hosted.app(service)) as client:
            rows = client.get(f"http://testserver{path}", headers=AS_ADMIN).json()
        assert isinstance(rows, list), (path, rows)
        found[parameter] = sorted({row[field] for row in rows})[:5]
    return found


@pytest.mark.timeout(600)
@pytest.mark.parametrize("service", SERVICES)
def test_no_operation_fails_or_answers_unreadably(
    service: str, hosted: HostedPlatform, known_ids: dict[str, list[Any]]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", hosted.app(service))
    failures: list[str] = []
    operations = cases = 0
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategies = [operation.as_strategy(mode) for mode in GenerationMode]
        if operation.label == "POST /clock/advance":
            # Each day started sets every service to work: walk days, not the allowed ten years.
            strategies[0] = operation.as_strategy(body={"days": 1})
        wanted = {p.name for p in operation.path_parameters} & known_ids.keys()
        if wanted and all(known_ids[name] for name in wanted):
            strategies.append(
                st.fixed_dictionaries({n: st.sampled_from(known_ids[n]) for n in wanted}).flatmap(
                    lambda ids, op=operation: op.as_strategy(path_parameters=ids)
                )
            )

        @given(case=st.one_of(strategies))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # report the case as found: shrinking is slow
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            nonlocal cases
            cases += 1
            response = case.call(headers=AS_ADMIN, timeout=120)
            excerpt = response.content[:300].decode("utf-8", "replace")
            seen = f"{case.method} {case.formatted_path} -> {response.status_code} {excerpt}"
            assert response.status_code < 500, seen
            if response.status_code >= 400:
                assert _names_a_reason(json.loads(response.content).get("detail")), seen

        try:
            call()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    took = time.perf_counter() - started
    print(f"\n{service}: {operations} operations, {cases} cases in {took:.1f}s")
    assert operations > 0
    assert not failures, "\n".join(failures)


def _names_a_reason(detail: Any) -> bool:
    """A sentence, or a list of errors each naming the field (loc) and the reason (msg)."""
    if isinstance(detail, str):
        return bool(detail.strip())
    if isinstance(detail, list) and detail:
        return all(
            isinstance(item, dict) and item.get("loc") and str(item.get("msg", "")).strip()
            for item in detail
        )
    return False

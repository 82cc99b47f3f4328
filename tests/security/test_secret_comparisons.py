"""Secrets are compared in constant time, and a malformed secret is refused, never a crash."""

from __future__ import annotations

import ast
import hmac
import re
from pathlib import Path

import pytest

from services.ops.dashboard.session import COOKIE
from shared import auth
from shared.auth import KeyRing
from shared.settings import ApiKeySetting
from tests.e2e.platform import RunningPlatform

ROOT = Path(__file__).resolve().parents[2]
SECRETISH = re.compile(r"secret|token|signature|password|api_?key|digest|csrf", re.IGNORECASE)
# Comparisons the scan finds that guard nothing of ours, each with the reason.
NOT_AN_AUTHENTICATION = {
    ("services/ops/webhooks/worker.py", "secrets.c.endpoint_id == row['endpoint_id']"):
        "an SQL join condition on the table of secrets",
    ("services/provisioning/vendors/oauth.py", "self._token == token"):
        "the client forgets its own token once the vendor refused it",
}  # fmt: skip
# Stand-ins for the vendors' own APIs (their login checks are the vendors' business).
SIMULATORS = re.compile(r"services/provisioning/vendors/(\w+/simulator|simulation/\w+)\.py$")


def plain_comparisons_of_secrets() -> list[tuple[str, str]]:
    """(file, expression) of every ==, !=, in or not in that involves a secret-like name."""
    found = []
    for path in sorted([*(ROOT / "shared").rglob("*.py"), *(ROOT / "services").rglob("*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), relative)):
            if not isinstance(node, ast.Compare) or not any(
                isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in node.ops
            ):
                continue
            names = [
                n.id if isinstance(n, ast.Name) else n.attr
                for side in (node.left, *node.comparators)
                for n in ast.walk(side)
                if isinstance(n, ast.Name | ast.Attribute)
            ]
            if any(SECRETISH.search(name) for name in names):
                found.append((relative, ast.unparse(node)))
    return found


def test_no_secret_is_compared_with_a_plain_equality() -> None:
    found = plain_comparisons_of_secrets()
    ours = [c for c in found if not SIMULATORS.search(c[0]) and c not in NOT_AN_AUTHENTICATION]
    assert ours == [], "compare secrets with hmac.compare_digest"
    assert set(NOT_AN_AUTHENTICATION) <= set(found), "an exception no longer needed"


def test_an_api_key_is_compared_with_every_stored_key_in_constant_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ring = KeyRing([ApiKeySetting(name=f"k{i}", key=f"msp_key-{i}", scopes=[]) for i in range(5)])
    compared: list[tuple[bytes, bytes]] = []
    compare_digest = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return compare_digest(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    found = ring.verify("msp_key-0")
    missed = ring.verify("msp_key-nope")
    assert found is not None and found.name == "k0" and missed is None
    assert len(compared) == 10, "all five keys compared, for the first key as for a wrong one"
    assert all(len(a) == len(b) == 32 for a, b in compared), "SHA-256 digests, never the keys"


@pytest.mark.asyncio(loop_scope="module")
async def test_a_cookie_or_form_token_with_any_characters_is_refused_not_a_crash(
    running: RunningPlatform,
) -> None:
    ops = running.clients["ops"]
    for forged in ("e30.æøå", "e30.\u00ff\u00fe", "\u00f0\u0178\u02dc\u20ac"):
        cookie = f"{COOKIE}={forged}".encode()  # sent as UTF-8, read by the server as Latin-1
        page = await ops.get("/dashboard", headers={"cookie": cookie})
        assert page.status_code == 303, forged
    login = await ops.post(
        "/dashboard/login", data={"api_key": running.admin_key}, follow_redirects=False
    )
    session = login.cookies[COOKIE]
    form = await ops.post(
        "/dashboard/clock",
        data={"csrf": "ikke-æøå-ikke-ascii", "to": "2026-01-05"},
        headers={"cookie": f"{COOKIE}={session}"},
    )
    assert form.status_code == 403
    assert "the form expired" in form.text

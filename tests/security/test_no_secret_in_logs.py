"""No secret the platform holds shows in a log line, on stdout or stderr.

A whole demo runs with API keys, a dashboard login, a webhook with its signing secret and
every vendor's credentials; everything logged at DEBUG and everything printed is searched.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from services.ops.dashboard.session import COOKIE
from shared import scenario
from shared.cli import demo_scenario
from shared.settings import ApiKeySetting
from tests.e2e.platform import RunningPlatform, embedded
from tests.ops.harness import LOOPBACK_ONLY
from tests.provisioning.harness import Provisioning, fast_env
from tests.provisioning.test_action_secrets import SECRETS as VENDOR_SECRETS
from tests.security.conftest import HOOK

STAFF_KEY = "msp_staff-key-Vb7Lq2"
TYPO_KEY = "msp_staff-key-Vb7Lq3"  # one character off: a real key with a typo
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"signing-secret-of-32-bytes-long!").decode()


async def test_no_secret_is_logged_or_printed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    fast_env(monkeypatch, OPS_WEBHOOK_ALLOWED_NETWORKS=LOOPBACK_ONLY, **VENDOR_SECRETS)
    caplog.set_level(logging.DEBUG)
    staff = ApiKeySetting(name="staff", key=STAFF_KEY, scopes=["admin"])
    async with embedded(tmp_path, api_keys=[staff]) as running:
        secrets = {"admin key": running.admin_key, "staff key": STAFF_KEY, "typo": TYPO_KEY}
        secrets |= {"webhook secret": WEBHOOK_SECRET, **VENDOR_SECRETS}
        secrets["session"] = await requests_carrying_secrets(running)
        demo = demo_scenario("safe-it")
        assert demo is not None
        await scenario.play(running.platform, scenario.load(demo))
        actions = await Provisioning(
            running.platform, running.clients["provisioning"]
        ).settle_actions()
    printed = capfd.readouterr()
    lines = [record.getMessage() for record in caplog.records]
    seen = "\n".join([*lines, caplog.text, printed.out, printed.err])
    assert len(lines) > 20, "the run logged: requests refused, vendor calls, deliveries"
    assert any(a["state"] == "done" for a in actions), "vendors were called with credentials"
    for name, secret in secrets.items():
        assert secret and secret not in seen, f"the {name} was logged"


async def requests_carrying_secrets(running: RunningPlatform) -> str:
    """Requests that refuse or take a secret; returns the dashboard session it logged in."""
    ops = running.clients["ops"]
    refused = await ops.get("/events", headers={"authorization": f"Bearer {TYPO_KEY}"})
    assert refused.status_code == 401
    typo_login = await ops.post("/dashboard/login", data={"api_key": TYPO_KEY})
    assert typo_login.status_code == 401
    login = await ops.post("/dashboard/login", data={"api_key": STAFF_KEY}, follow_redirects=False)
    assert login.status_code == 303
    bad_secret = await ops.post("/webhooks", json={"url": 7, "secret": WEBHOOK_SECRET})
    assert bad_secret.status_code == 422
    hook = await ops.post("/webhooks", json={"url": HOOK, "secret": WEBHOOK_SECRET})
    assert hook.status_code == 201, hook.text
    return login.cookies[COOKIE]

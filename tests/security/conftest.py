"""An embedded platform for the security tests, with keys that each lack one scope."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from shared.platform import SERVICES
from shared.settings import ApiKeySetting
from tests.e2e.platform import RunningPlatform, embedded
from tests.ops.harness import LOOPBACK_ONLY

SCOPES = [f"{service}:{access}" for service in SERVICES for access in ("read", "write")]
HOOK = "http://127.0.0.1:9/hooks/msp"  # the discard port: deliveries fail fast
STAFF = ApiKeySetting(name="jens.staff", key="msp_jens-staff-key-7fQ2", scopes=SCOPES)


def all_but(scope: str) -> str:
    """The secret of the key that holds every scope but this one."""
    return f"msp_all-but-{scope}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def running(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningPlatform]:
    """All six services; a named staff key, and per scope a key holding all the others.

    One per module: a process holds one platform at a time (its key vault is the process's).
    """
    keys = [
        ApiKeySetting(
            name=f"all-but-{scope}", key=all_but(scope), scopes=[s for s in SCOPES if s != scope]
        )
        for scope in SCOPES
    ]
    var_dir = tmp_path_factory.mktemp("security")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OPS_WEBHOOK_ALLOWED_NETWORKS", LOOPBACK_ONLY)  # a receiver on this machine
        async with embedded(var_dir, api_keys=[STAFF, *keys]) as platform:
            yield platform

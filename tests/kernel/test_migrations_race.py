"""Processes that start together on one SQLite store migrate it once, and none fails.

In distributed mode without MSP_VAULT_URL every service process opens the key vault in
var/vault.sqlite and brings it to the newest revision as it starts."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Each process loads everything first, then opens the vault when told: all at the same moment.
OPEN_VAULT = """
import asyncio, sys
from shared.vault import Vault
print("ready", flush=True)
sys.stdin.readline()
asyncio.run(Vault(sys.argv[1]).open())
"""


async def test_processes_starting_together_migrate_a_sqlite_store_once(tmp_path: Path) -> None:
    for attempt in range(3):
        url = f"sqlite+aiosqlite:///{tmp_path / f'vault{attempt}.sqlite'}"
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                OPEN_VAULT,
                url,
                cwd=REPO,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(6)
        ]
        for process in processes:
            assert process.stdout is not None
            assert await process.stdout.readline() == b"ready\n"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")
        outcomes = [await process.communicate() for process in processes]
        failed = [
            err.decode().strip().splitlines()[-1]
            for (_, err), process in zip(outcomes, processes, strict=True)
            if process.returncode
        ]
        assert failed == [], f"attempt {attempt}"

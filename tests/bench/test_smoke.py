"""Every benchmark runs at tiny sizes, so none of them rots. No timing is asserted here."""

from __future__ import annotations

import asyncio
import gc
import importlib

import pytest

from bench.__main__ import BENCHMARKS
from bench.common import Ratio

pytestmark = [pytest.mark.postgres]


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_runs_at_smoke_size(name: str, postgres_url: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    ratios: list[Ratio] = asyncio.run(module.run(True))
    assert ratios, f"{name} reported no ratio"
    for ratio in ratios:
        assert ratio.ours > 0 and ratio.theirs > 0, ratio.line()
    assert gc.get_freeze_count() == 0, f"{name} left this process's heap frozen"

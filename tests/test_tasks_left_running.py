"""A test that leaves a task which will not end fails by naming it, instead of hanging the run."""

from __future__ import annotations

import pytest

import tests.conftest

pytest_plugins = ["pytester"]

LEAVES_A_STUBBORN_TASK = """
import asyncio

from tests.conftest import tasks_left_running_are_named  # noqa: F401  (the fixture)


OPEN = []


async def stubborn() -> None:
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            continue  # refuses to end


async def test_leaves_it_running() -> None:
    asyncio.create_task(stubborn(), name="the stubborn one")
    await asyncio.sleep(0)


async def test_leaves_a_generator_that_will_not_close() -> None:
    async def generator():
        while True:
            try:
                yield 1
            except GeneratorExit:
                await asyncio.sleep(3600)  # closing it never ends

    OPEN.append(generator())  # kept alive past the test: the loop's close has to close it
    await OPEN[-1].__anext__()


async def test_leaves_one_that_ends_when_cancelled() -> None:
    asyncio.create_task(asyncio.sleep(3600), name="the obliging one")
    await asyncio.sleep(0)
"""


def test_a_task_that_will_not_end_fails_its_test_by_name(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tests.conftest, "LEFT_TASKS_GRACE_SECONDS", 0.5)
    pytester.makepyfile(test_inner=LEAVES_A_STUBBORN_TASK)
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
    )
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_it_running*",
            "*1 task(s) did not end within 0 s of being cancelled after the test*",
            "*the stubborn one*",
            "*ERROR at teardown of test_leaves_a_generator_that_will_not_close*",
            "*async generators left open did not close*",
        ]
    )
    assert "the obliging one" not in result.stdout.str()

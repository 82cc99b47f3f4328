"""The what-if engine: run a declarative scenario on a fresh embedded platform, record every event."""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field

from shared.bus.port import dead_letter_topic
from shared.envelope import CloudEvent
from shared.platform import SERVICES, EmbeddedPlatform
from shared.settings import PlatformSettings


class ScenarioError(Exception):
    """A scenario file or step that cannot run, with where and why."""


class Scenario(BaseModel):
    """A scenario file: an optional first day, then steps run in order."""

    model_config = ConfigDict(extra="forbid")

    name: str = "scenario"
    description: str | None = None
    profile: str = Field(default="safe-it", description="The provider profile to run under")
    start: date | None = Field(default=None, description="The first DayStarted, before step 1")
    steps: list[dict[str, Any]]


@dataclass
class ScenarioRun:
    """What steps share: the platform, an HTTP client per service, names given with 'as'."""

    platform: EmbeddedPlatform
    clients: dict[str, httpx.AsyncClient]
    aliases: dict[str, str] = field(default_factory=dict)

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        """Call a service's API as the scenario's admin; a refusal stops the scenario."""
        response = await self.clients[service].request(method, path, **kwargs)
        if response.is_error:
            raise ScenarioError(
                f"{service} {method} {path}: {response.status_code} {response.text}"
            )
        return response.json() if response.content else None

    def resolve(self, name: str) -> str:
        """An id from an alias given earlier with 'as', or the value itself."""
        return self.aliases.get(name, name)


Step = Callable[[ScenarioRun, dict[str, Any]], Awaitable[None]]
STEPS: dict[str, Step] = {}
STEP_MODULES = tuple(f"services.{name}.scenario" for name in SERVICES)


def step(name: str) -> Callable[[Step], Step]:
    """Register a scenario step under a name."""

    def register(fn: Step) -> Step:
        STEPS[name] = fn
        return fn

    return register


@step("register_customer")
async def register_customer(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Register a customer in agreements; 'as' names it for later steps."""
    alias = params.pop("as", None)
    customer = await run.call("agreements", "POST", "/customers", json=params)
    if alias:
        run.aliases[alias] = customer["customer_id"]
    await run.platform.settle()


@step("advance_to")
async def advance_to(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Start each day up to and including the date, letting every service finish each day."""
    until = date.fromisoformat(str(params["date"]))
    clock = await run.call("ops", "GET", "/clock")
    today = date.fromisoformat(clock["today"]) if clock["today"] else until - timedelta(days=1)
    while today < until:
        today += timedelta(days=1)
        await run.call("ops", "POST", "/clock/advance", json={"to": today.isoformat()})
        await run.platform.settle()


@step("pay_all")
async def pay_all(run: ScenarioRun, params: dict[str, Any]) -> None:
    """Pay every open invoice of a customer in full (fee invoices too): customer, paid_on."""
    customer = run.resolve(str(params["customer"]))
    invoices = await run.call(
        "billing", "GET", "/invoices", params={"customer_id": customer, "status": "open"}
    )
    for invoice in invoices:
        payment = {"invoice_number": invoice["invoice_number"], "amount": str(invoice["balance"])}
        if "paid_on" in params:
            payment["paid_on"] = str(params["paid_on"])
        await run.call("billing", "POST", "/payments", json=payment)
    await run.platform.settle()


def load(path: Path) -> Scenario:
    """Parse and check a scenario file."""
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    scenario = Scenario.model_validate(raw)
    _load_step_modules()
    for index, entry in enumerate(scenario.steps, start=1):
        if len(entry) != 1:
            raise ScenarioError(f"step {index}: one step name per entry, got {sorted(entry)}")
        (name,) = entry
        if name not in STEPS:
            raise ScenarioError(f"step {index}: unknown step {name!r}; known: {sorted(STEPS)}")
    return scenario


async def run(scenario: Scenario, *, var_dir: Path | None = None) -> list[CloudEvent]:
    """Run on a fresh embedded platform; returns every published event in publish order."""
    with tempfile.TemporaryDirectory(prefix="msp-scenario-") as scratch:
        settings = PlatformSettings(
            var_dir=var_dir or Path(scratch), clock_mode="manual", profile=scenario.profile
        )
        platform = EmbeddedPlatform(settings)
        await platform.start()
        try:
            await play(platform, scenario)
            return await _published(platform)
        finally:
            await platform.stop()


async def play(platform: EmbeddedPlatform, scenario: Scenario) -> None:
    """Play a scenario's steps into a started embedded platform (also the demo data of `msp up`)."""
    clients = _clients(platform)
    try:
        session = ScenarioRun(platform, clients)
        if scenario.start is not None:
            await session.call("ops", "POST", "/clock/advance", json={"to": str(scenario.start)})
            await platform.settle()
        for index, entry in enumerate(scenario.steps, start=1):
            ((name, params),) = entry.items()
            params = dict(params or {}) if isinstance(params, dict) else {"date": params}
            try:
                await STEPS[name](session, params)
            except ScenarioError as exc:
                raise ScenarioError(f"step {index} ({name}): {exc}") from exc
        await platform.settle()
    finally:
        for client in clients.values():
            await client.aclose()


def _clients(platform: EmbeddedPlatform) -> dict[str, httpx.AsyncClient]:
    assert platform.admin_key, "a scenario runs on a fresh platform with a new admin key"
    headers = {"authorization": f"Bearer {platform.admin_key}"}
    return {
        name: httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{name}", headers=headers
        )
        for name, app in platform.apps().items()
    }


async def _published(platform: EmbeddedPlatform) -> list[CloudEvent]:
    assert platform.bus is not None
    dead_letters = {dead_letter_topic(name) for name in SERVICES}
    events: list[CloudEvent] = []
    after = 0
    while batch := await platform.bus.read_log(after):
        for seq, delivery in batch:
            if delivery.topic not in dead_letters:
                events.append(CloudEvent.from_json(delivery.value))
            after = seq
    return events


def _load_step_modules() -> None:
    for module in STEP_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise

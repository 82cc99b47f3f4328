"""The msp command: run the platform, replay read models, run scenarios."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from shared.platform import SERVICES, EmbeddedPlatform, build_runtime
from shared.service import freeze_startup_heap
from shared.settings import SERVICE_SETTINGS, KafkaSettings, PlatformSettings

app = typer.Typer(
    help="Operations platform for managed-IT-services providers.", no_args_is_help=True
)
scenario_app = typer.Typer(help="The what-if engine: declarative scenarios.", no_args_is_help=True)
db_app = typer.Typer(help="Databases for the distributed mode.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys of the embedded mode.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
out = Console()
err = Console(stderr=True)


def _logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


@app.command()
def up(
    distributed: Annotated[
        bool, typer.Option(help="One process per service on PostgreSQL and Kafka")
    ] = False,
    workers: Annotated[int, typer.Option(help="Processes per service (distributed)")] = 1,
    profile: Annotated[
        Optional[str], typer.Option(help="Provider profile, e.g. safe-it or mico")  # noqa: UP045
    ] = None,
) -> None:
    """Run the platform: embedded by default (one process, SQLite, in-process bus)."""
    if profile:
        os.environ["MSP_PROFILE"] = profile
    settings = PlatformSettings()
    _logging(settings.log_level)
    if distributed:
        _up_distributed(settings, workers)
    else:
        asyncio.run(_up_embedded(settings))


async def _up_embedded(settings: PlatformSettings) -> None:
    platform = EmbeddedPlatform(settings)
    await platform.start()
    freeze_startup_heap()
    try:
        demo = demo_scenario(settings.profile)
        if platform.admin_key and settings.demo and demo is not None:
            from shared import scenario

            with out.status(f"Loading the demo data ({demo.name})…"):
                await scenario.play(platform, scenario.load(demo))
            out.print(
                f"Demo data loaded from {demo.name}: open the dashboard and advance the clock."
            )
        table = Table(title="MSP operations platform (embedded)")
        table.add_column("service")
        table.add_column("URL")
        table.add_column("API docs")
        for name in SERVICES:
            url = platform.url(name)
            table.add_row(name, url, f"{url}/docs")
        out.print(table)
        out.print(f"Dashboard: {platform.url('ops')}/dashboard (log in with the admin key)")
        out.print(f"Stores and bus: {settings.var_dir.resolve()}")
        if platform.admin_key:
            out.print(
                f"[bold]Admin API key (shown once, kept only as a hash):[/bold] {platform.admin_key}"
            )
        else:
            out.print(
                "Admin API key: printed at first start; `msp keys reset-admin` makes a new one."
            )
        await platform.serve_forever()
    finally:
        await platform.stop()


def demo_scenario(profile: str) -> Path | None:
    """scenarios/demo-<profile>.yaml, if the profile has a demo."""
    path = Path(__file__).resolve().parent.parent / "scenarios" / f"demo-{profile}.yaml"
    return path if path.exists() else None


def _up_distributed(settings: PlatformSettings, workers: int) -> None:
    missing = [
        f"{name.upper()}_DATABASE_URL"
        for name in SERVICES
        if not os.environ.get(f"{name.upper()}_DATABASE_URL")
    ]
    if not KafkaSettings().bootstrap_servers:
        missing.append("KAFKA_BOOTSTRAP_SERVERS")
    if missing:
        err.print(f"[red]Set these for the distributed mode:[/red] {', '.join(missing)}")
        raise typer.Exit(2)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "serve", name, "--workers", str(workers)],
            env={**os.environ, "MSP_MODE": "distributed"},
        )
        for name in SERVICES
    ]
    for name in SERVICES:
        port = SERVICE_SETTINGS[name]().resolved_port()
        out.print(f"{name:<13} http://{settings.public_host}:{port}")
    try:
        for process in processes:
            process.wait()
    except KeyboardInterrupt:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}")],
    workers: Annotated[int, typer.Option(help="Processes for this service")] = 1,
) -> None:
    """Run one service (distributed mode: its own store, Kafka)."""
    import uvicorn

    if service not in SERVICES:
        err.print(f"[red]unknown service {service!r}[/red]; choose from {', '.join(SERVICES)}")
        raise typer.Exit(2)
    settings = PlatformSettings()
    _logging(settings.log_level)
    os.environ["MSP_SERVICE"] = service
    uvicorn.run(
        "shared.platform:app_from_environment",
        factory=True,
        host=settings.host,
        port=SERVICE_SETTINGS[service]().resolved_port(),
        workers=workers,
        log_level="warning",
    )


@app.command()
def replay(service: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}")]) -> None:
    """Rebuild the service's read models from its events (one transaction)."""
    from shared.auth import KeyRing
    from shared.bus.local import LocalBus
    from shared.store.migrations import upgrade
    from shared.store.replay import rebuild_projections

    settings = PlatformSettings()

    async def main() -> int:
        runtime = build_runtime(service, settings, LocalBus(), KeyRing([]), owns_bus=False)
        await upgrade(runtime.store.engine, runtime.spec.migrations_dir)
        freeze_startup_heap()
        try:
            with Progress(console=err) as progress:
                task = progress.add_task(f"replaying {service}", total=None)
                return await rebuild_projections(
                    runtime.store, progress=lambda n: progress.advance(task, n)
                )
        finally:
            await runtime.store.close()

    count = asyncio.run(main())
    out.print(f"{service}: read models rebuilt from {count} events")


@scenario_app.command("run")
def scenario_run(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Scenario YAML")],
    out_file: Annotated[
        Optional[Path], typer.Option("--out", help="Write the events here (JSON lines)")  # noqa: UP045
    ] = None,
) -> None:
    """Run a scenario on a fresh embedded platform; print every event as CloudEvents JSON."""
    from shared import scenario

    try:
        loaded = scenario.load(file)
        events = asyncio.run(scenario.run(loaded))
    except scenario.ScenarioError as exc:
        err.print(f"[red]scenario failed:[/red] {exc}")
        raise typer.Exit(1) from exc
    lines = [event.to_json().decode() for event in events]
    if out_file:
        out_file.write_text("".join(line + "\n" for line in lines))
        err.print(f"{len(lines)} events written to {out_file}")
    else:
        for line in lines:
            print(line)


@db_app.command("create")
def db_create(
    server: Annotated[
        str, typer.Option(help="PostgreSQL server URL")
    ] = "postgresql://postgres@127.0.0.1:5432/postgres",
    prefix: Annotated[str, typer.Option(help="Database name prefix")] = "msp_",
) -> None:
    """Create one database per service and the key vault's; prints the settings for them."""
    import asyncpg

    async def main() -> None:
        conn = await asyncpg.connect(server)
        try:
            for name in (*SERVICES, "vault"):
                exists = await conn.fetchval(
                    "SELECT 1 FROM pg_database WHERE datname=$1", prefix + name
                )
                if not exists:
                    await conn.execute(f'CREATE DATABASE "{prefix}{name}"')
        finally:
            await conn.close()

    asyncio.run(main())
    base = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    for name in SERVICES:
        print(f"{name.upper()}_DATABASE_URL={base}/{prefix}{name}")
    print(f"MSP_VAULT_URL={base}/{prefix}vault")


@keys_app.command("reset-admin")
def keys_reset_admin() -> None:
    """Make a new embedded admin key (the old one stops working)."""
    from shared.auth import reset_admin_key

    key = reset_admin_key(PlatformSettings().var_dir)
    out.print(f"New admin API key (shown once): {key}")


if __name__ == "__main__":
    app()

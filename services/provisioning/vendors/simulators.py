"""Every vendor simulator, for the embedded platform (in-process) or uvicorn (on a port).

uv run python -m services.provisioning.vendors.simulators plesk --port 8702
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI

from services.provisioning.vendors.eset.simulator import EsetSimulation
from services.provisioning.vendors.ninjaone.simulator import NinjaOneSimulation
from services.provisioning.vendors.partner_center.simulator import PartnerCenterSimulation
from services.provisioning.vendors.plesk.simulator import PleskSimulation
from services.provisioning.vendors.simulation.base import Simulation
from services.provisioning.vendors.superops.simulator import SuperOpsSimulation

SIMULATIONS: dict[str, Callable[[Mapping[str, Any]], Simulation]] = {
    "partner_center": PartnerCenterSimulation,
    "plesk": PleskSimulation,
    "eset": EsetSimulation,
    "superops": SuperOpsSimulation,
    "ninjaone": NinjaOneSimulation,
}


def simulator_apps(seeds: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, FastAPI]:
    """One app per vendor, seeded from `seeds[vendor]`; each app's state is `app.state.simulation`."""
    seeds = seeds or {}
    return {name: build(seeds.get(name, {})).app() for name, build in SIMULATIONS.items()}


def main(argv: list[str] | None = None) -> None:
    """Serve one simulator with uvicorn."""
    import uvicorn

    parser = argparse.ArgumentParser(description="Serve a vendor simulator.")
    parser.add_argument("vendor", choices=sorted(SIMULATIONS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    args = parser.parse_args(argv)
    uvicorn.run(simulator_apps()[args.vendor], host=args.host, port=args.port)


if __name__ == "__main__":
    main()

"""`python -m bench [--smoke] [name ...]`: run the benchmarks and print their ratios."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import time

from bench.common import Ratio

# In the order they run; each is bench/<name>.py.
BENCHMARKS = [
    "append",
    "bulk_append",
    "relay",
    "month_end",
    "dunning_chain",
    "replay",
    "http_read",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks they run")
    parser.add_argument("names", nargs="*", help=f"some of: {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    names = args.names or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    results: list[tuple[str, list[Ratio]]] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        title = getattr(module, "TITLE", name)
        print(f"\n== {title} ({name}){' [smoke]' if args.smoke else ''}", flush=True)
        started = time.perf_counter()
        ratios: list[Ratio] = asyncio.run(module.run(args.smoke))
        for ratio in ratios:
            print("  " + ratio.line(), flush=True)
        print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
        results.append((title, ratios))
    print("\n== Summary")
    for title, ratios in results:
        for ratio in ratios:
            mark = "ok " if ratio.met else "-- "
            print(f"  {mark}{title} / {ratio.name}: {ratio.ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

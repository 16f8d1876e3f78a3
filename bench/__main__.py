"""Run the benchmarks: `python -m bench [--quick] [--only NAME ...] [--profile]`.

Prints one JSON line per figure on stdout (see bench/report.py) and, on stderr, progress, the
machine and a Markdown table of the results. Logs of the bot and the libraries go to a file
(bench.log in the system temp dir's flashdrop-bench folder), never to the terminal. Every
benchmark runs under a time limit; one that fails or overruns prints a line with "error" and
the others still run. The exit status is 1 if any benchmark could not produce its figures
(missing a target is a result, not an error).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib
import io
import logging
import os
import pstats
import sys
import time
from collections.abc import Sequence
from types import ModuleType

from bench.dbgen import CACHE_DIR
from bench.report import Figure, emit, failure, machine

# name -> (module, time limit in seconds for --quick, for a full run)
BENCHMARKS: dict[str, tuple[str, float, float]] = {
    "rating_ingest": ("bench.rating_ingest", 120, 400),
    "next_card": ("bench.next_card", 120, 240),
    "drop_fanout": ("bench.drop_fanout", 120, 300),
    "memory": ("bench.memory", 120, 240),
    "cold_start": ("bench.cold_start", 120, 300),
    "scheduling_quality": ("bench.quality", 60, 60),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, under 2 minutes")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile each benchmark's own process and print the top functions on stderr",
    )
    return parser


def _log_to_file() -> str:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / "bench.log"
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    return str(path)


def _run_one(name: str, quick: bool, profile: bool) -> list[Figure]:
    module_name, quick_limit, full_limit = BENCHMARKS[name]
    module: ModuleType = importlib.import_module(module_name)
    limit = quick_limit if quick else full_limit

    async def bounded() -> list[Figure]:
        return list(await asyncio.wait_for(module.run(quick), limit))

    profiler = cProfile.Profile() if profile else None
    try:
        if profiler is not None:
            profiler.enable()
        return asyncio.run(bounded())
    except TimeoutError:
        return [failure(name, f"did not finish within {limit:g} s")]
    except Exception as exc:
        logging.getLogger("bench").exception("%s failed", name)
        return [failure(name, f"{type(exc).__name__}: {exc}")]
    finally:
        if profiler is not None:
            profiler.disable()
            _print_profile(name, profiler)
        gc.collect()


def _print_profile(name: str, profiler: cProfile.Profile) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    print(f"--- profile of {name} ---\n{out.getvalue()}", file=sys.stderr)


def markdown(figures: Sequence[Figure], where: dict[str, object]) -> str:
    """The results as a Markdown table, with the machine they were measured on."""
    rows = [
        "| Benchmark | Value | Baseline | Ratio | Target | Pass |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        unit = f.get("unit") or ""
        value = "error: " + str(f["error"]) if f.get("error") else f"{f['value']:g} {unit}"
        baseline = "" if f.get("baseline") is None else f"{f['baseline']:g} {unit}"
        ratio = "" if f.get("ratio") is None else f"{f['ratio']:g}x"
        ok = {True: "yes", False: "**no**", None: "n/a"}[f.get("pass")]
        target = f.get("target") or ""
        rows.append(f"| {f['name']} | {value} | {baseline} | {ratio} | {target} | {ok} |")
    rows.append(
        f"\nMeasured on {where['nproc']} CPU(s), {where['cpu']}, {where['memory_mb']} MB RAM, "
        f"Python {where['python']}, {where['os']}; load average {where['loadavg_1m']} at start."
    )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = [n for n in BENCHMARKS if not args.only or n in args.only]
    log_path = _log_to_file()
    where = machine()
    mode = "quick" if args.quick else "full"
    print(f"flashdrop benchmarks ({mode}): {', '.join(names)}; logs in {log_path}", file=sys.stderr)
    print(f"machine: {where}", file=sys.stderr)
    figures: list[Figure] = []
    began = time.perf_counter()
    for name in names:
        started = time.perf_counter()
        print(f"[{name}] running...", file=sys.stderr, flush=True)
        load = round(os.getloadavg()[0], 2)  # other work on the machine skews the figures
        results = [{**line, "load_1m": load} for line in _run_one(name, args.quick, args.profile)]
        for line in results:
            emit(line)
        figures += results
        print(f"[{name}] {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    print(f"\ntotal {time.perf_counter() - began:.1f} s\n", file=sys.stderr)
    print(markdown(figures, where), file=sys.stderr)
    return 1 if any(f.get("error") for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())

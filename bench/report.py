"""The one JSON line every benchmark figure is printed as, and the machine it was measured on.

{"name", "value", "unit", "baseline", "ratio", "target", "pass", ...extra fields}:
`ratio` is value / baseline; `target` is a readable bound such as ">=3000 ratings/s";
`pass` says whether the value meets it (null when the figure has no target).
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Figure = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Bound:
    """One side of a target: `value >= bound` or `value <= bound`, in `unit`."""

    op: str  # ">=" or "<="
    bound: float
    unit: str

    def met(self, value: float) -> bool:
        return value >= self.bound if self.op == ">=" else value <= self.bound

    def __str__(self) -> str:
        return f"{self.op}{self.bound:g} {self.unit}".strip()


def at_least(bound: float, unit: str) -> Bound:
    return Bound(">=", bound, unit)


def at_most(bound: float, unit: str) -> Bound:
    return Bound("<=", bound, unit)


def figure(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    target: Sequence[Bound] = (),
    ratio_target: Bound | None = None,
    digits: int = 3,
    **extra: Any,
) -> Figure:
    """A figure; `target` bounds the value, `ratio_target` bounds value / baseline."""
    ratio = value / baseline if baseline else None
    checks = [(str(b), b.met(value)) for b in target]
    if ratio_target is not None:
        checks.append(
            (
                f"{ratio_target.op}{ratio_target.bound:g}x baseline",
                ratio is not None and ratio_target.met(ratio),
            )
        )
    return {
        "name": name,
        "value": round(value, digits),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, digits),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": " and ".join(text for text, _ in checks) or None,
        "pass": all(ok for _, ok in checks) if checks else None,
        **extra,
    }


def failure(name: str, error: BaseException | str) -> Figure:
    """The line printed for a benchmark that could not produce its figure."""
    return {
        "name": name,
        "value": None,
        "unit": None,
        "baseline": None,
        "ratio": None,
        "target": None,
        "pass": False,
        "error": str(error) or type(error).__name__,
    }


def emit(line: Figure) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def machine() -> dict[str, Any]:
    """nproc, CPU model (/proc/cpuinfo), memory, Python, OS and load, for the README table."""
    cpu = platform.processor() or "unknown"
    memory_mb = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = next(int(line.split()[1]) for line in info if line.startswith("MemTotal:"))
            memory_mb = kib // 1024
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_mb": memory_mb,
        "python": sys.version.split()[0],
        "os": f"{platform.system()} {platform.release()}",
        # Other work on the machine skews latency-bound figures (ingest, cold start).
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }

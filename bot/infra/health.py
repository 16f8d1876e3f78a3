"""The heartbeat file the running bot touches, and the check the Docker HEALTHCHECK runs."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path


def write_heartbeat(path: Path, now: datetime) -> None:
    """Record `now` atomically, so a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(now.isoformat(), encoding="utf-8")
    os.replace(tmp, path)


def heartbeat_problem(path: Path, now: datetime, max_age: timedelta) -> str | None:
    """None when the heartbeat is fresh, else one line saying what is wrong."""
    try:
        beat = datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
    except FileNotFoundError:
        return f"no heartbeat at {path}: the bot is not running (or not connected yet)"
    except (OSError, ValueError) as exc:
        return f"unreadable heartbeat at {path}: {exc}"
    age = now - beat
    if age > max_age:
        seconds, limit = int(age.total_seconds()), int(max_age.total_seconds())
        return f"heartbeat is {seconds} s old (limit {limit} s)"
    return None

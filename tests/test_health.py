"""Heartbeat writing and the freshness check behind `python -m bot healthcheck`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.infra.health import heartbeat_problem, write_heartbeat

T0 = datetime(2026, 3, 29, 0, 59, tzinfo=UTC)


def test_heartbeat_fresh_is_healthy(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "hb"
    write_heartbeat(path, T0)
    assert heartbeat_problem(path, T0 + timedelta(seconds=30), timedelta(seconds=120)) is None


def test_heartbeat_stale_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "hb"
    write_heartbeat(path, T0)
    problem = heartbeat_problem(path, T0 + timedelta(minutes=5), timedelta(seconds=120))
    assert problem == "heartbeat is 300 s old (limit 120 s)"


def test_heartbeat_missing_is_reported(tmp_path: Path) -> None:
    problem = heartbeat_problem(tmp_path / "hb", T0, timedelta(seconds=120))
    assert problem is not None and "not running" in problem


def test_heartbeat_garbage_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "hb"
    path.write_text("yesterday", encoding="utf-8")
    problem = heartbeat_problem(path, T0, timedelta(seconds=120))
    assert problem is not None and problem.startswith("unreadable heartbeat")

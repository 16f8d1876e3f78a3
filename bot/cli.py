"""The command-line tools besides `run`: import, check-decks, healthcheck, exports, backup.

Each returns a process exit code and reports problems as single lines on stderr, never a
traceback for a user's mistake.
"""

from __future__ import annotations

import asyncio
import csv
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Literal

from bot.config import Config
from bot.decks import DeckError, check_paths, dump_deck, import_file
from bot.infra.clock import SystemClock
from bot.infra.health import heartbeat_problem

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def import_deck(
    file: Path, fmt: str, out: Path | None, name: str | None, *, force: bool = False
) -> int:
    try:
        deck = import_file(file, fmt, name, deck_id=out.stem if out else None)
    except DeckError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    text = dump_deck(deck)
    if out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _write_deck(out, text, replace=force)
    except FileExistsError:
        _error(f"{out} already exists; add --force to replace it")
        return EXIT_FAILED
    except OSError as exc:
        _error(f"{out}: cannot write: {exc.strerror}")
        return EXIT_FAILED
    print(f"{out}: {len(deck.cards)} cards from {file} ({deck.name})", file=sys.stderr)
    return EXIT_OK


def _write_deck(out: Path, text: str, *, replace: bool) -> None:
    """Write a new file, or (`replace`) swap a complete new file in for the old one.

    Creating with O_EXCL refuses an existing file in the same step that would write it, so no
    deck is overwritten by a race between a check and the write. A replacement is written next
    to the old file and renamed over it: the old deck stays whole if anything fails midway.
    """
    if not replace:
        with out.open("x", encoding="utf-8") as file:
            file.write(text)
        return
    temporary = out.with_name(f".{out.name}.importing")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)


def check_decks(paths: Sequence[Path]) -> int:
    """Each problem once, on stdout as `path:line: message`; silent when every deck is valid."""
    problems = check_paths(paths)
    for problem in problems:
        print(problem)
    if problems:
        bad = len({p.path for p in problems})
        print(f"{bad} invalid deck file(s), {len(problems)} problem(s)", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def healthcheck(config: Config, max_age_seconds: int) -> int:
    """Healthy = the database file exists and opens, and the bot's heartbeat is fresh."""
    if not config.database_path.exists():
        print(f"unhealthy: no database at {config.database_path}")
        return EXIT_FAILED
    try:
        asyncio.run(_open_and_close(config))
    except (OSError, sqlite3.Error, RuntimeError) as exc:
        print(f"unhealthy: database {config.database_path} does not open: {exc}")
        return EXIT_FAILED
    problem = heartbeat_problem(
        config.heartbeat_path, SystemClock().now(), timedelta(seconds=max_age_seconds)
    )
    if problem:
        print(f"unhealthy: {problem}")
        return EXIT_FAILED
    print("healthy")
    return EXIT_OK


async def _open_and_close(config: Config) -> None:
    from bot.storage.storage import Storage

    storage = await Storage.open(config.database_path)
    await storage.close()


def export_csv(config: Config, what: Literal["ratings", "schedule"], guild_id: int | None) -> int:
    if not config.database_path.exists():
        _error(f"no database at {config.database_path} (set database.path in the config)")
        return EXIT_FAILED
    asyncio.run(_export(config, what, guild_id))
    return EXIT_OK


async def _export(
    config: Config, what: Literal["ratings", "schedule"], guild_id: int | None
) -> None:
    from bot.storage.export import RatingExportRow, ScheduleExportRow
    from bot.storage.storage import Storage

    writer = csv.writer(sys.stdout, lineterminator="\n")
    async with await Storage.open(config.database_path) as storage:
        if what == "ratings":
            writer.writerow(RatingExportRow.HEADER)
            async for rating in storage.export_ratings(guild_id):
                writer.writerow(rating.csv_values())
        else:
            writer.writerow(ScheduleExportRow.HEADER)
            async for state in storage.export_schedule(guild_id):
                writer.writerow(state.csv_values())


def backup(config: Config, target: Path) -> int:
    if not config.database_path.exists():
        _error(f"no database at {config.database_path}")
        return EXIT_FAILED
    if target.exists():
        _error(f"{target} exists; choose a new file name")
        return EXIT_FAILED
    target.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(_backup(config, target))
    print(f"backed up {config.database_path} to {target}", file=sys.stderr)
    return EXIT_OK


async def _backup(config: Config, target: Path) -> None:
    from bot.storage.storage import Storage

    async with await Storage.open(config.database_path) as storage:
        await storage.backup(target)

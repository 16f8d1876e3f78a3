from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.core.models import CardRef
from bot.storage import SCHEMA_VERSION, SchemaTooNewError, Storage
from bot.storage.migrations import MIGRATIONS
from tests.core.factories import GUILD, USER, make_deck


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows}


async def test_open_migrates_empty_database(db_path: Path) -> None:
    async with await Storage.open(db_path):
        pass
    assert user_version(db_path) == SCHEMA_VERSION == len(MIGRATIONS)
    assert {
        "guild_settings",
        "members",
        "decks",
        "cards",
        "posts",
        "ratings",
        "member_card_state",
        "drops",
        "drop_runs",
        "drop_run_cards",
    } <= tables(db_path)


async def test_open_configures_connection(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        pragmas = {}
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
            rows = list(await storage._db.execute_fetchall(f"PRAGMA {name}"))
            pragmas[name] = rows[0][0]
    # synchronous 1 = NORMAL
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


async def test_open_migrates_version_1_database_keeping_data(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as db, db:
        db.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
        db.execute("INSERT INTO decks (deck_id, name) VALUES ('dl', 'DL')")
        db.execute(
            "INSERT INTO cards (deck_id, card_id, position, content_hash)"
            " VALUES ('dl', 'c1', 0, 'x')"
        )
        db.execute(
            "INSERT INTO members (guild_id, user_id, timezone) VALUES (?, ?, 'Europe/Copenhagen')",
            (GUILD, USER),
        )
    assert user_version(db_path) == 1

    async with await Storage.open(db_path) as storage:
        member = await storage.member_settings(GUILD, USER)
        summary = await storage.sync_decks([make_deck("dl", ("c1",))])
    assert user_version(db_path) == SCHEMA_VERSION
    assert "drops" in tables(db_path)
    assert member.timezone == "Europe/Copenhagen"
    assert summary.added == () and summary.changed == (CardRef("dl", "c1"),)


async def test_reopen_keeps_data(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.sync_decks([make_deck()])
    async with await Storage.open(db_path) as storage:
        summary = await storage.sync_decks([make_deck()])
    assert summary.added == summary.changed == summary.retired == ()


async def test_open_refuses_newer_schema(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as db, db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNewError):
        await Storage.open(db_path)


async def test_failed_migration_leaves_previous_version(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as db, db:
        db.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
        # Makes migration 2 fail half-way: its table already exists.
        db.execute("CREATE TABLE drop_runs (x INTEGER)")
    with pytest.raises(sqlite3.OperationalError):
        await Storage.open(db_path)
    assert user_version(db_path) == 1
    assert "drops" not in tables(db_path)

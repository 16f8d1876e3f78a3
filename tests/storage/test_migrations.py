from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from bot.core.members import MemberSettings
from bot.storage import SCHEMA_VERSION, SchemaTooNewError, Storage, StorageError
from bot.storage.drops import DROP_COLUMNS
from bot.storage.migrations import FLASHDROP_APPLICATION_ID, MIGRATIONS, migrate
from bot.storage.posts import POST_COLUMNS
from bot.storage.ratings import EVENT_COLUMNS
from bot.storage.states import STATE_COLUMNS
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
            async with storage.database.reading() as db:
                rows = list(await db.execute_fetchall(f"PRAGMA {name}"))
            pragmas[name] = rows[0][0]
    # synchronous 1 = NORMAL
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


# A migration as a later Flashdrop would append it, to exercise the forward path.
LATER = "CREATE TABLE later (n INTEGER NOT NULL); ALTER TABLE members ADD COLUMN nickname TEXT;"


async def test_migrate_applies_later_migrations_keeping_data(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.members.save_member_settings(
            MemberSettings(GUILD, USER, timezone="Europe/Copenhagen")
        )
        await storage.decks.sync_decks([make_deck("dl", ("c1",))])
    assert user_version(db_path) == SCHEMA_VERSION

    async with aiosqlite.connect(db_path, isolation_level=None) as db:
        assert await migrate(db, (*MIGRATIONS, LATER)) == SCHEMA_VERSION
    assert user_version(db_path) == SCHEMA_VERSION + 1 and "later" in tables(db_path)
    with closing(sqlite3.connect(db_path)) as db:
        row = db.execute("SELECT timezone, nickname FROM members").fetchone()
    assert row == ("Europe/Copenhagen", None)


async def test_reopen_keeps_data(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.decks.sync_decks([make_deck()])
    async with await Storage.open(db_path) as storage:
        summary = await storage.decks.sync_decks([make_deck()])
    assert summary.added == summary.changed == summary.retired == ()


async def test_open_refuses_newer_schema(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as db, db:  # a Flashdrop file of a later version
        db.execute(f"PRAGMA application_id = {FLASHDROP_APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNewError):
        await Storage.open(db_path)


async def test_failed_migration_leaves_previous_version(db_path: Path) -> None:
    async with await Storage.open(db_path):
        pass
    # Fails half-way: its first table is made, then one that already exists.
    failing = "CREATE TABLE later (n INTEGER); CREATE TABLE drop_runs (x INTEGER);"
    async with aiosqlite.connect(db_path, isolation_level=None) as db:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(db, (*MIGRATIONS, failing))
    assert user_version(db_path) == SCHEMA_VERSION
    assert "later" not in tables(db_path)


def columns(path: Path) -> dict[str, list[str]]:
    with closing(sqlite3.connect(path)) as db:
        return {
            table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            for table in sorted(tables(path))
        }


def names(column_list: str) -> list[str]:
    return [column.strip() for column in column_list.split(",")]


async def test_fresh_schema_has_exactly_the_columns_the_stores_use(db_path: Path) -> None:
    async with await Storage.open(db_path):
        pass
    assert columns(db_path) == {
        "cards": ["owner", "deck_id", "card_id", "position", "content_hash", "retired"],
        "decks": ["owner", "deck_id", "name", "source", "retired"],
        "drop_run_cards": ["run_id", "position", "deck_id", "card_id", "message_id"],
        "drop_runs": [
            "run_id",
            "drop_id",
            "local_date",
            "started_at",
            "finished_at",
            "heading_message_id",
            "thread_id",
            "outcome",
        ],
        "drops": [*names(DROP_COLUMNS), "config_key"],
        "guild_settings": ["guild_id", "timezone", "day_starts_at", "deck_manager_role"],
        "hidden_library_decks": ["guild_id", "deck_id", "hidden_by", "hidden_at"],
        "suspended_cards": ["guild_id", "deck_id", "card_id", "suspended_by", "suspended_at"],
        "card_flags": [
            "id",
            "guild_id",
            "deck_id",
            "card_id",
            "user_id",
            "post_id",
            "flagged_at",
            "cleared_at",
            "cleared_by",
        ],
        "media": ["digest", "size", "data"],
        "deck_media": ["owner", "deck_id", "name", "digest"],
        "member_card_state": names(STATE_COLUMNS),
        "members": [
            "guild_id",
            "user_id",
            "timezone",
            "remind_at",
            "last_rated_at",
            "last_reminded_on",
        ],
        "posts": names(POST_COLUMNS),
        "ratings": names(EVENT_COLUMNS),
    }


@pytest.mark.parametrize("read_only", [False, True], ids=["open", "open_read_only"])
async def test_open_refuses_a_database_of_a_development_build_before_the_squash(
    db_path: Path, read_only: bool
) -> None:
    with closing(sqlite3.connect(db_path)) as db:  # versions 1-4 of the unreleased schema
        db.execute("CREATE TABLE ratings_v4 (x)")
        db.execute("PRAGMA user_version = 4")

    with pytest.raises(StorageError, match="development build of Flashdrop"):
        if read_only:
            await Storage.open_read_only(db_path)
        else:
            await Storage.open(db_path)
    assert user_version(db_path) == 4 and tables(db_path) == {"ratings_v4"}  # untouched


async def test_unfinished_runs_are_found_through_their_partial_index(db_path: Path) -> None:
    async with await Storage.open(db_path):
        pass
    with closing(sqlite3.connect(db_path)) as db:
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT drop_id, local_date FROM drop_runs"
            " WHERE outcome IS NULL ORDER BY run_id"
        ).fetchall()
    assert any("drop_runs_unfinished" in str(row) for row in plan), plan


async def test_migration_2_keeps_a_version_1_database_s_cards_posts_and_ratings(
    db_path: Path,
) -> None:
    async with aiosqlite.connect(db_path, isolation_level=None) as db:
        await migrate(db, MIGRATIONS[:1])
        await db.executescript(
            "INSERT INTO decks (deck_id, name) VALUES ('dl', 'DL');"
            "INSERT INTO cards VALUES ('dl', 'c1', 0, 'h', 0);"
            "INSERT INTO posts VALUES (7, 1, 2, 'dl', 'c1', 'quiz', '2026-01-01T00:00:00Z', NULL);"
            "INSERT INTO ratings (guild_id, user_id, deck_id, card_id, post_id, rating, rated_at,"
            " study_date, source) VALUES (1, 3, 'dl', 'c1', 7, 4, 't', '2026-01-01', 'reaction');"
        )
        assert await migrate(db, MIGRATIONS[:2]) == 1
    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("SELECT owner, deck_id, card_id FROM cards").fetchall() == [
            (0, "dl", "c1")
        ]
        assert db.execute("SELECT post_id, rating FROM ratings").fetchall() == [(7, 4)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError, match="names no card"):
            db.execute("INSERT INTO posts VALUES (8, 1, 2, 'dl', 'nope', 'quiz', 't', NULL)")

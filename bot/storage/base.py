"""The connections every store shares, their transactions, and rows shared by stores.

Two connections serve the bot. The writer (`bot.storage.writer`) owns the hot tables' writes:
the rating log, the schedules derived from it, and forgetting a member; it runs each unit of
work as plain sqlite3 in a thread of its own. Everything else goes through one aiosqlite
connection. aiosqlite runs its statements one at a time, but coroutines could still
interleave statements inside each other's transactions, so every public method on it holds
`_lock` for its whole unit of work: reads see only committed data and a transaction is never
joined by a stranger. Rating writes do not take `_lock`, so reads that must agree with each
other run in one read transaction (`_snapshot`). The two connections take turns to write
through the writer's FIFO `turn` lock, and both begin IMMEDIATE; SQLite's busy timeout is left
to arbitrate with other processes (a backup, the export commands).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from bot.core.members import GuildSettings
from bot.core.models import CardRef
from bot.core.scheduling import MemberCardState, MemoryState, SchedulingSettings
from bot.storage.codec import decode_date, encode_date
from bot.storage.writer import Writer

STATE_COLUMNS = (
    "guild_id, user_id, deck_id, card_id, memory_state, stability, difficulty, due_date, "
    "last_review, introduced_on, reps, lapses"
)


class StoreBase:
    def __init__(
        self,
        db: aiosqlite.Connection,
        writer: Writer,
        settings: SchedulingSettings,
        guild_defaults: GuildSettings | None = None,
    ) -> None:
        self._db = db
        self._writer = writer
        self._settings = settings
        # What a guild's settings are until an admin changes them (the config's zone and day).
        self._guild_defaults = guild_defaults or GuildSettings(0)
        self._lock = asyncio.Lock()

    @property
    def settings(self) -> SchedulingSettings:
        return self._settings

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self._db

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """Reads that must agree with each other: one read transaction, so a rating the
        writer commits meanwhile is seen by all of them or by none."""
        async with self._lock:
            await change(self._db, "BEGIN")
            try:
                yield self._db
            finally:
                await change(self._db, "COMMIT")

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock, self._writer.turn:
            # IMMEDIATE takes the write lock up front: no upgrade deadlock with a backup
            # tool or the export CLI reading the same file.
            await change(self._db, "BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await change(self._db, "ROLLBACK")
                raise
            await change(self._db, "COMMIT")


async def fetch_all(
    db: aiosqlite.Connection, sql: str, parameters: Iterable[Any] = ()
) -> list[sqlite3.Row]:
    return list(await db.execute_fetchall(sql, tuple(parameters)))


async def fetch_one(
    db: aiosqlite.Connection, sql: str, parameters: Iterable[Any] = ()
) -> sqlite3.Row | None:
    rows = await fetch_all(db, sql, parameters)
    return rows[0] if rows else None


async def change(db: aiosqlite.Connection, sql: str, parameters: Iterable[Any] = ()) -> int:
    """Run one INSERT/UPDATE/DELETE; returns the number of rows it changed."""
    async with db.execute(sql, tuple(parameters)) as cursor:
        return cursor.rowcount


def state_from_row(row: sqlite3.Row) -> MemberCardState:
    return MemberCardState(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        memory_state=MemoryState(row["memory_state"]),
        stability=row["stability"],
        difficulty=row["difficulty"],
        due=decode_date(row["due_date"]),
        last_review=decode_date(row["last_review"]),
        introduced_on=decode_date(row["introduced_on"]),
        reps=row["reps"],
        lapses=row["lapses"],
    )


LOAD_STATE_SQL = (
    f"SELECT {STATE_COLUMNS} FROM member_card_state"
    " WHERE guild_id = ? AND user_id = ? AND deck_id = ? AND card_id = ?"
)

# The writer's side (see `bot.storage.writer`): plain sqlite3 in the writer's thread.


def load_state(
    db: sqlite3.Connection, guild_id: int, user_id: int, card: CardRef
) -> MemberCardState | None:
    row = db.execute(LOAD_STATE_SQL, (guild_id, user_id, card.deck_id, card.card_id)).fetchone()
    return None if row is None else state_from_row(row)


def save_state(db: sqlite3.Connection, state: MemberCardState) -> None:
    db.execute(
        f"INSERT INTO member_card_state ({STATE_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (guild_id, user_id, deck_id, card_id) DO UPDATE SET"
        " memory_state = excluded.memory_state, stability = excluded.stability,"
        " difficulty = excluded.difficulty, due_date = excluded.due_date,"
        " last_review = excluded.last_review, introduced_on = excluded.introduced_on,"
        " reps = excluded.reps, lapses = excluded.lapses",
        (
            state.guild_id,
            state.user_id,
            state.deck_id,
            state.card_id,
            int(state.memory_state),
            state.stability,
            state.difficulty,
            encode_date(state.due),
            encode_date(state.last_review),
            encode_date(state.introduced_on),
            state.reps,
            state.lapses,
        ),
    )


def delete_state(db: sqlite3.Connection, guild_id: int, user_id: int, card: CardRef) -> None:
    db.execute(
        "DELETE FROM member_card_state"
        " WHERE guild_id = ? AND user_id = ? AND deck_id = ? AND card_id = ?",
        (guild_id, user_id, card.deck_id, card.card_id),
    )


async def change_many(db: aiosqlite.Connection, sql: str, rows: Iterable[Iterable[Any]]) -> None:
    async with db.executemany(sql, [tuple(row) for row in rows]):
        pass

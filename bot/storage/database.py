"""The database every store shares: its two connections, their transactions and turns.

Two connections serve the bot. The writer (`bot.storage.writer`) owns the hot tables' writes:
the rating log, the schedules derived from it, and forgetting a member; it runs each unit of
work as plain sqlite3 in a thread of its own (`submit`). Everything else goes through one
aiosqlite connection. aiosqlite runs its statements one at a time, but coroutines could still
interleave statements inside each other's transactions, so every unit of work on it holds
the lock throughout (`reading`, `snapshot`, `transaction`, `write`): reads see only committed
data and a transaction is never joined by a stranger. Rating writes do not take the lock, so
reads that must agree with each other run in one read transaction (`snapshot`). The two
connections take turns to write through the writer's FIFO `turn` lock, and both begin
IMMEDIATE; SQLite's busy timeout is left to arbitrate with other processes (a backup, the
export commands).

Opening configures both connections for a long-running bot: WAL so readers such as a backup
never block the writer, synchronous=NORMAL which is durable in WAL mode except for the last
transactions on power loss, foreign keys, a busy timeout for the other connection and other
processes touching the file. Opening also migrates the schema forward.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.migrations import migrate
from bot.storage.writer import Writer

T = TypeVar("T")

_BUSY_TIMEOUT_MS = 5000

# Set on both connections (the writer's and the main one).
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}",
)


class Database:
    """The SQLite file: the main connection under its lock, and the writer."""

    def __init__(self, connection: aiosqlite.Connection, writer: Writer) -> None:
        self._connection = connection
        self._writer = writer
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        if str(path) in ("", ":memory:"):
            # The writer's connection must reach the same database as the main one.
            raise ValueError(f"the database must be a file, not {str(path)!r}")
        # isolation_level=None: transactions are begun explicitly (see `transaction`).
        connection = await aiosqlite.connect(path, isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            for pragma in PRAGMAS:
                await change(connection, pragma)
            await migrate(connection)
            writer = await Writer.open(path, PRAGMAS)
        except BaseException:
            await connection.close()
            raise
        return cls(connection, writer)

    async def close(self) -> None:
        """Finish the writer's queued work, then close both connections."""
        await self._writer.close()
        async with self._lock:
            await self._connection.close()

    def submit(self, unit: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue a unit of work on the writer (see `Writer.submit`)."""
        return self._writer.submit(unit)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self._connection

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """Reads that must agree with each other: one read transaction, so a rating the
        writer commits meanwhile is seen by all of them or by none."""
        async with self._lock:
            await change(self._connection, "BEGIN")
            try:
                yield self._connection
            finally:
                await change(self._connection, "COMMIT")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock, self._writer.turn:
            # IMMEDIATE takes the write lock up front: no upgrade deadlock with a backup
            # tool or the export CLI reading the same file.
            await change(self._connection, "BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                await change(self._connection, "ROLLBACK")
                raise
            await change(self._connection, "COMMIT")

    async def write(self, sql: str, parameters: Iterable[Any] = ()) -> int:
        """One INSERT/UPDATE/DELETE in a transaction of its own; the number of rows changed."""
        async with self.transaction() as db:
            return await change(db, sql, parameters)


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


async def change_many(db: aiosqlite.Connection, sql: str, rows: Iterable[Iterable[Any]]) -> None:
    async with db.executemany(sql, [tuple(row) for row in rows]):
        pass

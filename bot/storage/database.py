"""The database every store shares: its two connections, their transactions and turns.

Two connections serve the bot. The writer (`bot.storage.writer`) owns the hot tables' writes:
the rating log and the schedules derived from it; it runs each unit of
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

from bot.storage.migrations import (
    FLASHDROP_APPLICATION_ID,
    SCHEMA_VERSION,
    StorageError,
    application_id,
    migrate,
    pre_release_error,
    schema_version,
)
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
    """The SQLite file: the main connection under its lock, and the writer (none when the
    file was opened read-only)."""

    def __init__(self, connection: aiosqlite.Connection, writer: Writer | None) -> None:
        self._connection = connection
        self._writer = writer
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """The bot's database: created if missing, migrated forward, with its writer."""
        if str(path) in ("", ":memory:"):
            # The writer's connection must reach the same database as the main one.
            raise ValueError(f"the database must be a file, not {str(path)!r}")
        try:
            # isolation_level=None: transactions are begun explicitly (see `transaction`).
            connection = await aiosqlite.connect(path, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise _unusable(path, exc) from None
        try:
            connection.row_factory = sqlite3.Row
            for pragma in PRAGMAS:
                await change(connection, pragma)
            await migrate(connection)
            writer = await Writer.open(path, PRAGMAS)
        except (sqlite3.Error, OSError) as exc:
            await connection.close()
            raise _unusable(path, exc) from None
        except BaseException:
            await connection.close()
            raise
        return cls(connection, writer)

    @classmethod
    async def open_read_only(cls, path: str | Path) -> Database:
        """For the commands that only read (healthcheck, exports, backup), beside a running
        bot or not: never created, written or migrated, so a wrong `database.path` can never
        turn some other file into a Flashdrop database. A file that is not one, or not of
        this version, raises `StorageError`."""
        target = Path(path)
        try:
            connection = await aiosqlite.connect(
                _read_only_uri(target), uri=True, isolation_level=None
            )
        except (sqlite3.Error, OSError) as exc:
            raise _unusable(target, exc) from None
        try:
            connection.row_factory = sqlite3.Row
            await change(connection, f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            version = await schema_version(connection)
            if version == 0:
                raise StorageError(f"{target} is a SQLite file but not a Flashdrop database")
            if await application_id(connection) != FLASHDROP_APPLICATION_ID:
                raise StorageError(f"{target}: {pre_release_error(version)}")
            if version != SCHEMA_VERSION:
                raise StorageError(
                    f"{target} has schema version {version}, this Flashdrop reads "
                    f"{SCHEMA_VERSION}: run this Flashdrop's bot on it once (it migrates), or "
                    "use the Flashdrop that wrote it"
                )
        except (sqlite3.Error, OSError) as exc:
            await connection.close()
            raise _unusable(target, exc) from None
        except BaseException:
            await connection.close()
            raise
        return cls(connection, None)

    async def close(self) -> None:
        """Finish the writer's queued work, then close both connections."""
        if self._writer is not None:
            await self._writer.close()
        async with self._lock:
            await self._connection.close()

    def _the_writer(self) -> Writer:
        if self._writer is None:
            raise StorageError("the database was opened read-only")
        return self._writer

    def submit(self, unit: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue a unit of work on the writer (see `Writer.submit`)."""
        return self._the_writer().submit(unit)

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
        async with self._lock, self._the_writer().turn:
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


def _read_only_uri(path: Path) -> str:
    """SQLite's URI for opening the existing file `path` read-only."""
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file")
    if not path.is_file():
        raise StorageError(f"no database at {path}")
    return f"{path.resolve().as_uri()}?mode=ro"


def _unusable(path: str | Path, exc: BaseException) -> StorageError:
    """One line saying why SQLite could not use the file at `path`."""
    text = str(exc) or type(exc).__name__
    if "not a database" in text:
        return StorageError(f"{path} is not a SQLite database file")
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return StorageError(f"{path}: {text}")


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

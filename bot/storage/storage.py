"""`Storage`: the bot's SQLite database, speaking domain types.

Opening configures both connections (the main one and the writer's, see `bot.storage.base`)
for a long-running bot: WAL so readers such as a backup never block the writer,
synchronous=NORMAL which is durable in WAL mode except for the last transactions on power
loss, foreign keys, a busy timeout for the other connection and other processes touching the
file. Opening also migrates the schema forward.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from bot.core.members import GuildSettings
from bot.core.scheduling import SchedulingSettings
from bot.storage.base import change
from bot.storage.decks import DeckStore
from bot.storage.drops import DropStore
from bot.storage.export import ExportStore
from bot.storage.members import MemberStore
from bot.storage.migrations import migrate
from bot.storage.posts import PostStore
from bot.storage.ratings import RatingStore
from bot.storage.schedule import ScheduleStore
from bot.storage.writer import Writer

_BUSY_TIMEOUT_MS = 5000

# Set on both connections (the writer's and the main one).
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}",
)


class Storage(
    DeckStore, RatingStore, ScheduleStore, PostStore, MemberStore, ExportStore, DropStore
):
    """All persistence of the bot. Open with `await Storage.open(path)`; close when done."""

    @classmethod
    async def open(
        cls,
        path: str | Path,
        settings: SchedulingSettings | None = None,
        guild_defaults: GuildSettings | None = None,
    ) -> Self:
        # isolation_level=None: transactions are begun explicitly (see StoreBase._transaction).
        if str(path) in ("", ":memory:"):
            # The writer's connection must reach the same database as the main one.
            raise ValueError(f"the database must be a file, not {str(path)!r}")
        db = await aiosqlite.connect(path, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            for pragma in PRAGMAS:
                await change(db, pragma)
            await migrate(db)
            writer = await Writer.open(path, PRAGMAS)
        except BaseException:
            await db.close()
            raise
        return cls(db, writer, settings or SchedulingSettings(), guild_defaults)

    async def close(self) -> None:
        await self._writer.close()
        async with self._lock:
            await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

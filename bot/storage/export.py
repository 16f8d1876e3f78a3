"""Getting data out: CSV-ready rows for `python -m bot export-*`, and online backups.

Exports read in pages, each under the lock for a moment only, so a running bot keeps
answering; rows changed meanwhile may or may not be included. `backup` is the consistent
copy: SQLite's online backup API, taken between two transactions.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

import aiosqlite

from bot.core.models import Rating
from bot.core.ratings import RatingSource
from bot.storage.codec import decode_date, decode_instant
from bot.storage.database import Database, fetch_all
from bot.storage.migrations import StorageError

_PAGE = 5000

# `bot.core.ratings.effective_events` as a condition on a row aliased `r`, for the export's
# scan of the whole log in pages: which events count depends on events in later pages, and
# SQLite answers that from the ratings_live_on_post index. The only statement of the rule
# outside core; a test checks it keeps the same events as `effective_events`.
EFFECTIVE = (
    "r.retracted = 0 AND (r.post_id IS NULL OR NOT EXISTS ("
    "SELECT 1 FROM ratings later WHERE later.post_id = r.post_id"
    " AND later.user_id = r.user_id AND later.retracted = 0 AND later.id > r.id))"
)

CsvValue = int | float | str


@dataclass(frozen=True, slots=True)
class RatingExportRow:
    HEADER: ClassVar[tuple[str, ...]] = (
        "guild_id",
        "user_id",
        "deck",
        "card_id",
        "confidence",
        "rated_at",
        "source",
    )

    guild_id: int
    user_id: int
    deck_id: str
    card_id: str
    confidence: Rating
    rated_at: datetime
    source: RatingSource

    def csv_values(self) -> tuple[CsvValue, ...]:
        return (
            self.guild_id,
            self.user_id,
            self.deck_id,
            self.card_id,
            int(self.confidence),
            self.rated_at.isoformat(),
            self.source.value,
        )


@dataclass(frozen=True, slots=True)
class ScheduleExportRow:
    HEADER: ClassVar[tuple[str, ...]] = (
        "guild_id",
        "user_id",
        "deck",
        "card_id",
        "due",
        "stability",
        "difficulty",
        "reps",
        "lapses",
    )

    guild_id: int
    user_id: int
    deck_id: str
    card_id: str
    due: date
    stability: float
    difficulty: float
    reps: int
    lapses: int

    def csv_values(self) -> tuple[CsvValue, ...]:
        return (
            self.guild_id,
            self.user_id,
            self.deck_id,
            self.card_id,
            self.due.isoformat(),
            self.stability,
            self.difficulty,
            self.reps,
            self.lapses,
        )


class ExportStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def export_ratings(self, guild_id: int | None = None) -> AsyncIterator[RatingExportRow]:
        """Effective ratings only (no retracted or replaced ones), in the order they arrived."""
        last_id = 0
        while True:
            async with self._database.reading() as db:
                rows = await fetch_all(
                    db,
                    "SELECT r.id, r.guild_id, r.user_id, r.deck_id, r.card_id, r.rating,"
                    f" r.rated_at, r.source FROM ratings r WHERE r.id > ? AND {EFFECTIVE}"
                    " AND (? IS NULL OR r.guild_id = ?) ORDER BY r.id LIMIT ?",
                    (last_id, guild_id, guild_id, _PAGE),
                )
            for row in rows:
                yield RatingExportRow(
                    guild_id=row["guild_id"],
                    user_id=row["user_id"],
                    deck_id=row["deck_id"],
                    card_id=row["card_id"],
                    confidence=Rating(row["rating"]),
                    rated_at=decode_instant(row["rated_at"]),
                    source=RatingSource(row["source"]),
                )
            if len(rows) < _PAGE:
                return
            last_id = rows[-1]["id"]

    async def export_schedule(
        self, guild_id: int | None = None
    ) -> AsyncIterator[ScheduleExportRow]:
        """Every member's state of every card they started, by guild, member, deck, card."""
        after: tuple[int, int, str, str] = (-1, -1, "", "")
        while True:
            async with self._database.reading() as db:
                rows = await fetch_all(
                    db,
                    "SELECT guild_id, user_id, deck_id, card_id, due_date, stability, difficulty,"
                    " reps, lapses FROM member_card_state"
                    " WHERE (guild_id, user_id, deck_id, card_id) > (?, ?, ?, ?)"
                    " AND (? IS NULL OR guild_id = ?)"
                    " ORDER BY guild_id, user_id, deck_id, card_id LIMIT ?",
                    (*after, guild_id, guild_id, _PAGE),
                )
            for row in rows:
                yield ScheduleExportRow(
                    guild_id=row["guild_id"],
                    user_id=row["user_id"],
                    deck_id=row["deck_id"],
                    card_id=row["card_id"],
                    due=decode_date(row["due_date"]),
                    stability=row["stability"],
                    difficulty=row["difficulty"],
                    reps=row["reps"],
                    lapses=row["lapses"],
                )
            if len(rows) < _PAGE:
                return
            last = rows[-1]
            after = (last["guild_id"], last["user_id"], last["deck_id"], last["card_id"])

    async def backup(self, path: str | Path) -> None:
        """Write a consistent copy of the database to `path` (a new file) while the bot runs.

        A copy that cannot be written (no such folder, no permission, a full disk) raises
        `StorageError` and leaves no partial file behind.
        """
        target = Path(path)
        try:
            async with self._database.reading() as db, aiosqlite.connect(target) as copy:
                await db.backup(copy)
        except (sqlite3.Error, OSError) as exc:
            await asyncio.to_thread(target.unlink, missing_ok=True)
            cause = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StorageError(f"cannot write the backup {target}: {cause}") from None

"""Drops and their runs: what is scheduled, and what already went out (exactly once).

A run is keyed by (drop, local date) and created before anything is posted. It first plans its
cards, then records the heading and each card's message as they are posted, so a crash in the
middle resumes with the cards not yet posted.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import aiosqlite

from bot.core.drops import Drop, DropSource
from bot.core.models import CardRef
from bot.storage.codec import (
    decode_date,
    decode_instant,
    decode_time,
    encode_date,
    encode_instant,
    encode_time,
)
from bot.storage.database import Database, change, fetch_all, fetch_one

DROP_COLUMNS = (
    "drop_id, guild_id, channel_id, deck_ids, local_time, timezone, weekdays, cards, role_id,"
    " thread, paused, source, created_at"
)


@dataclass(frozen=True, slots=True)
class RunCard:
    position: int
    card: CardRef
    message_id: int | None


@dataclass(frozen=True, slots=True)
class DropRun:
    run_id: int
    drop_id: int
    local_date: date
    outcome: str | None  # None while running; "posted", "skipped" or "failed" when done
    heading_message_id: int | None
    thread_id: int | None
    cards: tuple[RunCard, ...]

    @property
    def finished(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True, slots=True)
class ConfigSync:
    added: int
    removed: int
    kept: int


def config_key(drop: Drop) -> str:
    """Identifies a config-defined drop by its settings: an edited entry is a new drop."""
    return json.dumps(
        [
            drop.guild_id,
            drop.channel_id,
            list(drop.deck_ids),
            encode_time(drop.local_time),
            drop.timezone,
            sorted(drop.weekdays),
            drop.cards,
            drop.role_id,
            drop.thread,
        ]
    )


class DropStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def add_drop(self, drop: Drop) -> Drop:
        async with self._database.transaction() as db:
            return await _insert_drop(db, drop, None)

    async def drops(self, guild_id: int | None = None) -> list[Drop]:
        where, params = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        async with self._database.reading() as db:
            rows = await fetch_all(
                db, f"SELECT {DROP_COLUMNS} FROM drops {where} ORDER BY drop_id", params
            )
        return [_drop_from_row(row) for row in rows]

    async def remove_drop(self, guild_id: int, drop_id: int) -> bool:
        """Delete a drop of this guild (its runs go with it)."""
        deleted = await self._database.write(
            "DELETE FROM drops WHERE drop_id = ? AND guild_id = ?", (drop_id, guild_id)
        )
        return deleted > 0

    async def set_drop_paused(self, guild_id: int, drop_id: int, paused: bool) -> bool:
        changed = await self._database.write(
            "UPDATE drops SET paused = ? WHERE drop_id = ? AND guild_id = ?",
            (int(paused), drop_id, guild_id),
        )
        return changed > 0

    async def sync_config_drops(self, drops: Iterable[Drop], now: datetime) -> ConfigSync:
        """Make the config-sourced drops match the config file; others are untouched.

        An unchanged entry keeps its id and runs (so a restart never re-posts today's drop).
        """
        wanted = {config_key(d): d for d in drops}
        async with self._database.transaction() as db:
            rows = await fetch_all(
                db, "SELECT drop_id, config_key FROM drops WHERE source = ?", ("config",)
            )
            known = {row["config_key"]: row["drop_id"] for row in rows}
            for key in known.keys() - wanted.keys():
                await change(db, "DELETE FROM drops WHERE drop_id = ?", (known[key],))
            for key in wanted.keys() - known.keys():
                drop = replace(wanted[key], source=DropSource.CONFIG, created_at=now)
                await _insert_drop(db, drop, key)
        return ConfigSync(
            added=len(wanted.keys() - known.keys()),
            removed=len(known.keys() - wanted.keys()),
            kept=len(wanted.keys() & known.keys()),
        )

    # --- runs --------------------------------------------------------------------------------

    async def start_run(self, drop_id: int, local_date: date, now: datetime) -> DropRun:
        """The run of a drop on a local date: created now, or the one that already exists."""
        async with self._database.transaction() as db:
            await change(
                db,
                "INSERT INTO drop_runs (drop_id, local_date, started_at) VALUES (?, ?, ?)"
                " ON CONFLICT (drop_id, local_date) DO NOTHING",
                (drop_id, encode_date(local_date), encode_instant(now)),
            )
            return await _load_run(db, drop_id, local_date)

    async def skip_run(self, drop_id: int, local_date: date, now: datetime) -> bool:
        """Record a missed occurrence as skipped; False when it already ran or was skipped."""
        added = await self._database.write(
            "INSERT INTO drop_runs (drop_id, local_date, started_at, finished_at, outcome)"
            " VALUES (?, ?, ?, ?, 'skipped') ON CONFLICT (drop_id, local_date) DO NOTHING",
            (drop_id, encode_date(local_date), encode_instant(now), encode_instant(now)),
        )
        return added > 0

    async def plan_run(self, run_id: int, cards: Sequence[CardRef]) -> tuple[RunCard, ...]:
        """Fix the run's cards once; a resumed run keeps the cards it planned first."""
        async with self._database.transaction() as db:
            existing = await _run_cards(db, run_id)
            if existing:
                return existing
            for position, card in enumerate(cards):
                await change(
                    db,
                    "INSERT INTO drop_run_cards (run_id, position, deck_id, card_id)"
                    " VALUES (?, ?, ?, ?)",
                    (run_id, position, card.deck_id, card.card_id),
                )
            return await _run_cards(db, run_id)

    async def set_run_heading(self, run_id: int, message_id: int, thread_id: int | None) -> None:
        await self._database.write(
            "UPDATE drop_runs SET heading_message_id = ?, thread_id = ? WHERE run_id = ?",
            (message_id, thread_id, run_id),
        )

    async def set_run_card_posted(self, run_id: int, position: int, message_id: int) -> None:
        await self._database.write(
            "UPDATE drop_run_cards SET message_id = ? WHERE run_id = ? AND position = ?",
            (message_id, run_id, position),
        )

    async def finish_run(self, run_id: int, outcome: str, now: datetime) -> None:
        await self._database.write(
            "UPDATE drop_runs SET outcome = ?, finished_at = ? WHERE run_id = ?",
            (outcome, encode_instant(now), run_id),
        )

    async def unfinished_runs(self) -> list[DropRun]:
        """Runs not finished (a crash interrupted them, or they are under way), oldest first:
        each with its plan and the messages it already posted, to resume or to close."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                "SELECT drop_id, local_date FROM drop_runs WHERE outcome IS NULL ORDER BY run_id",
            )
            return [
                await _load_run(db, row["drop_id"], decode_date(row["local_date"])) for row in rows
            ]


async def _insert_drop(db: aiosqlite.Connection, drop: Drop, key: str | None) -> Drop:
    cursor = await db.execute(
        "INSERT INTO drops (guild_id, channel_id, deck_ids, local_time, timezone, weekdays, cards,"
        " role_id, thread, paused, source, created_at, config_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            drop.guild_id,
            drop.channel_id,
            json.dumps(list(drop.deck_ids)),
            encode_time(drop.local_time),
            drop.timezone,
            json.dumps(sorted(drop.weekdays)),
            drop.cards,
            drop.role_id,
            int(drop.thread),
            int(drop.paused),
            drop.source.value,
            None if drop.created_at is None else encode_instant(drop.created_at),
            key,
        ),
    )
    drop_id = cursor.lastrowid
    await cursor.close()
    return replace(drop, id=drop_id)


def _drop_from_row(row: sqlite3.Row) -> Drop:
    return Drop(
        id=row["drop_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        deck_ids=tuple(json.loads(row["deck_ids"])),
        local_time=decode_time(row["local_time"]),
        timezone=row["timezone"],
        weekdays=frozenset(json.loads(row["weekdays"])),
        cards=row["cards"],
        role_id=row["role_id"],
        thread=bool(row["thread"]),
        paused=bool(row["paused"]),
        source=DropSource(row["source"]),
        created_at=None if row["created_at"] is None else decode_instant(row["created_at"]),
    )


async def _load_run(db: aiosqlite.Connection, drop_id: int, local_date: date) -> DropRun:
    row = await fetch_one(
        db,
        "SELECT run_id, outcome, heading_message_id, thread_id FROM drop_runs"
        " WHERE drop_id = ? AND local_date = ?",
        (drop_id, encode_date(local_date)),
    )
    assert row is not None
    return DropRun(
        run_id=row["run_id"],
        drop_id=drop_id,
        local_date=local_date,
        outcome=row["outcome"],
        heading_message_id=row["heading_message_id"],
        thread_id=row["thread_id"],
        cards=await _run_cards(db, row["run_id"]),
    )


async def _run_cards(db: aiosqlite.Connection, run_id: int) -> tuple[RunCard, ...]:
    rows = await fetch_all(
        db,
        "SELECT position, deck_id, card_id, message_id FROM drop_run_cards WHERE run_id = ?"
        " ORDER BY position",
        (run_id,),
    )
    return tuple(
        RunCard(row["position"], CardRef(row["deck_id"], row["card_id"]), row["message_id"])
        for row in rows
    )

"""Reads and writes only tests need, through the storage's `Database`.

The bot never calls these, so they are not part of the storage interface; they read and
write the same tables the stores do, with the same codecs.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.core.members import GuildSettings
from bot.core.models import CardRef, Rating
from bot.core.ratings import RatingEvent, effective_events
from bot.core.scheduling import MemberCardState
from bot.storage import Storage
from bot.storage.codec import encode_time
from bot.storage.database import fetch_all, fetch_one
from bot.storage.ratings import EVENT_COLUMNS, event_from_row
from bot.storage.states import LOAD_STATE_SQL, state_from_row


async def rating_history(
    storage: Storage, guild_id: int, user_id: int, card: CardRef
) -> list[RatingEvent]:
    """Every event of a member on a card, retracted ones too, in arrival order."""
    async with storage.database.reading() as db:
        rows = await fetch_all(
            db,
            f"SELECT {EVENT_COLUMNS} FROM ratings"
            " WHERE guild_id = ? AND user_id = ? AND deck_id = ? AND card_id = ? ORDER BY id",
            (guild_id, user_id, card.deck_id, card.card_id),
        )
    return [event_from_row(row) for row in rows]


async def rating_log(storage: Storage) -> list[RatingEvent]:
    """The whole rating log, retracted events too, in arrival order."""
    async with storage.database.reading() as db:
        rows = await fetch_all(db, f"SELECT {EVENT_COLUMNS} FROM ratings ORDER BY id")
    return [event_from_row(row) for row in rows]


async def effective_ratings(storage: Storage, post_id: int) -> dict[int, Rating]:
    """Each member's effective rating on a post, by user id (`effective_events` decides)."""
    async with storage.database.reading() as db:
        rows = await fetch_all(
            db, f"SELECT {EVENT_COLUMNS} FROM ratings WHERE post_id = ? ORDER BY id", (post_id,)
        )
    return {
        event.user_id: event.rating
        for event in effective_events(event_from_row(row) for row in rows)
    }


async def save_guild_settings(storage: Storage, settings: GuildSettings) -> None:
    """Store a guild's own settings (the bot has no command for it yet)."""
    await storage.database.write(
        "INSERT INTO guild_settings (guild_id, timezone, day_starts_at) VALUES (?, ?, ?)"
        " ON CONFLICT (guild_id) DO UPDATE SET"
        " timezone = excluded.timezone, day_starts_at = excluded.day_starts_at",
        (settings.guild_id, settings.timezone, encode_time(settings.day_starts_at)),
    )


@dataclass(frozen=True, slots=True)
class DeletedMemberData:
    ratings: int
    card_states: int


async def delete_member_data(storage: Storage, guild_id: int, user_id: int) -> DeletedMemberData:
    """Forget a member in one guild: their ratings, schedules and settings (posts stay).

    Runs on the writer, after any answer of theirs already queued, so none of those brings a
    schedule back.
    """
    where = "WHERE guild_id = ? AND user_id = ?"

    def forget(db: sqlite3.Connection) -> DeletedMemberData:
        ratings = db.execute(f"DELETE FROM ratings {where}", (guild_id, user_id)).rowcount
        states = db.execute(f"DELETE FROM member_card_state {where}", (guild_id, user_id)).rowcount
        db.execute(f"DELETE FROM members {where}", (guild_id, user_id))
        return DeletedMemberData(ratings=ratings, card_states=states)

    return await storage.database.submit(forget)


async def card_state(
    storage: Storage, guild_id: int, user_id: int, card: CardRef
) -> MemberCardState | None:
    """A member's stored state of one card (the bot reads states in bulk, never one)."""
    async with storage.database.reading() as db:
        row = await fetch_one(db, LOAD_STATE_SQL, (guild_id, user_id, card.deck_id, card.card_id))
    return None if row is None else state_from_row(row)

"""Posted cards: which message shows which card, so reactions survive restarts."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.core.models import CardRef
from bot.core.posts import Post, PostKind
from bot.storage.codec import decode_instant, decode_optional_instant, encode_instant
from bot.storage.database import Database, fetch_all, fetch_one

POST_COLUMNS = "message_id, guild_id, channel_id, deck_id, card_id, kind, posted_at, revealed_at"


class PostStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def record_post(self, post: Post) -> None:
        """Remember a posted card; recording the same message again changes nothing."""
        await self._database.write(
            f"INSERT INTO posts ({POST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (message_id) DO NOTHING",
            (
                post.message_id,
                post.guild_id,
                post.channel_id,
                post.deck_id,
                post.card_id,
                post.kind.value,
                encode_instant(post.posted_at),
                None if post.revealed_at is None else encode_instant(post.revealed_at),
            ),
        )

    async def get_post(self, message_id: int) -> Post | None:
        async with self._database.reading() as db:
            row = await fetch_one(
                db, f"SELECT {POST_COLUMNS} FROM posts WHERE message_id = ?", (message_id,)
            )
        return None if row is None else _post_from_row(row)

    async def mark_revealed(self, message_id: int, at: datetime) -> bool:
        """Record when a post's answer was shown; False if unknown or already revealed."""
        changed = await self._database.write(
            "UPDATE posts SET revealed_at = ? WHERE message_id = ? AND revealed_at IS NULL",
            (encode_instant(at), message_id),
        )
        return changed > 0

    async def posts_since(self, since: datetime) -> list[Post]:
        """Posts made at or after `since`, oldest first (for catching up after downtime)."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                f"SELECT {POST_COLUMNS} FROM posts WHERE posted_at >= ? ORDER BY posted_at",
                (encode_instant(since),),
            )
        return [_post_from_row(row) for row in rows]

    async def unrevealed_before(self, before: datetime) -> list[Post]:
        """Posts still hiding their answer that were made before `before`, oldest first."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                f"SELECT {POST_COLUMNS} FROM posts WHERE revealed_at IS NULL AND posted_at < ?"
                " ORDER BY posted_at",
                (encode_instant(before),),
            )
        return [_post_from_row(row) for row in rows]


def posted_card(db: sqlite3.Connection, message_id: int) -> tuple[int, CardRef] | None:
    """The writer's side: the guild and card a message shows, or None if it is no post."""
    row = db.execute(
        "SELECT guild_id, deck_id, card_id FROM posts WHERE message_id = ?", (message_id,)
    ).fetchone()
    return None if row is None else (row["guild_id"], CardRef(row["deck_id"], row["card_id"]))


def _post_from_row(row: sqlite3.Row) -> Post:
    return Post(
        message_id=row["message_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        kind=PostKind(row["kind"]),
        posted_at=decode_instant(row["posted_at"]),
        revealed_at=decode_optional_instant(row["revealed_at"]),
    )

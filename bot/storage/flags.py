"""Members' flags on cards ("this card is wrong"): one open flag per member and card.

A flag is withdrawn by its member (the 🚩 reaction removed) or cleared by a deck manager; both
keep the row, with when and by whom, so the history stays. Flags never touch ratings.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.flags import FlaggedCard
from bot.core.models import CardRef
from bot.storage.codec import decode_instant, encode_instant
from bot.storage.database import Database, fetch_all, fetch_one

_OPEN = "cleared_at IS NULL"


class FlagStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def flag(
        self, guild_id: int, card: CardRef, user_id: int, post_id: int | None, at: datetime
    ) -> bool:
        """Record the member's flag on `card`; False if they already have one open."""
        changed = await self._database.write(
            "INSERT INTO card_flags (guild_id, deck_id, card_id, user_id, post_id, flagged_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT (guild_id, deck_id, card_id, user_id) WHERE {_OPEN} DO NOTHING",
            (guild_id, card.deck_id, card.card_id, user_id, post_id, encode_instant(at)),
        )
        return changed > 0

    async def catch_up(
        self, guild_id: int, card: CardRef, user_id: int, post_id: int, at: datetime
    ) -> bool:
        """Record a flag the member's 🚩 on post `post_id` shows, unless they already flagged
        the card on that post: a flag cleared (or withdrawn) whose 🚩 is still on the message
        does not come back."""
        changed = await self._database.write(
            "INSERT INTO card_flags (guild_id, deck_id, card_id, user_id, post_id, flagged_at)"
            " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM card_flags"
            " WHERE guild_id = ? AND deck_id = ? AND card_id = ? AND user_id = ? AND post_id = ?)"
            f" ON CONFLICT (guild_id, deck_id, card_id, user_id) WHERE {_OPEN} DO NOTHING",
            (
                *(guild_id, card.deck_id, card.card_id, user_id, post_id, encode_instant(at)),
                *(guild_id, card.deck_id, card.card_id, user_id, post_id),
            ),
        )
        return changed > 0

    async def withdraw(self, guild_id: int, card: CardRef, user_id: int, at: datetime) -> bool:
        """Close the member's own open flag on `card` (cleared by themselves); False if none."""
        return await self._close(guild_id, card, at, by=user_id, only_user=user_id) > 0

    async def clear(self, guild_id: int, card: CardRef, by: int, at: datetime) -> int:
        """Close every open flag on `card` (a deck manager dealt with it); how many."""
        return await self._close(guild_id, card, at, by=by, only_user=None)

    async def _close(
        self, guild_id: int, card: CardRef, at: datetime, *, by: int, only_user: int | None
    ) -> int:
        where = f"guild_id = ? AND deck_id = ? AND card_id = ? AND {_OPEN}"
        parameters: list[object] = [encode_instant(at), by, guild_id, card.deck_id, card.card_id]
        if only_user is not None:
            where += " AND user_id = ?"
            parameters.append(only_user)
        return await self._database.write(
            f"UPDATE card_flags SET cleared_at = ?, cleared_by = ? WHERE {where}", parameters
        )

    async def open_flags(
        self, guild_id: int, deck_id: str | None = None, limit: int = 25
    ) -> tuple[list[FlaggedCard], int]:
        """The guild's flagged cards (of `deck_id` only, if given), most flagged first, then
        the most recently flagged; at most `limit`, with how many there are in all."""
        where = f"guild_id = ? AND {_OPEN}"
        parameters: list[object] = [guild_id]
        if deck_id is not None:
            where += " AND deck_id = ?"
            parameters.append(deck_id)
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                "SELECT deck_id, card_id, COUNT(*) AS members,"
                " MIN(flagged_at) AS first_at, MAX(flagged_at) AS last_at"
                f" FROM card_flags WHERE {where} GROUP BY deck_id, card_id"
                " ORDER BY members DESC, last_at DESC, deck_id, card_id LIMIT ?",
                (*parameters, limit),
            )
            total = await fetch_one(
                db,
                "SELECT COUNT(*) AS n FROM"
                f" (SELECT 1 FROM card_flags WHERE {where} GROUP BY deck_id, card_id)",
                parameters,
            )
        flagged = [
            FlaggedCard(
                card=CardRef(row["deck_id"], row["card_id"]),
                members=row["members"],
                first_flagged_at=decode_instant(row["first_at"]),
                last_flagged_at=decode_instant(row["last_at"]),
            )
            for row in rows
        ]
        return flagged, 0 if total is None else int(total["n"])

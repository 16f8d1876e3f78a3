"""Cards a guild took out of its study (`/card suspend`): never chosen for `/quiz`, drops or
`/review`, nor counted as due, until unsuspended.

Suspending changes nothing else: the card's posts, ratings and schedules stay, and an
unsuspended card comes back with its schedule as it was. Any card the guild sees may be
suspended, a library deck's too: the suspension is the guild's, the deck file is not touched.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.models import CardRef
from bot.storage.codec import encode_instant
from bot.storage.database import Database, fetch_all


def not_suspended(guild: str, card: str) -> str:
    """SQL: the card of table alias `card` is not suspended in the guild `guild` (a column
    name or `?`, never data)."""
    return (
        "NOT EXISTS (SELECT 1 FROM suspended_cards sc WHERE sc.guild_id = "
        f"{guild} AND sc.deck_id = {card}.deck_id AND sc.card_id = {card}.card_id)"
    )


class SuspensionStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def suspend(self, guild_id: int, card: CardRef, by: int, at: datetime) -> bool:
        """Suspend `card` in the guild; False if it already was."""
        changed = await self._database.write(
            "INSERT INTO suspended_cards (guild_id, deck_id, card_id, suspended_by, suspended_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, deck_id, card_id) DO NOTHING",
            (guild_id, card.deck_id, card.card_id, by, encode_instant(at)),
        )
        return changed > 0

    async def unsuspend(self, guild_id: int, card: CardRef) -> bool:
        """Study `card` in the guild again; False if it was not suspended."""
        changed = await self._database.write(
            "DELETE FROM suspended_cards WHERE guild_id = ? AND deck_id = ? AND card_id = ?",
            (guild_id, card.deck_id, card.card_id),
        )
        return changed > 0

    async def suspended(self, guild_id: int, deck_id: str | None = None) -> frozenset[CardRef]:
        """The guild's suspended cards (of one deck)."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                "SELECT deck_id, card_id FROM suspended_cards WHERE guild_id = ?"
                " AND deck_id = coalesce(?, deck_id)",
                (guild_id, deck_id),
            )
        return frozenset(CardRef(row["deck_id"], row["card_id"]) for row in rows)

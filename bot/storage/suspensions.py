"""Suspended cards: per guild, the cards taken out of drops, quizzes and reviews.

A suspension only hides a card from being chosen; the card's ratings and every member's
schedule stay untouched, so unsuspending brings it back exactly where it was. Any card the
guild sees may be suspended, library cards as well as the guild's own.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.models import CardRef
from bot.storage.codec import encode_instant
from bot.storage.database import Database, fetch_all


class SuspensionStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def suspend(self, guild_id: int, card: CardRef, by: int, at: datetime) -> bool:
        """Suspend a card in a guild; False if it already was (the first suspension stays)."""
        changed = await self._database.write(
            "INSERT INTO suspended_cards (guild_id, deck_id, card_id, suspended_by, suspended_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, deck_id, card_id) DO NOTHING",
            (guild_id, card.deck_id, card.card_id, by, encode_instant(at)),
        )
        return changed > 0

    async def unsuspend(self, guild_id: int, card: CardRef) -> bool:
        """Bring a card back; False if it was not suspended."""
        changed = await self._database.write(
            "DELETE FROM suspended_cards WHERE guild_id = ? AND deck_id = ? AND card_id = ?",
            (guild_id, card.deck_id, card.card_id),
        )
        return changed > 0

    async def suspended(self, guild_id: int) -> frozenset[CardRef]:
        """Every card suspended in the guild (what choosing a card must leave out)."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                "SELECT deck_id, card_id FROM suspended_cards WHERE guild_id = ?",
                (guild_id,),
            )
        return frozenset(CardRef(row["deck_id"], row["card_id"]) for row in rows)


def not_suspended(guild: str, card: str = "c") -> str:
    """The SQL condition "the card aliased `card` is not suspended in the guild `guild`".

    `guild` is a column or "?"; one home for leaving suspended cards out wherever a card is
    offered (next to `retired = 0`), so limits and counts already leave them out.
    """
    return (
        f"NOT EXISTS (SELECT 1 FROM suspended_cards sc WHERE sc.guild_id = {guild}"
        f" AND sc.deck_id = {card}.deck_id AND sc.card_id = {card}.card_id)"
    )

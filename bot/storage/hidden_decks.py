"""Library decks a guild has hidden (`/settings hide`): not offered there until shown again.

Hiding changes nothing else: the deck's cards, posts, ratings and schedules stay stored.
"""

from __future__ import annotations

from datetime import datetime

from bot.storage.codec import encode_instant
from bot.storage.database import Database, fetch_all


class HiddenDeckStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def hide(self, guild_id: int, deck_id: str, by: int, at: datetime) -> bool:
        """Hide `deck_id` in the guild; False if it already was."""
        changed = await self._database.write(
            "INSERT INTO hidden_library_decks (guild_id, deck_id, hidden_by, hidden_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, deck_id) DO NOTHING",
            (guild_id, deck_id, by, encode_instant(at)),
        )
        return changed > 0

    async def show(self, guild_id: int, deck_id: str) -> bool:
        """Offer `deck_id` in the guild again; False if it was not hidden."""
        changed = await self._database.write(
            "DELETE FROM hidden_library_decks WHERE guild_id = ? AND deck_id = ?",
            (guild_id, deck_id),
        )
        return changed > 0

    async def hidden(self) -> dict[int, frozenset[str]]:
        """Every guild's hidden deck ids, by guild."""
        async with self._database.reading() as db:
            rows = await fetch_all(db, "SELECT guild_id, deck_id FROM hidden_library_decks")
        found: dict[int, set[str]] = {}
        for row in rows:
            found.setdefault(row["guild_id"], set()).add(row["deck_id"])
        return {guild_id: frozenset(ids) for guild_id, ids in found.items()}

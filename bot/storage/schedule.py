"""Reading schedules: a member's due and new cards, and what a channel's group selection needs.

Retired cards are never offered, though their states and history stay. A guild sees its own
deck of an id rather than the library's (`bot.storage.decks.owner_of`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta

from bot.core.models import CardRef
from bot.core.scheduling import MemberCardState, SchedulingSettings
from bot.core.selection import GroupSnapshot, new_card_allowance
from bot.storage.codec import decode_date, encode_date, encode_instant
from bot.storage.database import Database, fetch_all, fetch_one
from bot.storage.decks import owner_of
from bot.storage.states import STATE_COLUMNS, state_from_row
from bot.storage.suspensions import not_suspended

# The owner of a state's card, and of a deck the guild given as a parameter sees.
_STATE_OWNER = owner_of("s.guild_id", "s.deck_id")
_GUILD_OWNER = owner_of("?", "c.deck_id")
# Offered in the state's guild: neither retired nor suspended there.
_STATE_OFFERED = f"c.retired = 0 AND {not_suspended('s.guild_id')}"
_PREFIXED_STATE_COLUMNS = ", ".join(f"s.{column.strip()}" for column in STATE_COLUMNS.split(","))


def placeholders(values: Collection[object]) -> str:
    """ "?, ?, ?" for an IN list; only placeholders ever enter the SQL text."""
    return ", ".join("?" * len(values))


class ScheduleStore:
    def __init__(self, database: Database, settings: SchedulingSettings) -> None:
        self._database = database
        self._settings = settings

    async def next_due(
        self,
        guild_id: int,
        user_id: int,
        today: date,
        *,
        deck_ids: Collection[str] | None = None,
        limit: int = 20,
    ) -> list[MemberCardState]:
        """A member's cards due on `today`, most overdue first (then by deck and card id)."""
        deck_filter = "" if deck_ids is None else f" AND s.deck_id IN ({placeholders(deck_ids)})"
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                f"SELECT {_PREFIXED_STATE_COLUMNS} FROM member_card_state s"
                " JOIN cards c ON c.deck_id = s.deck_id AND c.card_id = s.card_id"
                f" AND c.owner = {_STATE_OWNER}"
                f" WHERE s.guild_id = ? AND s.user_id = ? AND s.due_date <= ?{deck_filter}"
                f" AND {_STATE_OFFERED} ORDER BY s.due_date, s.deck_id, s.card_id LIMIT ?",
                (guild_id, user_id, encode_date(today), *(deck_ids or ()), limit),
            )
        return [state_from_row(row) for row in rows]

    async def due_counts(self, guild_id: int, user_id: int, today: date) -> dict[str, int]:
        """How many cards of each deck are due for a member; decks with none are left out."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                "SELECT s.deck_id, count(*) AS due FROM member_card_state s"
                " JOIN cards c ON c.deck_id = s.deck_id AND c.card_id = s.card_id"
                f" AND c.owner = {_STATE_OWNER}"
                " WHERE s.guild_id = ? AND s.user_id = ? AND s.due_date <= ?"
                f" AND {_STATE_OFFERED} GROUP BY s.deck_id",
                (guild_id, user_id, encode_date(today)),
            )
        return {row["deck_id"]: row["due"] for row in rows}

    async def next_due_date(self, guild_id: int, user_id: int, after: date) -> date | None:
        """The first study date after `after` on which one of the member's cards comes due."""
        async with self._database.reading() as db:
            row = await fetch_one(
                db,
                "SELECT min(s.due_date) AS due FROM member_card_state s"
                " JOIN cards c ON c.deck_id = s.deck_id AND c.card_id = s.card_id"
                f" AND c.owner = {_STATE_OWNER}"
                " WHERE s.guild_id = ? AND s.user_id = ? AND s.due_date > ?"
                f" AND {_STATE_OFFERED}",
                (guild_id, user_id, encode_date(after)),
            )
        return None if row is None or row["due"] is None else decode_date(row["due"])

    async def new_card_candidates(
        self, guild_id: int, user_id: int, deck_id: str, today: date, limit: int | None = None
    ) -> list[CardRef]:
        """Cards of a deck the member has not started, in deck order, within today's allowance."""
        async with self._database.snapshot() as db:
            introduced = await fetch_one(
                db,
                "SELECT count(*) AS n FROM member_card_state"
                " WHERE guild_id = ? AND user_id = ? AND deck_id = ? AND introduced_on = ?",
                (guild_id, user_id, deck_id, encode_date(today)),
            )
            allowance = new_card_allowance(introduced["n"] if introduced else 0, self._settings)
            if limit is not None:
                allowance = min(allowance, limit)
            rows = await fetch_all(
                db,
                f"SELECT c.card_id FROM cards c WHERE c.deck_id = ? AND c.owner = {_GUILD_OWNER}"
                f" AND c.retired = 0 AND {not_suspended('?')}"
                " AND NOT EXISTS (SELECT 1 FROM member_card_state s WHERE s.guild_id = ?"
                " AND s.user_id = ? AND s.deck_id = c.deck_id AND s.card_id = c.card_id)"
                " ORDER BY c.position LIMIT ?",
                (deck_id, guild_id, guild_id, guild_id, user_id, allowance),
            )
        return [CardRef(deck_id, row["card_id"]) for row in rows]

    async def group_snapshot(
        self, guild_id: int, channel_id: int, deck_ids: Sequence[str], now: datetime
    ) -> GroupSnapshot:
        """Everything `choose_for_channel` needs for a channel studying `deck_ids`."""
        active_since = encode_instant(now - timedelta(days=self._settings.active_member_days))
        posted_since = encode_instant(now - timedelta(days=self._settings.recent_post_days))
        decks = placeholders(deck_ids)
        async with self._database.snapshot() as db:
            cards = await fetch_all(
                db,
                f"SELECT c.deck_id, c.card_id, c.position FROM cards c WHERE c.deck_id IN ({decks})"
                f" AND c.owner = {_GUILD_OWNER} AND c.retired = 0 AND {not_suspended('?')}",
                (*deck_ids, guild_id, guild_id),
            )
            members = await fetch_all(
                db,
                "SELECT user_id FROM members WHERE guild_id = ? AND last_rated_at >= ?",
                (guild_id, active_since),
            )
            states = await fetch_all(
                db,
                f"SELECT {_PREFIXED_STATE_COLUMNS} FROM member_card_state s"
                " JOIN members m ON m.guild_id = s.guild_id AND m.user_id = s.user_id"
                f" WHERE s.guild_id = ? AND m.last_rated_at >= ? AND s.deck_id IN ({decks})",
                (guild_id, active_since, *deck_ids),
            )
            # Posted there lately, or planned there by a drop run that has not posted it yet
            # (two drops due at the same minute in one channel must not pick the same cards).
            recent = await fetch_all(
                db,
                "SELECT deck_id, card_id FROM posts WHERE channel_id = ? AND posted_at >= ?"
                " UNION SELECT rc.deck_id, rc.card_id FROM drop_run_cards rc"
                " JOIN drop_runs r ON r.run_id = rc.run_id AND r.outcome IS NULL"
                " JOIN drops d ON d.drop_id = r.drop_id"
                " WHERE d.channel_id = ? AND rc.message_id IS NULL",
                (channel_id, posted_since, channel_id),
            )
        deck_order = {deck_id: index for index, deck_id in enumerate(deck_ids)}
        cards.sort(key=lambda row: (deck_order[row["deck_id"]], row["position"]))
        return GroupSnapshot(
            cards=tuple(CardRef(row["deck_id"], row["card_id"]) for row in cards),
            active_members=frozenset(row["user_id"] for row in members),
            states=tuple(state_from_row(row) for row in states),
            recently_posted=frozenset(CardRef(row["deck_id"], row["card_id"]) for row in recent),
        )

"""A member's own study: the queue of a `/review` session and the overview `/due` shows.

One home for "what this member can study now": due cards first (most overdue first), then the
new cards within today's allowance, so `/due` never says "nothing" while `/review` has cards.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.core.models import CardRef
from bot.core.siblings import one_per_note

if TYPE_CHECKING:
    from bot.app import Services
    from bot.services.catalog import DeckCatalog

MAX_DUE_IN_SESSION = 100


@dataclass(frozen=True, slots=True)
class StudyOverview:
    due: dict[str, int]  # due cards per deck id (decks with none left out)
    new: int  # new cards the member may start today, all decks
    next_due: date | None  # the first study date after today with cards due


class StudyService:
    def __init__(self, services: Services, catalog: DeckCatalog) -> None:
        self.services = services
        self.catalog = catalog

    async def queue(self, guild_id: int, user_id: int, deck_ids: list[str]) -> list[CardRef]:
        """A session's cards: due ones first (most overdue first), then new ones within the
        daily limit; one card of a reversed or cloze entry a day (bot.core.siblings), so a
        card's other side does not follow the side just answered."""
        storage = self.services.storage
        today = await storage.members.study_date_for(guild_id, user_id, self.services.clock.now())
        due = await storage.schedule.next_due(
            guild_id, user_id, today, deck_ids=deck_ids, limit=MAX_DUE_IN_SESSION
        )
        cards = [state.card for state in due]
        cards += await self._new_cards(guild_id, user_id, deck_ids, today)
        return await self._one_card_of_a_note(guild_id, user_id, today, deck_ids, cards)

    async def overview(self, guild_id: int, user_id: int) -> StudyOverview:
        """What `queue` would give for every deck the guild offers, counted in full (a session
        takes the first MAX_DUE_IN_SESSION due cards)."""
        storage = self.services.storage
        today = await storage.members.study_date_for(guild_id, user_id, self.services.clock.now())
        deck_ids = list(self.catalog.decks_for(guild_id))
        counts = await storage.schedule.due_counts(guild_id, user_id, today)
        due_count = sum(n for deck_id, n in counts.items() if deck_id in deck_ids)
        due = await storage.schedule.next_due(
            guild_id, user_id, today, deck_ids=deck_ids, limit=due_count
        )
        new = await self._new_cards(guild_id, user_id, deck_ids, today)
        due_cards = [state.card for state in due]
        kept = set(
            await self._one_card_of_a_note(guild_id, user_id, today, deck_ids, due_cards + new)
        )
        return StudyOverview(
            due=dict(Counter(card.deck_id for card in due_cards if card in kept)),
            new=sum(card in kept for card in new),
            next_due=await storage.schedule.next_due_date(guild_id, user_id, today),
        )

    async def _one_card_of_a_note(
        self, guild_id: int, user_id: int, today: date, deck_ids: list[str], cards: list[CardRef]
    ) -> list[CardRef]:
        """`cards` less the siblings of cards before them or reviewed today (core.siblings)."""
        note_of = self.catalog.notes_of(guild_id, deck_ids)
        if not note_of:
            return cards
        reviewed = await self.services.storage.schedule.reviewed_on(
            guild_id, user_id, today, deck_ids
        )
        return one_per_note(cards, note_of, shown=reviewed)[0]

    async def _new_cards(
        self, guild_id: int, user_id: int, deck_ids: list[str], today: date
    ) -> list[CardRef]:
        storage, cards = self.services.storage, []
        for deck_id in deck_ids:
            cards += await storage.schedule.new_card_candidates(guild_id, user_id, deck_id, today)
        return cards

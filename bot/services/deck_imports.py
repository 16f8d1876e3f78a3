"""Importing an uploaded file as a guild's own deck: what it would change, then doing it.

`plan` parses the file off the event loop (`bot.decks.import_bytes`, the importers' one entry
point for uploads) and checks it against the guild's decks and limits without storing anything;
`confirm` checks again against the decks as they are then (another import may have landed in
between) and stores the deck through the catalog. Every refusal is an `ImportRefused` whose
text is the one message the member sees.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.models import Deck
from bot.decks import DeckError, import_bytes
from bot.decks.importers import is_deck_file
from bot.decks.matching import reimport
from bot.messages import decks as texts
from bot.storage import SyncSummary

if TYPE_CHECKING:
    from bot.app import Services
    from bot.services.catalog import DeckCatalog

# Discord's own upload limit for a bot without boosts; checked from the attachment's size,
# before anything is downloaded.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024


class ImportRefused(Exception):
    """The import cannot go ahead; str() is the message for the member."""


@dataclass(frozen=True, slots=True)
class Replacement:
    """What replacing the guild's deck of the same id does to its cards (ids, deck order)."""

    kept: tuple[str, ...]
    added: tuple[str, ...]
    retired: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    guild_id: int
    filename: str
    imported: Deck  # as the file gave it
    deck: Deck  # as it would be stored: ids matched against the deck it replaces
    replacement: Replacement | None  # None: a new deck
    replace: bool
    name: str | None


class DeckImports:
    def __init__(self, services: Services, catalog: DeckCatalog) -> None:
        self.services = services
        self.catalog = catalog

    async def plan(
        self,
        guild_id: int,
        filename: str,
        data: bytes,
        *,
        name: str | None = None,
        replace: bool = False,
    ) -> ImportPlan:
        """What importing `data` would store; raises ImportRefused. Stores nothing."""
        try:
            imported = await asyncio.to_thread(import_bytes, data, filename, name=name)
        except DeckError as error:
            raise ImportRefused(
                texts.import_failed(filename, [str(p) for p in error.problems])
            ) from error
        return await self._checked(guild_id, filename, imported, replace=replace, name=name)

    async def confirm(self, plan: ImportPlan) -> tuple[ImportPlan, SyncSummary]:
        """Store the planned deck, checked again against the guild's decks as they are now."""
        current = await self._checked(
            plan.guild_id, plan.filename, plan.imported, replace=plan.replace, name=plan.name
        )
        return current, await self.catalog.save(plan.guild_id, current.deck)

    async def _checked(
        self, guild_id: int, filename: str, imported: Deck, *, replace: bool, name: str | None
    ) -> ImportPlan:
        existing = self.catalog.guild_decks(guild_id).get(imported.id)
        if existing is None and imported.id in self.catalog.library:
            raise ImportRefused(texts.import_library_id(imported.id))
        if existing is not None and not replace:
            raise ImportRefused(texts.import_exists(existing))
        deck, replacement = imported, None
        if existing is not None:
            deck, replacement = await asyncio.to_thread(
                _replacing, existing, imported, filename, name
            )
        limit = self.services.config.max_cards_per_guild
        others = await self.services.storage.decks.guild_card_count(guild_id, besides=deck.id)
        if others + len(deck.cards) > limit:
            raise ImportRefused(texts.import_over_guild_limit(len(deck.cards), others, limit))
        return ImportPlan(guild_id, filename, imported, deck, replacement, replace, name)


def _replacing(
    existing: Deck, imported: Deck, filename: str, name: str | None
) -> tuple[Deck, Replacement]:
    """The deck that replaces `existing`. A deck file's card ids are its own (they key the
    schedules); an export's cards get the ids of the cards they are edits of."""
    if is_deck_file(filename):
        old, new = [c.id for c in existing.cards], [c.id for c in imported.cards]
        return imported, Replacement(
            kept=tuple(i for i in new if i in old),
            added=tuple(i for i in new if i not in old),
            retired=tuple(i for i in old if i not in new),
        )
    try:
        deck, matching = reimport(existing, imported, name=name)
    except DeckError as error:
        raise ImportRefused(
            texts.import_failed(filename, [str(p) for p in error.problems])
        ) from error
    return deck, Replacement(
        kept=tuple(k.card.id for k in matching.kept),
        added=tuple(c.id for c in matching.added),
        retired=tuple(c.id for c in matching.retired),
    )

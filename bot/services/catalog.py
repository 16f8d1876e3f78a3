"""The decks a guild can study: its own decks and the shared library's, in one place.

The library is the decks folder, loaded at start (`Services.decks`). A guild's own decks live in
the database as the deck YAML the bot wrote, and are loaded through the same validator as deck
files. A guild sees its own deck rather than a library deck of the same id, and never another
guild's decks; a library deck the guild hid (`/settings hide`) is not offered there: not in
`decks_for`, so not in autocomplete, lists, `/quiz`, `/review`, `/due` or drops. Its history
stays, and a post of its cards made before still reveals (`deck`, `find_card`). Every
command, autocomplete, drop and reveal asks here (`bot.catalog`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.models import MAX_DECK_NAME_CHARS, Card, CardRef, Deck
from bot.decks import DeckError, dump_deck, parse_deck, rules
from bot.storage import SyncSummary

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger(__name__)


# Reads one image file of a guild's deck, by its name after "<deck id>.media/"; None if the
# deck has no such file.
StoredMedia = Callable[[str], Awaitable[bytes | None]]


def guild_deck_path(guild_id: int, deck_id: str) -> str:
    """How a stored guild deck is named in problems (its id is the name's stem)."""
    return f"guild-{guild_id}/{deck_id}.yaml"


class DeckCatalog:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._guilds: dict[int, dict[str, Deck]] = {}
        self._changing: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._hidden: dict[int, frozenset[str]] = {}

    async def load(self) -> None:
        """Read every guild's decks from the database; one that no longer validates is logged
        and left out (its cards and history stay stored)."""
        # Media an import saved before a crash kept it from saving its deck.
        await self.services.storage.media.forget_unused()
        stored = await self.services.storage.decks.guild_decks()
        guilds: dict[int, dict[str, Deck]] = {}
        for entry in stored:
            path = guild_deck_path(entry.guild_id, entry.deck_id)
            try:
                deck = await asyncio.to_thread(parse_deck, entry.source, path)
            except DeckError as error:
                for problem in error.problems:
                    log.warning("guild deck not loaded: %s", problem)
                continue
            guilds.setdefault(entry.guild_id, {})[deck.id] = deck
        self._guilds = guilds
        self._hidden = await self.services.storage.hidden_decks.hidden()
        log.info(
            "guild decks: %d loaded in %d guild(s)", sum(map(len, guilds.values())), len(guilds)
        )

    @property
    def library(self) -> dict[str, Deck]:
        return self.services.decks

    def guild_decks(self, guild_id: int) -> dict[str, Deck]:
        """The guild's own decks, by id."""
        return dict(self._guilds.get(guild_id, {}))

    def decks_for(self, guild_id: int) -> dict[str, Deck]:
        """Every deck the guild can study, by id, sorted: its own and the library's it has
        not hidden."""
        hidden = self._hidden.get(guild_id, frozenset())
        library = {i: d for i, d in self.library.items() if i not in hidden}
        merged = {**library, **self._guilds.get(guild_id, {})}
        return dict(sorted(merged.items()))

    def hidden(self, guild_id: int) -> frozenset[str]:
        """The library decks the guild hid (ids of decks no longer in the library too)."""
        return self._hidden.get(guild_id, frozenset())

    async def hide(self, guild_id: int, deck_id: str, by: int, at: datetime) -> bool:
        """Stop offering the library deck `deck_id` in the guild; False if it was hidden."""
        changed = await self.services.storage.hidden_decks.hide(guild_id, deck_id, by, at)
        self._hidden = {**self._hidden, guild_id: self.hidden(guild_id) | {deck_id}}
        if changed:
            log.info("guild %s hid library deck %s", guild_id, deck_id)
        return changed

    async def show(self, guild_id: int, deck_id: str) -> bool:
        """Offer the library deck `deck_id` in the guild again; False if it was not hidden."""
        changed = await self.services.storage.hidden_decks.show(guild_id, deck_id)
        self._hidden = {**self._hidden, guild_id: self.hidden(guild_id) - {deck_id}}
        if changed:
            log.info("guild %s shows library deck %s again", guild_id, deck_id)
        return changed

    def changing(self, guild_id: int) -> asyncio.Lock:
        """Held while the guild's own decks are read, changed and saved (an import's
        confirmation, a card form, a rename, a removal), so two changes made at once never
        save one over the other. Not reentrant: `save` does not take it, its callers do."""
        return self._changing[guild_id]

    def deck(self, guild_id: int, deck_id: str) -> Deck | None:
        own = self._guilds.get(guild_id, {}).get(deck_id)
        return own if own is not None else self.library.get(deck_id)

    def notes_of(self, guild_id: int, deck_ids: Iterable[str]) -> dict[CardRef, str]:
        """The note of each card of those decks that comes from a reversed or cloze entry
        (`bot.core.siblings`); a basic card, its own note, is left out."""
        notes: dict[CardRef, str] = {}
        for deck_id in deck_ids:
            deck = self.deck(guild_id, deck_id)
            for card in deck.cards if deck else ():
                if card.note is not None:
                    notes[CardRef(deck_id, card.id)] = card.note.id
        return notes

    def stored_media(self, guild_id: int, deck: Deck) -> StoredMedia | None:
        """Where `deck`'s image files are when it is the guild's own: the database, where its
        import stored them. None for a library deck: its files are beside its deck file."""
        if deck.id not in self._guilds.get(guild_id, {}):
            return None
        return functools.partial(self.services.storage.media.load, guild_id, deck.id)

    def find_card(self, guild_id: int, ref: CardRef) -> tuple[Deck, Card] | None:
        """The deck and card `ref` names in the guild; None once either is gone."""
        deck = self.deck(guild_id, ref.deck_id)
        card = deck.card(ref.card_id) if deck else None
        return (deck, card) if deck and card else None

    async def save(self, guild_id: int, deck: Deck) -> SyncSummary:
        """Store `deck` as the guild's own (replacing its deck of that id) and offer it."""
        source = dump_deck(deck)
        summary = await self.services.storage.decks.save_guild_deck(guild_id, deck, source)
        self._guilds.setdefault(guild_id, {})[deck.id] = deck
        log.info(
            "guild %s saved deck %s: %d cards; added %d, changed %d, retired %d",
            guild_id,
            deck.id,
            len(deck.cards),
            len(summary.added),
            len(summary.changed),
            len(summary.retired),
        )
        return summary

    async def rename(self, guild_id: int, deck_id: str, name: str) -> Deck | None:
        """Give the guild's own deck `deck_id` a new name (its id, which keys everyone's
        schedules, stays); None if the guild has no such deck. Raises ValueError, saying why,
        for a name a deck file could not have."""
        name = name.strip()
        problem = rules.check_text("deck name", name, MAX_DECK_NAME_CHARS, single_line=True)
        if problem is not None:
            raise ValueError(problem)
        async with self.changing(guild_id):
            deck = self._guilds.get(guild_id, {}).get(deck_id)
            if deck is None:
                return None
            renamed = replace(deck, name=name)
            await self.save(guild_id, renamed)
        log.info("guild %s renamed deck %s from %r to %r", guild_id, deck_id, deck.name, name)
        return renamed

    async def remove(self, guild_id: int, deck_id: str) -> Deck | None:
        """Retire the guild's own deck `deck_id` (its history stays); the deck, or None if the
        guild has no such deck."""
        async with self.changing(guild_id):
            deck = self._guilds.get(guild_id, {}).pop(deck_id, None)
            if deck is not None:
                await self.services.storage.decks.retire_guild_deck(guild_id, deck_id)
                await self.services.storage.media.forget_unused(guild_id)
                log.info("guild %s removed deck %s", guild_id, deck_id)
        return deck

"""Importing an uploaded file as a guild's own deck: what it would change, then doing it.

`plan` parses the file off the event loop (`bot.decks.importers.import_upload`, the importers'
one entry point for uploads: deck files, text exports and Anki packages) and checks it against
the guild's decks and limits without storing anything; `confirm` checks again against the decks
as they are then (another import may have landed in between) and stores the deck through the
catalog. Every refusal is an `ImportRefused` whose text is the one message the member sees.

A package with sub-decks may instead be split into one deck per sub-deck (`split`,
`confirm_split`), each checked like an import of its own and all together within the limits.

A package's images are stored first (`storage.media`, content-addressed), then the deck, then
the deck's media names it no longer uses are forgotten. Saving media only adds, so a crash
after the first step leaves unreferenced files, which nothing shows and the media limit does
not count; never a stored deck without its images.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.models import Deck
from bot.decks import DeckError
from bot.decks.importers import AnkiImport, import_upload, is_deck_file, is_package_upload
from bot.decks.importers.anki import media_folder, reimport_package, split_subdecks
from bot.decks.matching import CardMatching, reimport
from bot.messages import decks as texts
from bot.storage import SyncSummary

if TYPE_CHECKING:
    from bot.app import Services
    from bot.services.catalog import DeckCatalog

# Discord's own upload limit for a bot without boosts; checked from the attachment's size,
# before anything is downloaded.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MIB = 1024 * 1024


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
    upload: AnkiImport  # as the file gave it (a text or deck file: no media, no warnings)
    deck: Deck  # as it would be stored: ids matched against the deck it replaces
    replacement: Replacement | None  # None: a new deck
    replace: bool
    name: str | None
    package: bool = False  # an Anki package: a replacement keeps ids by note and card
    warnings: tuple[str, ...] = ()  # the upload's, and the images its cards name that are nowhere
    subdecks: int = 1  # the decks `split` makes of the package (1: nothing to split)

    @property
    def imported(self) -> Deck:
        return self.upload.deck

    @property
    def media(self) -> Mapping[str, bytes]:
        """A package's image files, by name in the deck's media folder."""
        return self.upload.media

    @property
    def media_bytes(self) -> int:
        return sum(len(data) for data in self.media.values())


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
            upload, subdecks = await asyncio.to_thread(_read, data, filename, name)
        except DeckError as error:
            raise ImportRefused(
                texts.import_failed(filename, [str(p) for p in error.problems])
            ) from error
        package = is_package_upload(data, filename)
        plan = await self._checked(
            guild_id, filename, upload, package=package, replace=replace, name=name
        )
        return dataclasses.replace(plan, subdecks=subdecks)

    async def split(self, plan: ImportPlan) -> tuple[ImportPlan, ...]:
        """The package of `plan` as one deck per Anki sub-deck (`split_subdecks`), each
        checked as an import of its own and all together within the guild's limits; raises
        ImportRefused. Stores nothing."""
        parts = await asyncio.to_thread(split_subdecks, plan.upload)
        return await self._checked_parts(plan.guild_id, plan.filename, parts, plan.replace)

    async def confirm(self, plan: ImportPlan) -> tuple[ImportPlan, SyncSummary]:
        """Store the planned deck and its media, checked again against the guild's decks as
        they are now."""
        async with self.catalog.changing(plan.guild_id):
            current = await self._checked(
                plan.guild_id,
                plan.filename,
                plan.upload,
                package=plan.package,
                replace=plan.replace,
                name=plan.name,
            )
            [summary] = await self._store([current])
        return current, summary

    async def confirm_split(
        self, parts: tuple[ImportPlan, ...]
    ) -> list[tuple[ImportPlan, SyncSummary]]:
        """Store the decks `split` planned, checked again as they are now. Every deck's
        media are stored before any deck; each deck is then stored in a transaction of its
        own, so a crash in between leaves some of the decks imported, each whole."""
        first = parts[0]
        async with self.catalog.changing(first.guild_id):
            current = await self._checked_parts(
                first.guild_id, first.filename, [p.upload for p in parts], first.replace
            )
            return list(zip(current, await self._store(current), strict=True))

    async def _store(self, plans: Sequence[ImportPlan]) -> list[SyncSummary]:
        media = self.services.storage.media
        for plan in plans:
            await media.save(plan.guild_id, plan.deck.id, plan.media)
        summaries: list[SyncSummary] = []
        for plan in plans:
            summaries.append(await self.catalog.save(plan.guild_id, plan.deck))
            await media.retain(plan.guild_id, plan.deck.id, media_names(plan.deck))
        return summaries

    async def _checked_parts(
        self, guild_id: int, filename: str, parts: Sequence[AnkiImport], replace: bool
    ) -> tuple[ImportPlan, ...]:
        plans = tuple(
            [
                await self._checked(
                    guild_id, filename, part, package=True, replace=replace, name=None
                )
                for part in parts
            ]
        )
        # Each part alone is within the limits; together they must be too.
        storage, config = self.services.storage, self.services.config
        ids = [plan.deck.id for plan in plans]
        existing = self.catalog.guild_decks(guild_id)
        cards = sum(len(plan.deck.cards) for plan in plans)
        others = await storage.decks.guild_card_count(guild_id) - sum(
            len(existing[i].cards) for i in ids if i in existing
        )
        if others + cards > config.max_cards_per_guild:
            limit = config.max_cards_per_guild
            raise ImportRefused(texts.import_over_guild_limit(cards, others, limit))
        size = sum(plan.media_bytes for plan in plans)
        if size:
            stored = await storage.media.total_bytes(guild_id, besides=ids)
            media_limit = config.max_media_mib_per_guild * MIB
            if stored + size > media_limit:
                raise ImportRefused(texts.import_over_media_limit(size, stored, media_limit))
        return plans

    async def _checked(
        self,
        guild_id: int,
        filename: str,
        upload: AnkiImport,
        *,
        package: bool,
        replace: bool,
        name: str | None,
    ) -> ImportPlan:
        imported = upload.deck
        existing = self.catalog.guild_decks(guild_id).get(imported.id)
        if existing is None and imported.id in self.catalog.library:
            raise ImportRefused(texts.import_library_id(imported.id))
        if existing is not None and not replace:
            raise ImportRefused(texts.import_exists(existing))
        deck, replacement = imported, None
        if existing is not None:
            deck, replacement = await asyncio.to_thread(
                _replacing, existing, imported, filename, name, package
            )
        storage = self.services.storage
        warnings = upload.warnings
        missing = media_names(deck) - set(upload.media)
        if missing:
            missing -= await storage.media.names(guild_id, deck.id)
        if (
            missing
            and (line := texts.import_missing_media(filename, sorted(missing))) not in warnings
        ):
            warnings += (line,)
        limit = self.services.config.max_cards_per_guild
        others = await storage.decks.guild_card_count(guild_id, besides=deck.id)
        if others + len(deck.cards) > limit:
            raise ImportRefused(texts.import_over_guild_limit(len(deck.cards), others, limit))
        plan = ImportPlan(
            guild_id,
            filename,
            upload,
            deck,
            replacement,
            replace,
            name,
            package=package,
            warnings=warnings,
        )
        if plan.media:
            media_limit = self.services.config.max_media_mib_per_guild * MIB
            stored = await storage.media.total_bytes(guild_id, besides=[deck.id])
            if stored + plan.media_bytes > media_limit:
                raise ImportRefused(
                    texts.import_over_media_limit(plan.media_bytes, stored, media_limit)
                )
        return plan


def _read(data: bytes, filename: str, name: str | None) -> tuple[AnkiImport, int]:
    """The upload, and how many decks splitting its sub-decks would make (file work and
    parsing: run off the event loop)."""
    upload = import_upload(data, filename, name=name)
    return upload, len(split_subdecks(upload)) if upload.subdecks else 1


def media_names(deck: Deck) -> set[str]:
    """The files of the deck's media folder its cards show."""
    prefix = media_folder(deck.id) + "/"
    return {
        card.image.removeprefix(prefix)
        for card in deck.cards
        if card.image is not None and card.image.startswith(prefix)
    }


def _replacing(
    existing: Deck, imported: Deck, filename: str, name: str | None, package: bool
) -> tuple[Deck, Replacement]:
    """The deck that replaces `existing`. A deck file's card ids are its own (they key the
    schedules); a package's cards keep the ids of the same Anki cards; an export's cards get
    the ids of the cards they are edits of."""
    if is_deck_file(filename) and not package:
        old, new = [c.id for c in existing.cards], [c.id for c in imported.cards]
        return imported, Replacement(
            kept=tuple(i for i in new if i in old),
            added=tuple(i for i in new if i not in old),
            retired=tuple(i for i in old if i not in new),
        )
    try:
        matched: tuple[Deck, CardMatching] = (
            reimport_package(existing, imported, name=name)
            if package
            else reimport(existing, imported, name=name)
        )
        deck, matching = matched
    except DeckError as error:
        raise ImportRefused(
            texts.import_failed(filename, [str(p) for p in error.problems])
        ) from error
    return deck, Replacement(
        kept=tuple(k.card.id for k in matching.kept),
        added=tuple(c.id for c in matching.added),
        retired=tuple(c.id for c in matching.retired),
    )

"""`/deck export`: a deck the guild sees, as a file built off the event loop, with its images.

The exporters are bot.decks.exporters'; here is what they need from the running bot: the
deck's media files (a library deck's beside its deck file, a guild deck's from the database's
media store) and the clock's time for the package's notes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.core.models import Deck
from bot.decks.exporters import ExportFile, ExportFormat, export_deck
from bot.decks.exporters.apkg import media_name
from bot.services.catalog import DeckCatalog
from bot.services.posting import image_path
from bot.storage import Storage

__all__ = ["ExportFile", "ExportFormat", "deck_media", "export"]

log = logging.getLogger(__name__)


async def export(
    storage: Storage,
    catalog: DeckCatalog,
    guild_id: int,
    deck: Deck,
    fmt: ExportFormat,
    now: datetime,
) -> ExportFile:
    """`deck` (one the guild sees) as a `fmt` file; only a package carries media."""
    media = await deck_media(storage, catalog, guild_id, deck) if fmt is ExportFormat.APKG else {}
    return await asyncio.to_thread(export_deck, deck, fmt, media, now)


async def deck_media(
    storage: Storage, catalog: DeckCatalog, guild_id: int, deck: Deck
) -> dict[str, bytes]:
    """The deck's media files by name (`<deck id>.media/<name>`): a guild deck's from the
    storage's media store, a library deck's read from beside its deck file."""
    if catalog.guild_decks(guild_id).get(deck.id) is deck:
        return await storage.media.files(guild_id, deck.id)
    return await asyncio.to_thread(_library_media, deck)


def _library_media(deck: Deck) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for card in deck.cards:
        name = None if card.image is None else media_name(card.image)
        if card.image is None or name is None or name in files:
            continue
        path = image_path(deck, card.image)
        if path is None:
            continue  # outside the deck's folder: never read (posting logs it)
        try:
            files[name] = path.read_bytes()
        except OSError as error:
            log.warning("deck %s: image %r not exported: %s", deck.id, card.image, error)
    return files

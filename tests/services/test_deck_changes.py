"""Two changes to a guild's decks at once (an import's confirmation, a rename) take turns
through the catalog's per-guild lock, so neither saves over the other. Real services over a
real SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.services.catalog import DeckCatalog
from bot.services.deck_imports import DeckImports
from tests.test_app_decks import _services

GUILD = 77
FIRST = "question\tanswer\nWhat is 2 + 2?\t4\n"
SECOND = "question\tanswer\nWhat is 2 + 2?\t4\nWhat is 3 + 3?\t6\n"


async def test_a_rename_during_an_import_confirmation_keeps_both_changes(tmp_path: Path) -> None:
    services = await _services(tmp_path)
    try:
        catalog = DeckCatalog(services)
        imports = DeckImports(services, catalog)
        await imports.confirm(await imports.plan(GUILD, "maths.tsv", FIRST.encode()))
        replacing = await imports.plan(GUILD, "maths.tsv", SECOND.encode(), replace=True)

        confirming = asyncio.create_task(imports.confirm(replacing))
        await asyncio.sleep(0)  # the confirmation is under way, checking the deck again
        renamed = await catalog.rename(GUILD, "maths", "Arithmetic")
        await confirming

        assert renamed is not None
        deck = catalog.guild_decks(GUILD)["maths"]
        assert (deck.name, len(deck.cards)) == ("Arithmetic", 2)
        stored = {d.deck_id: d.source for d in await services.storage.decks.guild_decks()}
        assert "Arithmetic" in stored["maths"] and "3 + 3" in stored["maths"]
    finally:
        await services.close()

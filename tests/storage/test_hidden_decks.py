from __future__ import annotations

from pathlib import Path

from bot.storage import Storage
from tests.core.factories import GUILD, T0, USER


async def test_hidden_decks_hide_show_and_survive_reopening(db_path: Path) -> None:
    async with await Storage.open(db_path) as store:
        assert await store.hidden_decks.hide(GUILD, "dl", USER, T0) is True
        assert await store.hidden_decks.hide(GUILD, "dl", USER, T0) is False  # already hidden
        assert await store.hidden_decks.hide(GUILD + 1, "ml", USER, T0) is True
    async with await Storage.open(db_path) as store:
        assert await store.hidden_decks.hidden() == {
            GUILD: frozenset({"dl"}),
            GUILD + 1: frozenset({"ml"}),
        }
        assert await store.hidden_decks.show(GUILD, "dl") is True
        assert await store.hidden_decks.show(GUILD, "dl") is False  # not hidden any more
        assert await store.hidden_decks.hidden() == {GUILD + 1: frozenset({"ml"})}

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.models import CardRef, Deck
from bot.storage import Storage, SyncSummary
from tests.core.factories import GUILD, T0, USER, make_deck, make_event
from tests.storage.helpers import card_state, rating_history


def edit(deck: Deck, card_id: str, answer: str) -> Deck:
    cards = tuple(
        replace(card, answer=answer) if card.id == card_id else card for card in deck.cards
    )
    return replace(deck, cards=cards)


async def test_sync_decks_first_time_adds_everything(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        summary = await storage.decks.sync_decks([make_deck("dl", ("a", "b"))])
    assert summary == SyncSummary(added=(CardRef("dl", "a"), CardRef("dl", "b")))


async def test_sync_decks_unchanged_is_quiet(storage: Storage, decks: list[Deck]) -> None:
    assert await storage.decks.sync_decks(decks) == SyncSummary()


async def test_sync_decks_reports_added_changed_retired(
    storage: Storage, decks: list[Deck]
) -> None:
    dl, ml = decks
    dl = edit(dl, "c2", "a new answer")
    dl = replace(
        dl,
        cards=tuple(card for card in dl.cards if card.id != "c6") + make_deck("x", ("c7",)).cards,
    )
    summary = await storage.decks.sync_decks([dl, ml])
    assert summary == SyncSummary(
        added=(CardRef("dl", "c7"),),
        changed=(CardRef("dl", "c2"),),
        retired=(CardRef("dl", "c6"),),
    )


async def test_sync_decks_reordering_is_not_a_change(storage: Storage, decks: list[Deck]) -> None:
    dl, ml = decks
    assert await storage.decks.sync_decks([replace(dl, cards=dl.cards[::-1]), ml]) == SyncSummary()
    new = await storage.schedule.new_card_candidates(GUILD, USER, "dl", T0.date(), limit=1)
    assert new == [CardRef("dl", "c6")]


async def test_sync_decks_retired_card_keeps_history_and_comes_back(
    storage: Storage, decks: list[Deck]
) -> None:
    recorded = await storage.ratings.record_rating(make_event(4, card_id="c1"))
    dl, ml = decks
    without_c1 = replace(dl, cards=dl.cards[1:])
    assert (await storage.decks.sync_decks([without_c1, ml])).retired == (CardRef("dl", "c1"),)
    assert len(await rating_history(storage, GUILD, USER, CardRef("dl", "c1"))) == 1
    assert await card_state(storage, GUILD, USER, CardRef("dl", "c1")) == recorded.state

    assert (await storage.decks.sync_decks(decks)).added == (CardRef("dl", "c1"),)
    due = await storage.schedule.next_due(GUILD, USER, T0.date() + timedelta(days=30))
    assert [state.card_id for state in due] == ["c1"]


async def test_sync_decks_removed_deck_retires_its_cards(
    storage: Storage, decks: list[Deck]
) -> None:
    summary = await storage.decks.sync_decks(decks[:1])
    assert summary.retired == (CardRef("ml", "m1"), CardRef("ml", "m2"))


async def test_sync_decks_leaves_unavailable_decks_alone(
    storage: Storage, decks: list[Deck]
) -> None:
    summary = await storage.decks.sync_decks(decks[:1], unavailable={"ml"})
    assert summary == SyncSummary()
    assert len(await storage.schedule.new_card_candidates(GUILD, USER, "ml", T0.date())) == 2


async def test_sync_decks_refuses_duplicate_card_ids(storage: Storage) -> None:
    with pytest.raises(ValueError, match="twice"):
        await storage.decks.sync_decks([make_deck("dl", ("a", "a"))])

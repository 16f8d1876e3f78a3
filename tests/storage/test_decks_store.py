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


# --- guild decks ---------------------------------------------------------------------------

OTHER_GUILD = GUILD + 1


async def test_save_guild_deck_round_trips_its_source(storage: Storage) -> None:
    summary = await storage.decks.save_guild_deck(GUILD, make_deck("gd", ("g1", "g2")), "yaml")
    assert summary.added == (CardRef("gd", "g1"), CardRef("gd", "g2"))
    stored = await storage.decks.guild_decks()
    assert [(d.guild_id, d.deck_id, d.source) for d in stored] == [(GUILD, "gd", "yaml")]
    assert await storage.decks.guild_card_count(GUILD) == 2
    assert await storage.decks.guild_card_count(GUILD, besides="gd") == 0


async def test_guild_deck_cards_are_the_guild_s_only(storage: Storage) -> None:
    await storage.decks.save_guild_deck(GUILD, make_deck("gd", ("g1",)), "yaml")
    mine = await storage.schedule.new_card_candidates(GUILD, USER, "gd", T0.date())
    theirs = await storage.schedule.new_card_candidates(OTHER_GUILD, USER, "gd", T0.date())
    assert (mine, theirs) == ([CardRef("gd", "g1")], [])
    with pytest.raises(Exception, match="names no card"):
        await storage.ratings.record_rating(
            make_event(4, guild_id=OTHER_GUILD, deck_id="gd", card_id="g1")
        )


async def test_guild_decks_of_one_id_in_two_guilds_and_the_library_stay_apart(
    storage: Storage,
) -> None:
    # "dl" is a library deck (c1-c6) too; each guild sees its own.
    await storage.decks.save_guild_deck(GUILD, make_deck("dl", ("x1",)), "a")
    await storage.decks.save_guild_deck(OTHER_GUILD, make_deck("dl", ("y1", "y2")), "b")
    snapshots = [
        await storage.schedule.group_snapshot(guild, 1, ["dl"], T0)
        for guild in (GUILD, OTHER_GUILD, GUILD + 2)
    ]
    assert [len(s.cards) for s in snapshots] == [1, 2, 6]
    await storage.ratings.record_rating(make_event(4, deck_id="dl", card_id="x1"))
    assert (
        await storage.schedule.due_counts(OTHER_GUILD, USER, T0.date() + timedelta(days=400)) == {}
    )


async def test_library_sync_never_retires_a_guild_deck(storage: Storage, decks: list[Deck]) -> None:
    await storage.decks.save_guild_deck(GUILD, make_deck("gd", ("g1",)), "yaml")
    summary = await storage.decks.sync_decks(decks[:1])  # "ml" left the folder
    assert CardRef("gd", "g1") not in summary.retired
    assert [d.deck_id for d in await storage.decks.guild_decks()] == ["gd"]
    assert await storage.schedule.new_card_candidates(GUILD, USER, "gd", T0.date())


async def test_save_guild_deck_again_keeps_states_and_retires_gone_cards(
    storage: Storage,
) -> None:
    await storage.decks.save_guild_deck(GUILD, make_deck("gd", ("g1", "g2")), "v1")
    await storage.decks.save_guild_deck(GUILD, make_deck("other", ("o1",)), "o")
    await storage.ratings.record_rating(make_event(4, deck_id="gd", card_id="g1"))
    edited = edit(make_deck("gd", ("g1", "g3")), "g1", "an edited answer")
    summary = await storage.decks.save_guild_deck(GUILD, edited, "v2")
    assert summary == SyncSummary(
        added=(CardRef("gd", "g3"),),
        changed=(CardRef("gd", "g1"),),
        retired=(CardRef("gd", "g2"),),
    )
    assert await card_state(storage, GUILD, USER, CardRef("gd", "g1")) is not None
    assert [d.source for d in await storage.decks.guild_decks()] == ["v2", "o"]
    assert await storage.decks.guild_card_count(GUILD) == 3


async def test_retire_guild_deck_hides_its_cards_and_saving_again_brings_them_back(
    storage: Storage,
) -> None:
    await storage.decks.save_guild_deck(GUILD, make_deck("gd", ("g1",)), "yaml")
    await storage.ratings.record_rating(make_event(4, deck_id="gd", card_id="g1"))
    await storage.decks.retire_guild_deck(GUILD, "gd")
    assert await storage.decks.guild_decks() == []
    assert await storage.decks.guild_card_count(GUILD) == 0
    summary = await storage.decks.save_guild_deck(GUILD, make_deck("gd", ("g1",)), "yaml")
    assert summary.added == (CardRef("gd", "g1"),)
    assert await card_state(storage, GUILD, USER, CardRef("gd", "g1")) is not None

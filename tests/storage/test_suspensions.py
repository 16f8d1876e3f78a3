from __future__ import annotations

from datetime import timedelta

from bot.core.models import CardRef
from bot.storage import Storage
from tests.core.factories import GUILD, T0, USER, make_event
from tests.storage.conftest import CHANNEL, make_post
from tests.storage.helpers import effective_ratings

C1 = CardRef("dl", "c1")
C2 = CardRef("dl", "c2")
LIBRARY_CARD = CardRef("ml", "m1")
TODAY = T0.date()


async def rate(storage: Storage, card_id: str, rating: int, *, guild_id: int = GUILD) -> None:
    await storage.ratings.record_rating(
        make_event(rating, study_date=TODAY, card_id=card_id, guild_id=guild_id)
    )


async def test_suspensions_suspend_then_listed(storage: Storage) -> None:
    assert await storage.suspensions.suspended(GUILD) == frozenset()
    assert await storage.suspensions.suspend(GUILD, C1, USER, T0)
    assert await storage.suspensions.suspend(GUILD, LIBRARY_CARD, USER, T0)
    assert await storage.suspensions.suspended(GUILD) == {C1, LIBRARY_CARD}


async def test_suspensions_twice_keeps_one(storage: Storage) -> None:
    assert await storage.suspensions.suspend(GUILD, C1, USER, T0)
    assert not await storage.suspensions.suspend(GUILD, C1, USER + 1, T0 + timedelta(hours=1))
    assert await storage.suspensions.suspended(GUILD) == {C1}


async def test_suspensions_are_per_guild(storage: Storage) -> None:
    await storage.suspensions.suspend(GUILD, C1, USER, T0)
    await storage.suspensions.suspend(GUILD + 1, C2, USER, T0)
    assert await storage.suspensions.suspended(GUILD) == {C1}
    assert await storage.suspensions.suspended(GUILD + 1) == {C2}


async def test_suspensions_unsuspend_brings_back(storage: Storage) -> None:
    await storage.suspensions.suspend(GUILD, C1, USER, T0)
    await storage.suspensions.suspend(GUILD, C2, USER, T0)
    assert await storage.suspensions.unsuspend(GUILD, C1)
    assert not await storage.suspensions.unsuspend(GUILD, C1)
    assert await storage.suspensions.suspended(GUILD) == {C2}


async def test_suspensions_keep_ratings(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.ratings.record_rating(make_event(4, post_id=1))
    await storage.suspensions.suspend(GUILD, C1, USER, T0)
    await storage.suspensions.unsuspend(GUILD, C1)
    assert await effective_ratings(storage, 1) == {USER: 4}


async def test_suspensions_leave_card_out_of_reviews_and_due(storage: Storage) -> None:
    await rate(storage, "c1", 3)
    await rate(storage, "c2", 3)
    tomorrow = TODAY + timedelta(days=1)
    before = await storage.schedule.next_due(GUILD, USER, tomorrow)
    await storage.suspensions.suspend(GUILD, C1, USER, T0)
    assert [state.card for state in await storage.schedule.next_due(GUILD, USER, tomorrow)] == [C2]
    assert await storage.schedule.due_counts(GUILD, USER, tomorrow) == {"dl": 1}
    # another guild still sees it
    await rate(storage, "c1", 3, guild_id=GUILD + 1)
    assert [s.card for s in await storage.schedule.next_due(GUILD + 1, USER, tomorrow)] == [C1]
    await storage.suspensions.unsuspend(GUILD, C1)
    assert await storage.schedule.next_due(GUILD, USER, tomorrow) == before


async def test_suspensions_leave_card_out_of_new_cards_and_channel_choice(
    storage: Storage,
) -> None:
    await storage.suspensions.suspend(GUILD, C1, USER, T0)
    new = await storage.schedule.new_card_candidates(GUILD, USER, "dl", TODAY)
    assert C1 not in new and C2 in new
    snapshot = await storage.schedule.group_snapshot(GUILD, CHANNEL, ["dl"], T0)
    assert C1 not in snapshot.cards and C2 in snapshot.cards
    await storage.suspensions.unsuspend(GUILD, C1)
    snapshot = await storage.schedule.group_snapshot(GUILD, CHANNEL, ["dl"], T0)
    assert snapshot.cards[0] == C1

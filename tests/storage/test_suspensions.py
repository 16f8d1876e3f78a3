from __future__ import annotations

from datetime import timedelta

from bot.core.models import CardRef
from bot.storage import Storage
from tests.core.factories import GUILD, T0, USER, make_event
from tests.storage.conftest import make_post
from tests.storage.helpers import effective_ratings

C1 = CardRef("dl", "c1")
C2 = CardRef("dl", "c2")
LIBRARY_CARD = CardRef("ml", "m1")


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

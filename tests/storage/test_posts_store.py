from __future__ import annotations

from datetime import timedelta

from bot.core.models import CardRef, Rating
from bot.core.posts import PostKind
from bot.storage import Storage
from tests.core.factories import T0, USER, make_event
from tests.storage.conftest import make_post
from tests.storage.helpers import effective_ratings


async def test_get_post_round_trips(storage: Storage) -> None:
    post = make_post(10, "c2", kind=PostKind.QUIZ)
    await storage.posts.record_post(post)
    assert await storage.posts.get_post(10) == post
    assert await storage.posts.get_post(11) is None


async def test_record_post_twice_keeps_first(storage: Storage) -> None:
    await storage.posts.record_post(make_post(10, "c2"))
    await storage.posts.record_post(make_post(10, "c3"))
    post = await storage.posts.get_post(10)
    assert post is not None and post.card == CardRef("dl", "c2")


async def test_mark_revealed_once(storage: Storage) -> None:
    await storage.posts.record_post(make_post(10))
    at = T0 + timedelta(hours=1)
    assert await storage.posts.mark_revealed(10, at)
    assert not await storage.posts.mark_revealed(10, at + timedelta(hours=1))
    assert not await storage.posts.mark_revealed(99, at)
    post = await storage.posts.get_post(10)
    assert post is not None and post.revealed_at == at


async def test_effective_ratings_per_post(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.ratings.record_rating(make_event(2, post_id=1))
    await storage.ratings.record_rating(
        make_event(4, post_id=1, rated_at=T0 + timedelta(seconds=3))
    )
    await storage.ratings.record_rating(make_event(5, post_id=1, user_id=USER + 1))
    assert await effective_ratings(storage, 1) == {USER: 4, USER + 1: 5}


async def test_posts_since_oldest_first(storage: Storage) -> None:
    for message_id, minutes in ((1, 0), (2, 30), (3, 10)):
        await storage.posts.record_post(
            make_post(message_id, posted_at=T0 + timedelta(minutes=minutes))
        )
    since = await storage.posts.posts_since(T0 + timedelta(minutes=5))
    assert [post.message_id for post in since] == [3, 2]


async def test_unrevealed_before_skips_revealed_and_recent(storage: Storage) -> None:
    for message_id, minutes in ((1, 0), (2, 5), (3, 50)):
        await storage.posts.record_post(
            make_post(message_id, posted_at=T0 + timedelta(minutes=minutes))
        )
    await storage.posts.mark_revealed(2, T0 + timedelta(minutes=6))
    due = await storage.posts.unrevealed_before(T0 + timedelta(minutes=30))
    assert [post.message_id for post in due] == [1]


async def test_live_ratings_lists_every_reaction_still_on_post(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.ratings.record_rating(make_event(2, post_id=1))
    await storage.ratings.record_rating(
        make_event(4, post_id=1, rated_at=T0 + timedelta(seconds=3))
    )
    await storage.ratings.record_rating(make_event(5, post_id=1, user_id=USER + 1))
    await storage.ratings.retract_rating_soon(1, USER, Rating(2))
    assert await storage.ratings.live_ratings(1) == {(USER, Rating(4)), (USER + 1, Rating(5))}

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.core.models import CardRef, Rating
from bot.core.ratings import RatingSource
from bot.core.scheduling import replay, review
from bot.storage import Storage
from tests.core.factories import GUILD, T0, USER, make_event
from tests.storage.conftest import CHANNEL, SETTINGS, make_post
from tests.storage.helpers import card_state, effective_ratings, rating_history

CARD = CardRef("dl", "c1")


async def expect_replayed(storage: Storage, user_id: int = USER, card: CardRef = CARD) -> None:
    """The stored state must equal the replay of the stored history."""
    history = await rating_history(storage, GUILD, user_id, card)
    assert await card_state(storage, GUILD, user_id, card) == replay(history, SETTINGS)


async def test_record_rating_stores_event_and_state(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    event = make_event(4, post_id=1)
    update = await storage.ratings.record_rating(event)
    assert update.changed and update.event is not None and update.event.id is not None
    assert update.state == review(None, event, SETTINGS)
    assert await card_state(storage, GUILD, USER, CARD) == update.state
    assert await rating_history(storage, GUILD, USER, CARD) == [update.event]


async def test_record_rating_duplicate_delivery_is_stored_once(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    first = await storage.ratings.record_rating(make_event(4, post_id=1))
    again = await storage.ratings.record_rating(
        make_event(4, post_id=1, rated_at=T0 + timedelta(seconds=2))
    )
    assert not again.changed and again.event is None
    assert again.state == first.state
    assert len(await rating_history(storage, GUILD, USER, CARD)) == 1


async def test_record_rating_reconcile_of_live_reaction_is_a_no_op(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.ratings.record_rating(make_event(3, post_id=1))
    await storage.ratings.record_rating(
        make_event(5, post_id=1, rated_at=T0 + timedelta(seconds=5))
    )
    # Reconciliation finds both reactions still on the message: nothing changes, 5 stays.
    for rating in (3, 5):
        update = await storage.ratings.record_rating(
            make_event(
                rating, post_id=1, source=RatingSource.RECONCILE, rated_at=T0 + timedelta(hours=1)
            )
        )
        assert not update.changed
    assert await effective_ratings(storage, 1) == {USER: Rating.PERFECTLY}


async def test_record_rating_three_five_three_are_three_events(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.ratings.record_rating(make_event(3, post_id=1))
    await storage.ratings.record_rating(
        make_event(5, post_id=1, rated_at=T0 + timedelta(seconds=5))
    )
    await storage.ratings.retract_rating_soon(1, USER, Rating.SOMEWHAT)
    await storage.ratings.record_rating(
        make_event(3, post_id=1, rated_at=T0 + timedelta(seconds=9))
    )
    history = await rating_history(storage, GUILD, USER, CARD)
    assert [(event.rating, event.retracted) for event in history] == [
        (3, True),
        (5, False),
        (3, False),
    ]
    assert await effective_ratings(storage, 1) == {USER: Rating.SOMEWHAT}
    await expect_replayed(storage)


async def test_record_rating_buttons_replace_earlier_choice(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    for seconds, rating in enumerate((3, 5, 3)):
        update = await storage.ratings.record_rating(
            make_event(
                rating,
                post_id=1,
                source=RatingSource.BUTTON,
                rated_at=T0 + timedelta(seconds=seconds),
            )
        )
        assert update.changed
    history = await rating_history(storage, GUILD, USER, CARD)
    assert [(event.rating, event.retracted) for event in history] == [
        (3, True),
        (5, True),
        (3, False),
    ]
    # The schedule counts the card answered once, with the final choice.
    only_final = review(None, make_event(3, study_date=T0.date()), SETTINGS)
    state = await card_state(storage, GUILD, USER, CARD)
    assert state is not None and (state.stability, state.due, state.reps) == (
        only_final.stability,
        only_final.due,
        1,
    )


async def test_record_rating_button_double_click_is_a_no_op(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.ratings.record_rating(make_event(4, post_id=1, source=RatingSource.BUTTON))
    update = await storage.ratings.record_rating(
        make_event(4, post_id=1, source=RatingSource.BUTTON)
    )
    assert not update.changed
    assert len(await rating_history(storage, GUILD, USER, CARD)) == 1


async def test_changed_rating_replays_history(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.posts.record_post(make_post(2, posted_at=T0 + timedelta(days=2)))
    await storage.ratings.record_rating(make_event(4, post_id=1))
    later = T0 + timedelta(days=2)
    await storage.ratings.record_rating(make_event(5, post_id=2, rated_at=later))
    # The member changes their mind on the first post after answering the second.
    update = await storage.ratings.record_rating(
        make_event(1, post_id=1, rated_at=later + timedelta(hours=1))
    )
    expected = replay(
        [make_event(1, rated_at=later + timedelta(hours=1)), make_event(5, rated_at=later)],
        SETTINGS,
    )
    assert update.state == expected
    await expect_replayed(storage)


async def test_retract_rating_restores_previous_live_reaction(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    first = await storage.ratings.record_rating(make_event(3, post_id=1))
    await storage.ratings.record_rating(
        make_event(5, post_id=1, rated_at=T0 + timedelta(seconds=5))
    )
    update = await storage.ratings.retract_rating_soon(1, USER, Rating.PERFECTLY)
    assert update.changed and update.state == first.state
    assert await effective_ratings(storage, 1) == {USER: Rating.SOMEWHAT}


async def test_retract_rating_of_only_rating_makes_card_new_again(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.ratings.record_rating(make_event(4, post_id=1))
    update = await storage.ratings.retract_rating_soon(1, USER, Rating.MOSTLY)
    assert update.changed and update.state is None
    assert await card_state(storage, GUILD, USER, CARD) is None
    assert await effective_ratings(storage, 1) == {}
    assert CARD in await storage.schedule.new_card_candidates(GUILD, USER, "dl", T0.date())


async def test_retract_rating_without_such_reaction_changes_nothing(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    recorded = await storage.ratings.record_rating(make_event(4, post_id=1))
    update = await storage.ratings.retract_rating_soon(1, USER, Rating.BARELY)
    assert not update.changed and update.state == recorded.state
    assert not (await storage.ratings.retract_rating_soon(999, USER, Rating.BARELY)).changed


async def test_late_reconciled_event_is_replayed_in_answer_order(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.posts.record_post(make_post(2, card_id="c1", posted_at=T0 + timedelta(days=2)))
    await storage.ratings.record_rating(make_event(4, post_id=2, rated_at=T0 + timedelta(days=2)))
    # Found after downtime: answered on day 0, stored after day 2's answer.
    late = make_event(2, post_id=1, source=RatingSource.RECONCILE)
    update = await storage.ratings.record_rating(late)
    assert update.state == replay([late, make_event(4, rated_at=T0 + timedelta(days=2))], SETTINGS)


async def test_ratings_without_post_each_count(storage: Storage) -> None:
    for minutes, rating in enumerate((1, 2, 4)):
        await storage.ratings.record_rating(
            make_event(rating, source=RatingSource.BUTTON, rated_at=T0 + timedelta(minutes=minutes))
        )
    state = await card_state(storage, GUILD, USER, CARD)
    assert state is not None and state.reps == 3
    await expect_replayed(storage)


async def test_record_rating_refuses_mismatched_post(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1, card_id="c2"))
    with pytest.raises(ValueError, match="does not match"):
        await storage.ratings.record_rating(make_event(4, post_id=1, card_id="c1"))
    with pytest.raises(ValueError, match="unknown post"):
        await storage.ratings.record_rating(make_event(4, post_id=404))
    assert await rating_history(storage, GUILD, USER, CARD) == []


async def test_record_rating_rolls_back_on_error(storage: Storage) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"):
        await storage.ratings.record_rating(make_event(4, deck_id="nope", card_id="gone"))
    snapshot = await storage.schedule.group_snapshot(GUILD, CHANNEL, ["dl"], T0)
    assert snapshot.active_members == frozenset()


async def test_ratings_are_append_only(storage: Storage) -> None:
    await storage.ratings.record_rating(make_event(4))
    with pytest.raises(Exception, match="append-only"):
        async with storage.database.reading() as db:
            await db.execute("UPDATE ratings SET rating = 5")


@pytest.mark.parametrize("seed", range(6))
async def test_state_always_equals_replay_of_effective_ratings(storage: Storage, seed: int) -> None:
    rng = random.Random(seed)
    for post_id in range(1, 4):
        await storage.posts.record_post(make_post(post_id, posted_at=T0 + timedelta(days=post_id)))
    for step in range(40):
        post_id = rng.randint(1, 3)
        rating = Rating(rng.randint(1, 5))
        at = T0 + timedelta(days=post_id, minutes=step)
        if rng.random() < 0.3:
            await storage.ratings.retract_rating_soon(post_id, USER, rating)
        else:
            source = rng.choice(list(RatingSource))
            await storage.ratings.record_rating(
                make_event(rating, post_id=post_id, rated_at=at, source=source)
            )
        await expect_replayed(storage)

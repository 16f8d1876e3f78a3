from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.core.models import CardRef, Rating
from bot.core.ratings import (
    RatingEvent,
    RatingPlan,
    RatingSource,
    StateChange,
    effective_events,
    plan_rating,
    plan_retraction,
)
from tests.core.factories import T0, make_event


def test_effective_events_drop_retracted() -> None:
    kept = make_event(4)
    assert effective_events([make_event(2, retracted=True), kept]) == [kept]


def test_effective_events_keep_latest_arrival_per_post_and_member() -> None:
    first = make_event(3, post_id=1)
    second = make_event(5, post_id=1, rated_at=T0 + timedelta(seconds=5))
    other_member = make_event(2, post_id=1, user_id=999)
    assert effective_events([first, second, other_member]) == [other_member, second]


def test_effective_events_latest_means_arrival_not_timestamp() -> None:
    live = make_event(3, post_id=1, rated_at=T0 + timedelta(hours=1))
    # Found later by reconciliation, but stamped earlier: still the member's latest choice.
    reconciled = make_event(5, post_id=1, source=RatingSource.RECONCILE)
    assert effective_events([live, reconciled]) == [reconciled]


def test_effective_events_keep_every_event_without_post() -> None:
    events = [make_event(2), make_event(4, rated_at=T0 + timedelta(minutes=1))]
    assert effective_events(events) == events


def test_effective_events_sorted_by_answer_time() -> None:
    late = make_event(4, rated_at=T0 + timedelta(days=1), post_id=2)
    early = make_event(2, post_id=1)
    assert effective_events([late, early]) == [early, late]


def test_rating_event_refuses_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        make_event(4, rated_at=datetime(2026, 3, 15, 8, 0), study_date=T0.date())


def test_rating_event_names_its_card() -> None:
    assert make_event(4, deck_id="dl", card_id="c9").card == CardRef("dl", "c9")


def stored(rating: int, event_id: int, **fields: Any) -> RatingEvent:
    """A live event as storage reads it back: with its id."""
    return replace(make_event(rating, **fields), id=event_id)


def test_plan_rating_first_answer_is_reviewed_incrementally() -> None:
    plan = plan_rating(make_event(4, post_id=1), [])
    assert plan == RatingPlan(insert=True, state=StateChange.REVIEW) and plan.changed


def test_plan_rating_duplicate_delivery_does_nothing() -> None:
    live = [stored(4, 1, post_id=1)]
    again = make_event(4, post_id=1, rated_at=T0 + timedelta(seconds=2))
    plan = plan_rating(again, live)
    assert plan == RatingPlan() and not plan.changed


def test_plan_rating_reconcile_of_live_reaction_does_nothing() -> None:
    live = [stored(3, 1, post_id=1), stored(5, 2, post_id=1)]
    found = make_event(
        3, post_id=1, source=RatingSource.RECONCILE, rated_at=T0 + timedelta(hours=1)
    )
    assert plan_rating(found, live) == RatingPlan()


def test_plan_rating_second_reaction_replaces_effective_one_by_replay() -> None:
    live = [stored(3, 1, post_id=1)]
    plan = plan_rating(make_event(5, post_id=1, rated_at=T0 + timedelta(seconds=5)), live)
    assert plan == RatingPlan(insert=True, state=StateChange.REPLAY)


def test_plan_rating_button_retracts_other_choices_on_the_post() -> None:
    live = [stored(3, 1, post_id=1), stored(5, 2, post_id=1), stored(2, 3, post_id=9)]
    plan = plan_rating(make_event(4, post_id=1, source=RatingSource.BUTTON), live)
    assert plan == RatingPlan(retract=(1, 2), insert=True, state=StateChange.REPLAY)


def test_plan_rating_button_back_to_a_live_choice_retracts_the_others_only() -> None:
    live = [stored(3, 1, post_id=1), stored(5, 2, post_id=1)]
    plan = plan_rating(make_event(3, post_id=1, source=RatingSource.BUTTON), live)
    assert plan == RatingPlan(retract=(2,), insert=False, state=StateChange.REPLAY)
    assert plan.changed


def test_plan_rating_button_double_click_does_nothing() -> None:
    live = [stored(4, 1, post_id=1, source=RatingSource.BUTTON)]
    assert plan_rating(make_event(4, post_id=1, source=RatingSource.BUTTON), live) == RatingPlan()


def test_plan_rating_answer_on_another_post_is_reviewed_incrementally() -> None:
    live = [stored(4, 1, post_id=1)]
    plan = plan_rating(make_event(2, post_id=2, rated_at=T0 + timedelta(days=2)), live)
    assert plan == RatingPlan(insert=True, state=StateChange.REVIEW)


def test_plan_rating_late_arrival_is_replayed_in_answer_order() -> None:
    live = [stored(4, 1, post_id=2, rated_at=T0 + timedelta(days=2))]
    late = make_event(2, post_id=1, source=RatingSource.RECONCILE)
    assert plan_rating(late, live) == RatingPlan(insert=True, state=StateChange.REPLAY)


def test_plan_rating_without_post_always_inserts() -> None:
    live = [stored(4, 1), stored(4, 2, rated_at=T0 + timedelta(minutes=1))]
    plan = plan_rating(make_event(4, rated_at=T0 + timedelta(minutes=2)), live)
    assert plan == RatingPlan(insert=True, state=StateChange.REVIEW)


@pytest.mark.parametrize(
    "event",
    [
        replace(make_event(4), id=7),
        make_event(4, retracted=True),
    ],
)
def test_plan_rating_refuses_stored_or_retracted_event(event: RatingEvent) -> None:
    with pytest.raises(ValueError, match="new, unretracted"):
        plan_rating(event, [])


def test_plan_rating_refuses_live_events_without_ids() -> None:
    with pytest.raises(ValueError, match="ids"):
        plan_rating(
            make_event(4, post_id=1, source=RatingSource.BUTTON), [make_event(3, post_id=1)]
        )


def test_plan_retraction_retracts_that_value_on_the_post_and_replays() -> None:
    live = [stored(3, 1, post_id=1), stored(5, 2, post_id=1), stored(5, 3, post_id=2)]
    plan = plan_retraction(1, Rating.PERFECTLY, live)
    assert plan == RatingPlan(retract=(2,), state=StateChange.REPLAY) and plan.changed


def test_plan_retraction_without_such_reaction_does_nothing() -> None:
    live = [stored(3, 1, post_id=1)]
    assert plan_retraction(1, Rating.BARELY, live) == RatingPlan()
    assert plan_retraction(2, Rating.SOMEWHAT, live) == RatingPlan()


@pytest.mark.parametrize("seed", range(5))
def test_plan_rating_needs_only_events_on_the_post_or_answered_later(seed: int) -> None:
    rng = random.Random(seed)
    live = [
        stored(
            rng.randint(1, 5),
            event_id,
            post_id=rng.choice((1, 2, 3, None)),
            rated_at=T0 + timedelta(minutes=rng.randint(0, 100)),
        )
        for event_id in range(1, 30)
    ]
    for _ in range(50):
        event = make_event(
            rng.randint(1, 5),
            post_id=rng.choice((1, 2, 3, None)),
            rated_at=T0 + timedelta(minutes=rng.randint(0, 100)),
            source=rng.choice(list(RatingSource)),
        )
        bearing = [
            e
            for e in live
            if (event.post_id is not None and e.post_id == event.post_id)
            or e.rated_at > event.rated_at
        ]
        assert plan_rating(event, bearing) == plan_rating(event, live)

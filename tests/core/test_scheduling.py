from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import fsrs
import pytest

from bot.core.models import Rating
from bot.core.scheduling import (
    FSRS_RATING,
    MemberCardState,
    MemoryState,
    SchedulingSettings,
    is_lapse,
    replay,
    retrievability,
    review,
    to_fsrs,
)
from tests.core.factories import make_event

NO_FUZZ = SchedulingSettings(fuzzing=False)
DAY = date(2026, 3, 15)


def review_on(
    state: MemberCardState | None, rating: int, day: date, **kwargs: object
) -> MemberCardState:
    at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    settings = kwargs.pop("settings", NO_FUZZ)
    assert isinstance(settings, SchedulingSettings)
    return review(state, make_event(rating, rated_at=at, study_date=day), settings)


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        (Rating.NOT_AT_ALL, fsrs.Rating.Again),
        (Rating.BARELY, fsrs.Rating.Again),
        (Rating.SOMEWHAT, fsrs.Rating.Hard),
        (Rating.MOSTLY, fsrs.Rating.Good),
        (Rating.PERFECTLY, fsrs.Rating.Easy),
    ],
)
def test_to_fsrs_maps_brainscape_scale(rating: Rating, expected: fsrs.Rating) -> None:
    assert to_fsrs(rating) is expected


def test_fsrs_rating_covers_every_rating() -> None:
    assert set(FSRS_RATING) == set(Rating)


@pytest.mark.parametrize(
    ("rating", "lapse"), [(1, True), (2, True), (3, False), (4, False), (5, False)]
)
def test_is_lapse_only_for_one_and_two(rating: int, lapse: bool) -> None:
    assert is_lapse(Rating(rating)) is lapse


@pytest.mark.parametrize(("rating", "days"), [(1, 1), (2, 1), (3, 1), (4, 2), (5, 8)])
def test_review_new_card_first_interval(rating: int, days: int) -> None:
    state = review_on(None, rating, DAY)
    assert state.due == DAY + timedelta(days=days)
    assert state.memory_state is MemoryState.REVIEW
    assert (state.reps, state.lapses, state.introduced_on, state.last_review) == (1, 0, DAY, DAY)


def test_review_one_and_two_schedule_alike() -> None:
    first = review_on(review_on(None, 4, DAY), 1, DAY + timedelta(days=2))
    second = review_on(review_on(None, 4, DAY), 2, DAY + timedelta(days=2))
    assert (first.stability, first.difficulty, first.due) == (
        second.stability,
        second.difficulty,
        second.due,
    )


def test_review_counts_lapses_of_learnt_cards_only() -> None:
    state = review_on(None, 1, DAY)
    assert state.lapses == 0
    state = review_on(state, 4, state.due)
    state = review_on(state, 2, state.due)
    assert (state.reps, state.lapses) == (3, 1)
    assert state.introduced_on == DAY


def test_review_caps_interval_at_maximum() -> None:
    settings = SchedulingSettings(fuzzing=False, maximum_interval_days=30)
    state = None
    day = DAY
    for _ in range(10):
        state = review_on(state, 5, day, settings=settings)
        assert (state.due - day).days <= 30
        day = state.due
    assert state is not None and (state.due - state.last_review).days == 30


def test_review_default_maximum_interval_is_365_days() -> None:
    state = None
    day = DAY
    for _ in range(12):
        state = review_on(state, 5, day)
        day = state.due
    assert state is not None and (state.due - state.last_review).days == 365


def test_review_fuzz_is_deterministic() -> None:
    fuzzy = SchedulingSettings()
    learnt = review_on(None, 5, DAY, settings=fuzzy)
    again = [review_on(learnt, 5, learnt.due, settings=fuzzy) for _ in range(3)]
    assert len({state.due for state in again}) == 1


def test_review_fuzz_stays_near_the_unfuzzed_interval() -> None:
    fuzzed_intervals = set()
    for card in range(40):
        event = make_event(5, card_id=f"c{card}", study_date=DAY)
        first = review(None, event, SchedulingSettings())
        plain = review(None, event, NO_FUZZ)
        assert abs((first.due - plain.due).days) <= 2  # fsrs's range for an 8-day interval
        fuzzed_intervals.add(first.due)
    assert len(fuzzed_intervals) > 1


def test_review_refuses_event_of_another_card() -> None:
    state = review_on(None, 4, DAY)
    with pytest.raises(ValueError, match="does not belong"):
        review(state, make_event(4, card_id="other", study_date=DAY), NO_FUZZ)


def test_replay_equals_incremental_reviews() -> None:
    events = [
        make_event(rating, rated_at=datetime(2026, 3, day, 8, tzinfo=UTC), id=day)
        for day, rating in [(1, 4), (3, 2), (4, 3), (6, 5), (14, 4)]
    ]
    state = None
    for event in events:
        state = review(state, event, SchedulingSettings())
    assert replay(events, SchedulingSettings()) == state


def test_replay_orders_by_answer_time() -> None:
    early = make_event(2, rated_at=datetime(2026, 3, 1, 8, tzinfo=UTC))
    late = make_event(5, rated_at=datetime(2026, 3, 5, 8, tzinfo=UTC))
    assert replay([late, early], NO_FUZZ) == replay([early, late], NO_FUZZ)


def test_replay_without_effective_events_is_none() -> None:
    assert replay([make_event(4, retracted=True)], NO_FUZZ) is None
    assert replay([], NO_FUZZ) is None


def test_replay_uses_latest_rating_on_a_post() -> None:
    first = make_event(2, post_id=7)
    changed = make_event(5, post_id=7, rated_at=first.rated_at + timedelta(seconds=20))
    assert replay([first, changed], NO_FUZZ) == replay([changed], NO_FUZZ)


def test_retrievability_is_one_on_review_day_and_near_target_when_due() -> None:
    state = review_on(review_on(None, 4, DAY), 4, DAY + timedelta(days=2))
    assert retrievability(state, state.last_review, NO_FUZZ) == pytest.approx(1.0)
    assert retrievability(state, state.due, NO_FUZZ) == pytest.approx(0.9, abs=0.02)
    later = retrievability(state, state.due + timedelta(days=30), NO_FUZZ)
    assert later < retrievability(state, state.due, NO_FUZZ)


def test_member_card_state_is_due_on_and_after_due_date() -> None:
    state = review_on(None, 4, DAY)
    assert not state.is_due(DAY + timedelta(days=1))
    assert state.is_due(DAY + timedelta(days=2))
    assert state.is_due(DAY + timedelta(days=9))


def test_review_matches_fsrs_fed_study_dates() -> None:
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = fsrs.Card(card_id=1, due=datetime(2026, 3, 15, tzinfo=UTC))
    state = None
    for day, rating in [(15, 3), (16, 4), (18, 1), (19, 5)]:
        instant = datetime(2026, 3, day, tzinfo=UTC)
        card, _ = scheduler.review_card(card, FSRS_RATING[Rating(rating)], instant)
        state = review_on(state, rating, date(2026, 3, day))
        assert (state.stability, state.difficulty) == (card.stability, card.difficulty)
        assert state.due == card.due.date()


@pytest.mark.parametrize(
    "fields",
    [
        {"desired_retention": 1.0},
        {"desired_retention": 0.0},
        {"maximum_interval_days": 0},
        {"new_cards_per_day": -1},
        {"active_member_days": 0},
        {"recent_post_days": -1},
    ],
)
def test_scheduling_settings_rejects_out_of_range(fields: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SchedulingSettings(**fields)  # type: ignore[arg-type]


def test_scheduling_settings_defaults() -> None:
    settings = SchedulingSettings()
    assert (
        settings.desired_retention,
        settings.maximum_interval_days,
        settings.new_cards_per_day,
        settings.fuzzing,
        settings.active_member_days,
        settings.recent_post_days,
    ) == (0.9, 365, 10, True, 30, 3)

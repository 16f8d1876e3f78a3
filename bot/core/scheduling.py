"""Per-member scheduling: the 1-5 mapping onto FSRS-6 and each member's memory of a card.

The fsrs library does the scheduling; this module only decides what it is fed. Every review
is given the UTC midnight of its study date (see `study_dates`), learning and relearning steps
are empty so every interval is a whole number of days, and the resulting due instant is kept
as a study date. A state is a pure function of the effective rating events, so a changed or
retracted rating is handled by replaying them (`replay`).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from types import MappingProxyType

import fsrs
from fsrs.scheduler import FUZZ_RANGES

from bot.core.models import CardRef, Rating
from bot.core.ratings import RatingEvent, effective_events
from bot.core.study_dates import review_instant

# Brainscape re-shows both 1 and 2 within minutes, so both are failures for FSRS, which learns
# pass/fail (Hard still counts as recalled).
FSRS_RATING: Mapping[Rating, fsrs.Rating] = MappingProxyType(
    {
        Rating.NOT_AT_ALL: fsrs.Rating.Again,
        Rating.BARELY: fsrs.Rating.Again,
        Rating.SOMEWHAT: fsrs.Rating.Hard,
        Rating.MOSTLY: fsrs.Rating.Good,
        Rating.PERFECTLY: fsrs.Rating.Easy,
    }
)


def to_fsrs(rating: Rating) -> fsrs.Rating:
    return FSRS_RATING[rating]


def is_lapse(rating: Rating) -> bool:
    """Whether FSRS treats this answer as forgotten."""
    return FSRS_RATING[rating] is fsrs.Rating.Again


@dataclass(frozen=True, slots=True)
class SchedulingSettings:
    """Knobs of the schedule and of card selection; built from config by the loader."""

    desired_retention: float = 0.9
    maximum_interval_days: int = 365
    new_cards_per_day: int = 10
    # Spreads cards learnt together over neighbouring days; seeded per review (see `review`).
    fuzzing: bool = True
    # A member counts for group selection if they rated a card in the guild this recently.
    active_member_days: int = 30
    # A card posted in a channel this recently is not posted there again unless nothing else is.
    recent_post_days: int = 3

    def __post_init__(self) -> None:
        if not 0 < self.desired_retention < 1:
            raise ValueError("desired_retention must be between 0 and 1")
        if self.maximum_interval_days < 1:
            raise ValueError("maximum_interval_days must be at least 1")
        if self.new_cards_per_day < 0:
            raise ValueError("new_cards_per_day must not be negative")
        if self.active_member_days < 1:
            raise ValueError("active_member_days must be at least 1")
        if self.recent_post_days < 0:
            raise ValueError("recent_post_days must not be negative")


class MemoryState(IntEnum):
    """fsrs's card state, mirrored so storage need not import fsrs. With no learning steps a
    reviewed card is always REVIEW; the others exist for states written by other settings."""

    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass(frozen=True, slots=True)
class MemberCardState:
    """What one member's memory of one card looks like after their effective ratings.

    A card a member never rated has no state: it is new to them.
    """

    guild_id: int
    user_id: int
    deck_id: str
    card_id: str
    memory_state: MemoryState
    stability: float
    difficulty: float
    due: date
    last_review: date
    introduced_on: date
    reps: int
    lapses: int

    @property
    def card(self) -> CardRef:
        return CardRef(self.deck_id, self.card_id)

    def is_due(self, today: date) -> bool:
        return self.due <= today


def review(
    state: MemberCardState | None, event: RatingEvent, settings: SchedulingSettings
) -> MemberCardState:
    """The state after one more answer (`state` None: the card is new to the member)."""
    if state is not None and (state.guild_id, state.user_id, state.card) != (
        event.guild_id,
        event.user_id,
        event.card,
    ):
        raise ValueError(f"event for {event.card} does not belong to state of {state.card}")
    instant = review_instant(event.study_date)
    before = _to_fsrs(state) if state is not None else fsrs.Card(card_id=0, due=instant)
    after, _ = _scheduler(settings).review_card(before, to_fsrs(event.rating), instant)
    assert after.stability is not None and after.difficulty is not None
    reps = (state.reps if state is not None else 0) + 1
    lapses = state.lapses if state is not None else 0
    if state is not None and is_lapse(event.rating):
        lapses += 1  # forgetting a card never learnt is not a lapse, as in Anki
    interval = (after.due - instant).days
    if settings.fuzzing:
        interval = _fuzzed(interval, settings.maximum_interval_days, _fuzz_seed(event, reps))
    return MemberCardState(
        guild_id=event.guild_id,
        user_id=event.user_id,
        deck_id=event.deck_id,
        card_id=event.card_id,
        memory_state=MemoryState(after.state),
        stability=after.stability,
        difficulty=after.difficulty,
        due=event.study_date + timedelta(days=interval),
        last_review=event.study_date,
        introduced_on=state.introduced_on if state is not None else event.study_date,
        reps=reps,
        lapses=lapses,
    )


def replay(events: Iterable[RatingEvent], settings: SchedulingSettings) -> MemberCardState | None:
    """A member's state of one card from its whole rating history (None if nothing counts).

    `events` in arrival order, retracted ones included or not; see `effective_events`.
    """
    state: MemberCardState | None = None
    for event in effective_events(events):
        state = review(state, event, settings)
    return state


def retrievability(state: MemberCardState, today: date, settings: SchedulingSettings) -> float:
    """FSRS's probability that the member still recalls the card on `today`."""
    return float(
        _scheduler(settings).get_card_retrievability(_to_fsrs(state), review_instant(today))
    )


def _to_fsrs(state: MemberCardState) -> fsrs.Card:
    return fsrs.Card(
        card_id=0,
        state=fsrs.State(state.memory_state),
        # Steps only matter in (re)learning, which these settings never leave a card in.
        step=None if state.memory_state is MemoryState.REVIEW else 0,
        stability=state.stability,
        difficulty=state.difficulty,
        due=review_instant(state.due),
        last_review=review_instant(state.last_review),
    )


@functools.cache
def _scheduler_for(desired_retention: float, maximum_interval: int) -> fsrs.Scheduler:
    # fsrs fuzzes with the process-wide random generator, which would make a replay differ
    # from the incremental state; `_fuzzed` applies the same ranges with a seeded one.
    return fsrs.Scheduler(
        desired_retention=desired_retention,
        learning_steps=(),
        relearning_steps=(),
        maximum_interval=maximum_interval,
        enable_fuzzing=False,
    )


def _scheduler(settings: SchedulingSettings) -> fsrs.Scheduler:
    return _scheduler_for(settings.desired_retention, settings.maximum_interval_days)


def _fuzz_seed(event: RatingEvent, reps: int) -> str:
    # Stable across processes (str seeds are hashed with SHA-512, not hash()).
    return f"{event.guild_id}/{event.user_id}/{event.deck_id}/{event.card_id}/{reps}"


def _fuzzed(interval_days: int, maximum_interval: int, seed: str) -> int:
    """fsrs's fuzz (same ranges, same bounds), drawn from a generator seeded per review."""
    if interval_days < 2.5:
        return interval_days
    delta = 1.0
    for fuzz_range in FUZZ_RANGES:
        span = min(float(interval_days), fuzz_range["end"]) - fuzz_range["start"]
        delta += fuzz_range["factor"] * max(span, 0.0)
    high = min(round(interval_days + delta), maximum_interval)
    low = min(max(2, round(interval_days - delta)), high)
    return random.Random(seed).randint(low, high)

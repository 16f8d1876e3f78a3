"""A member's review session: the order cards are shown in, as a value.

Across days the schedule decides when a card returns; within one session a card answered 1 or
2 comes back a few cards later (as Brainscape does), until the member knows it or stops.
Every answer, repeats included, is also a rating event for the schedule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from bot.core.models import CardRef, Rating

# How many other cards are shown before a failed card returns (fewer if fewer are left).
DEFAULT_REQUEUE_AFTER = 3
# Answers at or below this come back within the session.
_REPEAT_AT_OR_BELOW = Rating.BARELY


@dataclass(frozen=True, slots=True)
class SessionSummary:
    counts: Mapping[Rating, int]
    answers: int
    cards_reviewed: int
    cards_left: int


@dataclass(frozen=True, slots=True)
class ReviewSession:
    """`queue[0]` is the card on screen; answering or stopping returns a new session."""

    queue: tuple[CardRef, ...]
    answers: tuple[tuple[CardRef, Rating], ...] = ()
    requeue_after: int = DEFAULT_REQUEUE_AFTER
    stopped: bool = False

    @classmethod
    def start(
        cls, cards: Iterable[CardRef], requeue_after: int = DEFAULT_REQUEUE_AFTER
    ) -> ReviewSession:
        if requeue_after < 1:
            raise ValueError("requeue_after must be at least 1")
        # A card listed twice would be reviewed twice on one day for nothing.
        return cls(queue=tuple(dict.fromkeys(cards)), requeue_after=requeue_after)

    @property
    def current(self) -> CardRef | None:
        return None if self.stopped or not self.queue else self.queue[0]

    @property
    def finished(self) -> bool:
        return self.current is None

    def answer(self, rating: Rating) -> ReviewSession:
        card = self.current
        if card is None:
            raise ValueError("the session has no card to answer")
        rest = self.queue[1:]
        if rating <= _REPEAT_AT_OR_BELOW:
            rest = (*rest[: self.requeue_after], card, *rest[self.requeue_after :])
        return replace(self, queue=rest, answers=(*self.answers, (card, rating)))

    def stop(self) -> ReviewSession:
        return replace(self, stopped=True)

    def summary(self) -> SessionSummary:
        counts = Counter(rating for _, rating in self.answers)
        return SessionSummary(
            counts=MappingProxyType({rating: counts[rating] for rating in Rating}),
            answers=len(self.answers),
            cards_reviewed=len({card for card, _ in self.answers}),
            cards_left=len(self.queue),
        )

"""The rating log's domain: one event per answer, and which events count.

Events are append-only; a member changes their mind by adding an event, and takes it back by
retracting one. On a post, the *effective* rating of a member is their latest non-retracted
event there (a reaction still on the message, or the button they pressed last). Events without
a post (a private review session) each count unless retracted. A member's schedule of a card
is always the replay of their effective events, in the order they were answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.core.models import CardRef, Rating


class RatingSource(StrEnum):
    """How an answer reached the bot."""

    REACTION = "reaction"
    BUTTON = "button"
    # Found on a message while catching up after downtime, not delivered as an event.
    RECONCILE = "reconcile"


@dataclass(frozen=True, slots=True)
class RatingEvent:
    """One answer of one member to one card. `id` is assigned when the event is stored."""

    guild_id: int
    user_id: int
    deck_id: str
    card_id: str
    rating: Rating
    rated_at: datetime
    study_date: date
    source: RatingSource
    post_id: int | None = None
    retracted: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        if self.rated_at.tzinfo is None:
            raise ValueError("RatingEvent.rated_at must be an aware UTC datetime")

    @property
    def card(self) -> CardRef:
        return CardRef(self.deck_id, self.card_id)


def effective_events(events: Iterable[RatingEvent]) -> list[RatingEvent]:
    """The events that count, in answer order (rated_at, then arrival).

    `events` must be in arrival order (stored id order): "latest on a post" means the last
    one to arrive, since a reconciled event may carry a later timestamp than a live one.
    """
    kept: dict[tuple[int, int] | int, tuple[int, RatingEvent]] = {}
    for arrival, event in enumerate(events):
        if event.retracted:
            continue
        # Post-less events never replace each other, so each gets a key of its own.
        key = (event.post_id, event.user_id) if event.post_id is not None else arrival
        kept[key] = (arrival, event)
    ordered = sorted(kept.values(), key=lambda pair: (pair[1].rated_at, pair[0]))
    return [event for _, event in ordered]

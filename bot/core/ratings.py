"""The rating log's domain: one event per answer, and which events count.

Events are append-only; a member changes their mind by adding an event, and takes it back by
retracting one. On a post, the *effective* rating of a member is their latest non-retracted
event there (a reaction still on the message, or the button they pressed last). Events without
a post (a private review session) each count unless retracted. A member's schedule of a card
is always the replay of their effective events, in the order they were answered.

What recording or retracting an event does is decided here (`plan_rating`, `plan_retraction`)
from the member's live events of the card, which storage reads; storage only applies the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


class StateChange(StrEnum):
    """How the member's state of the card follows a recorded or retracted event."""

    # Nothing that counts changed: the stored state stands.
    KEEP = "keep"
    # The new event is the member's latest answer to the card and replaces none: reviewing
    # the stored state with it gives the same state as the replay.
    REVIEW = "review"
    # An effective event went or was replaced, or the new one arrived after a later answer:
    # only the replay of the effective events gives the right state.
    REPLAY = "replay"


@dataclass(frozen=True, slots=True)
class RatingPlan:
    """What to do to the rating log and the member's schedule of one card."""

    # Ids of live events to mark retracted.
    retract: tuple[int, ...] = ()
    # Whether the new event is stored.
    insert: bool = False
    state: StateChange = StateChange.KEEP

    @property
    def changed(self) -> bool:
        return self.insert or bool(self.retract)


def plan_rating(event: RatingEvent, live: Sequence[RatingEvent]) -> RatingPlan:
    """What recording `event` does, given `live`: the member's unretracted events of the
    event's card, as stored, in arrival order. Only those on the event's post and those
    answered after it change the plan, so `live` may be just these.

    - A value the member already has live on the post is not stored again: a gateway event
      delivered twice, or found again by reconciliation, is one event.
    - A button press replaces the member's earlier choice on the post (buttons are one
      choice): their other live events there are retracted. Reactions accumulate, as on
      Discord.
    - A new event on a post where the member has a live one replaces that as effective, so
      the state is replayed; so it is when a later answer to the card is already stored
      (a late event found by reconciliation after downtime).
    """
    if event.id is not None or event.retracted:
        raise ValueError("a rating to record must be a new, unretracted event")
    if not live:  # the common case, a member's first answer on a post: kept cheap
        return _FIRST_ANSWER
    on_post = [e for e in live if event.post_id is not None and e.post_id == event.post_id]
    retract = (
        _ids(e for e in on_post if e.rating != event.rating)
        if event.source is RatingSource.BUTTON
        else ()
    )
    if any(e.rating == event.rating for e in on_post):
        return RatingPlan(retract, False, StateChange.REPLAY if retract else StateChange.KEEP)
    answered_later = any(e.rated_at > event.rated_at for e in live)
    replays = bool(on_post) or answered_later
    return RatingPlan(retract, True, StateChange.REPLAY if replays else StateChange.REVIEW)


_FIRST_ANSWER = RatingPlan(insert=True, state=StateChange.REVIEW)


def plan_retraction(post_id: int, rating: Rating, live: Sequence[RatingEvent]) -> RatingPlan:
    """What removing reaction `rating` from a post does, given the member's live events of
    the post's card (as for `plan_rating`): every live event of that value on the post is
    retracted, and the latest remaining one there (a reaction still on it) counts again."""
    retract = _ids(e for e in live if e.post_id == post_id and e.rating == rating)
    return RatingPlan(retract, False, StateChange.REPLAY if retract else StateChange.KEEP)


def _ids(events: Iterable[RatingEvent]) -> tuple[int, ...]:
    ids: list[int] = []
    for event in events:
        if event.id is None:
            raise ValueError("live events must be stored events, with ids")
        ids.append(event.id)
    return tuple(ids)

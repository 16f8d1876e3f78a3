"""Builders for domain values in tests: fixed instants, small defaults, overridable fields."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.core.models import Card, Deck, Rating
from bot.core.ratings import RatingEvent, RatingSource

# py-fsrs pins its tests to one instant too.
T0 = datetime(2026, 3, 15, 7, 55, tzinfo=UTC)
GUILD = 100
USER = 200


def make_event(
    rating: Rating | int = Rating.MOSTLY,
    *,
    rated_at: datetime = T0,
    study_date: date | None = None,
    **fields: Any,
) -> RatingEvent:
    values: dict[str, Any] = {
        "guild_id": GUILD,
        "user_id": USER,
        "deck_id": "dl",
        "card_id": "c1",
        "source": RatingSource.REACTION,
    }
    values.update(fields)
    return RatingEvent(
        rating=Rating(rating),
        rated_at=rated_at,
        study_date=study_date or rated_at.date(),
        **values,
    )


def make_deck(deck_id: str = "dl", card_ids: tuple[str, ...] = ("c1", "c2", "c3")) -> Deck:
    cards = tuple(
        Card(id=card_id, question=f"Q {card_id}", answer=f"A {card_id}") for card_id in card_ids
    )
    return Deck(id=deck_id, name=deck_id.upper(), cards=cards)

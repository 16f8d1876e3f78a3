"""Messages the bot posted with a card on them, which members answer by reaction or button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.models import CardRef


class PostKind(StrEnum):
    QUIZ = "quiz"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class Post:
    """A card posted to a channel; keyed by its Discord message id."""

    message_id: int
    guild_id: int
    channel_id: int
    deck_id: str
    card_id: str
    kind: PostKind
    posted_at: datetime
    revealed_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.posted_at.tzinfo is None:
            raise ValueError("Post.posted_at must be an aware UTC datetime")

    @property
    def card(self) -> CardRef:
        return CardRef(self.deck_id, self.card_id)

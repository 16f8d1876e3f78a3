"""A card members flagged as wrong, as deck managers see it in `/deck flags`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.models import CardRef


@dataclass(frozen=True, slots=True)
class FlaggedCard:
    """A card with open flags in one guild: how many members flag it, and since when."""

    card: CardRef
    members: int
    first_flagged_at: datetime
    last_flagged_at: datetime

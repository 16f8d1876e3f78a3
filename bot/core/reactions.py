"""The emoji members react with: one table from keycap emoji to Brainscape's 1-5 rating, and
the 🚩 that flags a card as wrong (never a rating)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.core.models import Rating

RATING_EMOJI: Mapping[Rating, str] = MappingProxyType(
    {
        Rating.NOT_AT_ALL: "1\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}",
        Rating.BARELY: "2\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}",
        Rating.SOMEWHAT: "3\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}",
        Rating.MOSTLY: "4\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}",
        Rating.PERFECTLY: "5\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}",
    }
)
EMOJI_RATING: Mapping[str, Rating] = MappingProxyType({e: r for r, e in RATING_EMOJI.items()})
FLAG_EMOJI = "\N{TRIANGULAR FLAG ON POST}"


def is_flag(emoji: str) -> bool:
    """Whether a reaction flags the card as wrong (with or without a variation selector)."""
    return emoji.removesuffix("\N{VARIATION SELECTOR-16}") == FLAG_EMOJI


def rating_for(emoji: str) -> Rating | None:
    """The rating a reaction stands for; None for any other emoji.

    Some clients send keycaps without the variation selector; both spellings count.
    """
    return EMOJI_RATING.get(emoji) or EMOJI_RATING.get(_with_selector(emoji))


def _with_selector(emoji: str) -> str:
    if len(emoji) == 2 and emoji[1] == "\N{COMBINING ENCLOSING KEYCAP}":
        return emoji[0] + "\N{VARIATION SELECTOR-16}" + emoji[1]
    return emoji

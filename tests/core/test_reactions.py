from __future__ import annotations

import pytest

from bot.core.models import Rating
from bot.core.reactions import RATING_EMOJI, is_flag, rating_for


@pytest.mark.parametrize(
    ("emoji", "rating"),
    [("1️⃣", 1), ("2️⃣", 2), ("3️⃣", 3), ("4️⃣", 4), ("5️⃣", 5), ("3⃣", 3)],
)
def test_rating_for_keycaps(emoji: str, rating: int) -> None:
    assert rating_for(emoji) == Rating(rating)


@pytest.mark.parametrize("emoji", ["👀", "6️⃣", "0️⃣", "1", "⭐", ""])
def test_rating_for_other_emoji_is_none(emoji: str) -> None:
    assert rating_for(emoji) is None


def test_rating_emoji_round_trip() -> None:
    assert [rating_for(RATING_EMOJI[r]) for r in Rating] == list(Rating)


@pytest.mark.parametrize(
    ("emoji", "flag"),
    [
        ("\N{TRIANGULAR FLAG ON POST}", True),
        ("\N{TRIANGULAR FLAG ON POST}\ufe0f", True),
        ("\N{EYES}", False),
        ("1\ufe0f\N{COMBINING ENCLOSING KEYCAP}", False),
        ("\N{CROSSED FLAGS}", False),
    ],
)
def test_is_flag_only_the_triangular_flag(emoji: str, flag: bool) -> None:
    assert is_flag(emoji) is flag
    if flag:
        assert rating_for(emoji) is None  # a flag is never a rating

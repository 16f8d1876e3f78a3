"""The emoji check behind `quiz.reveal_emoji`: one Unicode emoji or one custom emoji."""

from __future__ import annotations

import pytest

from bot.core.emoji import is_emoji_character, is_reaction_emoji

VALID = {
    "eyes": "👀",
    "magnifier": "🔍",
    "heart-with-selector": "❤️",
    "heart-bare": "❤",
    "copyright-with-selector": "©️",
    "keycap": "1️⃣",
    "keycap-without-selector": "#⃣",
    "skin-tone": "👍🏽",
    "zwj-family": "👨‍👩‍👧‍👦",
    "zwj-with-selector": "🏳️‍🌈",
    "zwj-with-skin-tones": "🧑🏻‍🤝‍🧑🏿",
    "flag": "🇩🇰",
    "regional-indicator": "🇦",
    "tag-sequence-scotland": "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "emoji-15": "🫨",
    "custom": "<:flashdrop:123456789012345678>",
    "custom-animated": "<a:spin_2:123456789012345678>",
}

INVALID = {
    "letters": "abc",
    "empty": "",
    "digit": "1",
    "hash": "#",
    "two-emoji": "👀👀",
    "emoji-and-letter": "👀a",
    "space-around": " 👀",
    "star-not-emoji": "★",
    "text-selector": "❤\ufe0e",
    "lone-zwj": "\u200d",
    "dangling-zwj": "👀\u200d",
    "lone-selector": "\ufe0f",
    "three-indicators": "🇩🇰🇦",
    "tag-without-cancel": "🏴\U000e0067\U000e0062",
    "keycap-on-letter": "a️⃣",
    "shortcode": ":eyes:",
    "custom-without-id": "<:flashdrop:>",
    "custom-short-id": "<:flashdrop:123>",
    "custom-bad-name": "<:flash drop:123456789012345678>",
    "custom-unclosed": "<:flashdrop:123456789012345678",
    "unassigned-in-block": "\U0001f6d9",
}


@pytest.mark.parametrize("text", VALID.values(), ids=VALID)
def test_is_reaction_emoji_accepts(text: str) -> None:
    assert is_reaction_emoji(text)


@pytest.mark.parametrize("text", INVALID.values(), ids=INVALID)
def test_is_reaction_emoji_refuses(text: str) -> None:
    assert not is_reaction_emoji(text)


@pytest.mark.parametrize(
    ("char", "expected"),
    [("\u00a9", True), ("\u00a8", False), ("\U0001f600", True), ("\U0001f64f", True),
     ("\U0001f650", False), ("\U0001faf8", True), ("\U0001faf9", False), ("A", False)],
)  # fmt: skip
def test_is_emoji_character_range_edges(char: str, expected: bool) -> None:
    assert is_emoji_character(char) is expected

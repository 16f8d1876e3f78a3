"""How cards look: spoilers, and the answer and hint embeds of a posted card."""

from __future__ import annotations

import pytest

from bot.core.models import Card
from bot.messages.cards import (
    PRIVATE_ANSWER,
    PRIVATE_HINT,
    answer_embed,
    hint_embed,
    spoiler,
)
from bot.messages.study import RATING_PROMPT

CODE = "use:\n```py\nx = 1\n```"


def test_spoiler_with_code_is_none_and_plain_text_is_spoilered() -> None:
    assert spoiler(" Copenhagen ") == "||Copenhagen||"
    assert spoiler(CODE) is None
    assert spoiler("a || b") is None


@pytest.mark.parametrize(
    ("answer", "spoiler_answers", "shown"),
    [
        (" Copenhagen ", True, "||Copenhagen||"),
        (CODE, True, PRIVATE_ANSWER),  # Discord shows a code block inside a spoiler
        (" Copenhagen ", False, "Copenhagen"),
        (CODE, False, CODE),
    ],
)
def test_answer_embed_hides_a_plain_answer_and_offers_code_privately(
    answer: str, spoiler_answers: bool, shown: str
) -> None:
    embed = answer_embed(Card("dk", "Capital?", answer), spoiler_answers=spoiler_answers)
    assert (embed.title, embed.description) == ("Answer", f"{shown}\n\n{RATING_PROMPT}")
    assert embed.image.url is None


def test_answer_embed_shows_the_cards_image() -> None:
    card = Card("dk", "Capital?", "Copenhagen", image="https://example.com/dk.png")
    assert answer_embed(card, spoiler_answers=True).image.url == "https://example.com/dk.png"


@pytest.mark.parametrize(
    ("hint", "shown"),
    [(" Starts with C ", "Hint: ||Starts with C||"), (CODE, PRIVATE_HINT)],
)
def test_hint_embed_hides_a_plain_hint_and_offers_code_privately(hint: str, shown: str) -> None:
    embed = hint_embed(Card("dk", "Capital?", "Copenhagen", hint=hint))
    assert embed is not None and embed.description == shown


def test_hint_embed_of_an_image_only_shows_the_image() -> None:
    embed = hint_embed(Card("dk", "Capital?", "Copenhagen", image="https://example.com/dk.png"))
    assert embed is not None and embed.description is None
    assert embed.image.url == "https://example.com/dk.png"


def test_hint_embed_without_hint_or_image_is_none() -> None:
    assert hint_embed(Card("dk", "Capital?", "Copenhagen")) is None

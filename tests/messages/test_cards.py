"""How cards look: spoilers, and the answer and hint embeds of a posted card."""

from __future__ import annotations

import pytest

from bot.core.models import Card
from bot.messages.cards import (
    PRIVATE_ANSWER,
    PRIVATE_HINT,
    answer_embed,
    attachment_name,
    attachment_url,
    hint_embed,
    is_web_image,
    review_page,
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


@pytest.mark.parametrize("url", ["https://example.com/dk.png", "attachment://dk.png"])
def test_answer_embed_shows_the_image_it_is_given(url: str) -> None:
    card = Card("dk", "Capital?", "Copenhagen", image="https://example.com/dk.png")
    assert answer_embed(card, spoiler_answers=True, image_url=url).image.url == url


@pytest.mark.parametrize(
    ("hint", "shown"),
    [(" Starts with C ", "Hint: ||Starts with C||"), (CODE, PRIVATE_HINT)],
)
def test_hint_embed_hides_a_plain_hint_and_offers_code_privately(hint: str, shown: str) -> None:
    embed = hint_embed(Card("dk", "Capital?", "Copenhagen", hint=hint))
    assert embed is not None and embed.description == shown


def test_hint_embed_of_an_image_only_shows_the_image() -> None:
    card = Card("dk", "Capital?", "Copenhagen", image="dk.media/map.png")
    embed = hint_embed(card, image_url="attachment://map.png")
    assert embed is not None and embed.description is None
    assert embed.image.url == "attachment://map.png"


def test_hint_embed_without_hint_or_image_is_none() -> None:
    assert hint_embed(Card("dk", "Capital?", "Copenhagen")) is None
    # An image that could not be loaded (no URL to show) makes no embed either.
    assert hint_embed(Card("dk", "Capital?", "Copenhagen", image="gone.png")) is None


@pytest.mark.parametrize(
    ("image", "name"),
    [
        ("python-basics.media/diagram.png", "diagram.png"),
        ("media/my diagram (1).png", "my_diagram_1_.png"),
        ("media\\win.png", "win.png"),
        ("media/日本.png", "_.png"),
        ("media/...", "image"),
    ],
)
def test_attachment_name_is_the_file_name_made_safe_for_discord(image: str, name: str) -> None:
    assert attachment_name(image) == name
    assert attachment_url(name) == f"attachment://{name}"


@pytest.mark.parametrize(
    ("image", "web"),
    [("https://e.org/a.png", True), ("HTTP://e.org/a.png", True), ("d.media/a.png", False)],
)
def test_is_web_image(image: str, web: bool) -> None:
    assert is_web_image(image) is web


def test_review_page_shows_the_image_it_is_given() -> None:
    page = review_page("D", "Q", "A", revealed=False, cards_left=1, image_url="attachment://a.png")
    assert page.image.url == "attachment://a.png"
    assert review_page("D", "Q", "A", revealed=False, cards_left=1).image.url is None

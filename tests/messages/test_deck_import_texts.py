"""The texts of `/deck import`: refusals fit one Discord message, previews fit an embed."""

from __future__ import annotations

from bot.core.models import Card, Deck
from bot.messages import decks as texts


def test_import_failed_lists_problems_within_one_message() -> None:
    problems = [f"deck.csv:{n}: missing answer" for n in range(1, 501)]
    text = texts.import_failed("deck.csv", problems)
    assert len(text) <= 2000
    assert "deck.csv:1: missing answer\ndeck.csv:2: missing answer" in text
    assert "… and " in text and text.endswith(" more\n```")


def test_import_failed_shows_every_problem_when_they_fit() -> None:
    text = texts.import_failed("x.yaml", ["x.yaml:3: card 'a': missing answer"])
    assert text == (
        "Could not import `x.yaml`; nothing was changed.\n"
        "```\nx.yaml:3: card 'a': missing answer\n```"
    )


def test_import_preview_fits_embed_limits_for_long_cards() -> None:
    cards = tuple(Card(id=f"c{n}", question="Q" * 900, answer="A" * 900) for n in range(40))
    embed = texts.import_preview("big.csv", Deck(id="big", name="Big", cards=cards), None)
    fields = {field.name: field.value or "" for field in embed.fields}
    assert len(fields["First cards"]) <= 1024 and fields["First cards"].endswith("… and 36 more")
    assert fields["Cards"] == "40"

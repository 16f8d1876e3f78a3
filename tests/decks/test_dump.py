"""dump_deck writes YAML that parse_deck reads back to an equal deck."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.card_types import expand
from bot.core.models import MAX_ANSWER_CHARS, Card, CardKind, Deck, Note
from bot.decks import dump_deck, parse_deck
from bot.decks.rules import check_text

TRICKY = [
    "  leading spaces",
    "key: value",
    "# not a comment",
    "text # not a comment either",
    "ünïcødé, 日本語 and 🎉",
    "one trailing newline\n",
    "two trailing newlines\n\n",
    "yes",
    "no",
    "on",
    "1",
    "0x1F",
    "1e3",
    "null",
    "~",
    "2024-01-01",
    "line one\n  indented\nline three",
    "  indented first line\nsecond",
    "\nstarts with a newline",
    "trailing space \nnext line",
    "- looks like a list",
    "[looks, like, a, list]",
    "{a: mapping}",
    "*alias",
    "&anchor",
    "!tag",
    "|pipe",
    ">fold",
    "'single' and \"double\" quotes",
    "tab\there",
    "line\u2028separator",
    "next\x85line",
    "bell\x07",
    "---",
    "...",
]


def deck_of(texts: list[str]) -> Deck:
    cards = tuple(
        Card(f"c{index}", text, text, hint=text[:300], tags=("t",))
        for index, text in enumerate(texts)
    )
    return Deck("tricky", "Tricky: yes", cards, description="two\nlines\n", tags=("x", "no"))


@pytest.mark.parametrize("text", TRICKY)
def test_dump_deck_round_trips_tricky_text(text: str) -> None:
    deck = deck_of([text])
    assert parse_deck(dump_deck(deck), "decks/tricky.yaml") == deck


def test_dump_deck_writes_multi_line_text_as_block_literal() -> None:
    deck = Deck("d", "D", (Card("a", "Q?", "line one\nline two"),))
    assert dump_deck(deck) == (
        "name: D\ncards:\n- id: a\n  question: Q?\n  answer: |-\n    line one\n    line two\n"
    )


def test_dump_deck_separates_cards_with_blank_lines_and_omits_empty_fields() -> None:
    deck = Deck("d", "D", (Card("a", "Q1", "A1"), Card("b", "Q2", "A2", tags=("x", "y"))))
    assert dump_deck(deck) == (
        "name: D\ncards:\n"
        "- id: a\n  question: Q1\n  answer: A1\n"
        "\n"
        "- id: b\n  question: Q2\n  answer: A2\n  tags: [x, y]\n"
    )


def test_dump_deck_writes_no_anchors_for_shared_values() -> None:
    tags = ("shared",)
    deck = Deck("d", "D", (Card("a", "Q1", "A1", tags=tags), Card("b", "Q2", "A2", tags=tags)))
    assert "&" not in dump_deck(deck)
    assert parse_deck(dump_deck(deck), "d.yaml") == deck


card_text = st.text(min_size=1, max_size=200).filter(
    lambda text: check_text("text", text, MAX_ANSWER_CHARS) is None
)


@settings(deadline=None)
@given(st.lists(card_text, min_size=1, max_size=5))
def test_dump_deck_round_trips_any_valid_text(texts: list[str]) -> None:
    cards = tuple(Card(f"c{index}", text, text) for index, text in enumerate(texts))
    deck = Deck("any", "Any", cards)
    assert parse_deck(dump_deck(deck), "any.yaml") == deck


MIXED = """\
name: Mixed
cards:
- id: plain
  question: Q1
  answer: A1
  hint: a hint

- id: dk
  type: reversed
  question: Capital of Denmark?
  answer: Copenhagen
  hint: C…
  tags: [geo]

- id: water
  type: cloze
  question: Water boils at {{c1::100 °C}} and freezes at {{c2::0 °C::a round number}}.
  answer: At sea level.
  image: https://example.com/water.png

- id: short
  type: cloze
  question: '{{c1::Oslo}} is in Norway.'
"""


def test_dump_deck_writes_each_entry_once_with_its_type() -> None:
    deck = parse_deck(MIXED, "decks/mixed.yaml")
    assert [card.id for card in deck.cards] == [
        "plain",
        "dk",
        "dk-reverse",
        "water-c1",
        "water-c2",
        "short-c1",
    ]
    assert dump_deck(deck) == MIXED


def test_dump_deck_round_trips_every_card_type_with_the_same_ids() -> None:
    deck = parse_deck(MIXED, "decks/mixed.yaml")
    again = parse_deck(dump_deck(deck), "decks/mixed.yaml")
    assert again == deck
    assert [card.id for card in again.cards] == [card.id for card in deck.cards]


def test_dump_deck_of_expanded_notes_parses_back_to_the_same_cards() -> None:
    notes = [
        Note("r", CardKind.REVERSED, "front", "back", tags=("t",)),
        Note("c", CardKind.CLOZE, "{{c2::b}} then {{c1::a::first}}", "extra"),
    ]
    deck = Deck("d", "D", tuple(card for note in notes for card in expand(note)))
    assert parse_deck(dump_deck(deck), "d.yaml") == deck

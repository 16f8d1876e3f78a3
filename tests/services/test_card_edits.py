"""The deck an added or edited card makes: ids kept, typed entries edited as their note, and
every text checked by the deck file validator."""

from __future__ import annotations

import pytest

from bot.decks import DeckError, parse_deck
from bot.services.card_edits import CardText, added, edited, modal_text, new_card_id

GUILD = 7
DECK = """\
name: Mixed
cards:
  - id: basic
    question: What is 2+2?
    answer: "4"
    hint: even
  - id: capital
    type: reversed
    question: France
    answer: Paris
  - id: cl
    type: cloze
    question: "{{c1::Oslo}} is the capital of {{c2::Norway}}"
    answer: Scandinavia
"""


def deck():
    return parse_deck(DECK, "guild-7/mixed.yaml")


def test_modal_text_of_a_typed_card_is_its_entry() -> None:
    d = deck()
    assert modal_text(d.card("basic")) == CardText("What is 2+2?", "4", "even")
    assert modal_text(d.card("capital-reverse")) == CardText("France", "Paris", "")
    assert modal_text(d.card("cl-c2")) == CardText(
        "{{c1::Oslo}} is the capital of {{c2::Norway}}", "Scandinavia", ""
    )


def test_edited_basic_card_keeps_its_id_and_the_other_cards() -> None:
    d = deck()
    new = edited(GUILD, d, d.card("basic"), CardText("What is 3+3?", "6", ""))
    assert [c.id for c in new.cards] == [c.id for c in d.cards]
    card = new.card("basic")
    assert (card.question, card.answer, card.hint) == ("What is 3+3?", "6", None)
    assert new.card("capital") == d.card("capital")


def test_editing_a_reverse_card_edits_its_note_so_both_cards_change() -> None:
    d = deck()
    new = edited(GUILD, d, d.card("capital-reverse"), CardText("Italy", "Rome", ""))
    assert [c.id for c in new.cards] == [c.id for c in d.cards]
    assert (new.card("capital").question, new.card("capital").answer) == ("Italy", "Rome")
    assert new.card("capital-reverse").question == "Rome"


def test_editing_a_cloze_card_edits_the_cloze_text() -> None:
    d = deck()
    text = CardText("{{c1::Bergen}} is a city in {{c2::Norway}}", "", "")
    new = edited(GUILD, d, d.card("cl-c1"), text)
    assert [c.id for c in new.cards] == [c.id for c in d.cards]
    assert new.card("cl-c1").question == "[…] is a city in Norway"
    assert new.card("cl-c1").note.answer is None


@pytest.mark.parametrize(
    ("card_id", "text", "problem"),
    [
        ("basic", CardText("Q", "x" * 1801, ""), "answer"),
        ("cl-c1", CardText("no deletion here", "", ""), "cloze"),
        ("basic", CardText("   ", "a", ""), "question"),
    ],
)
def test_a_bad_edit_raises_the_validators_problem(
    card_id: str, text: CardText, problem: str
) -> None:
    d = deck()
    with pytest.raises(DeckError) as error:
        edited(GUILD, d, d.card(card_id), text)
    assert problem in str(error.value)
    assert str(error.value).startswith("guild-7/mixed.yaml")


def test_added_card_gets_a_stable_unique_id() -> None:
    d = deck()
    new, card = added(GUILD, d, CardText("What is 5+5?", "10", "two fives"))
    assert new.cards[-1] == card and card.hint == "two fives"
    assert card.id == new_card_id(d, CardText("What is 5+5?", "10"))  # same text, same id
    again, twin = added(GUILD, new, CardText("What is 5+5?", "10"))
    assert twin.id == card.id + "-2" and len(again.cards) == len(d.cards) + 2

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.card_types import expand
from bot.core.models import MAX_HINT_CHARS, CardKind, Note
from bot.services.card_edits import CardText, EditRefused, with_card_added, with_card_edited
from tests.core.factories import make_deck

PATH = "guild-1/dl.yaml"


def test_card_edits_edit_changes_only_that_card_and_keeps_its_id() -> None:
    deck = make_deck()
    edited = with_card_edited(deck, "c2", CardText("New Q", "New A", "a hint"), PATH)
    assert [card.id for card in edited.cards] == ["c1", "c2", "c3"]
    card = edited.card("c2")
    assert card is not None and (card.question, card.answer, card.hint) == (
        "New Q",
        "New A",
        "a hint",
    )
    assert edited.card("c1") == deck.card("c1") and edited.card("c3") == deck.card("c3")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (CardText("  ", "A"), "question is empty"),
        (CardText("Q", "A", "h" * (MAX_HINT_CHARS + 1)), "hint"),
    ],
)
def test_card_edits_edit_breaking_a_rule_is_refused(text: CardText, problem: str) -> None:
    with pytest.raises(EditRefused, match=problem) as refused:
        with_card_edited(make_deck(), "c1", text, PATH)
    assert str(refused.value).startswith("Nothing was saved: card 'c1':")


def test_card_edits_add_makes_a_stable_unique_id() -> None:
    deck = make_deck()
    first, card = with_card_added(deck, CardText("Q", "A"), PATH)
    again, same = with_card_added(deck, CardText("Q", "A"), PATH)
    assert card.id == same.id and card.id.startswith("c-") and first == again
    twice, second = with_card_added(first, CardText("Q", "A"), PATH)
    assert second.id == f"{card.id}-2" and len(twice.cards) == 5


def test_card_edits_refuse_a_card_of_a_reversed_entry() -> None:
    deck = make_deck()
    typed = expand(Note("n1", CardKind.REVERSED, "Q", "A"))
    deck = replace(deck, cards=(*deck.cards, *typed))
    with pytest.raises(EditRefused, match="reversed entry"):
        with_card_edited(deck, typed[0].id, CardText("X", "Y"), PATH)

"""How decks are described in Discord: `/deck info` and its counts per card type."""

from __future__ import annotations

from bot.core.card_types import expand
from bot.core.models import Card, CardKind, Deck, Note
from bot.messages.decks import deck_info, type_counts


def mixed_deck() -> Deck:
    notes = [
        Note("r1", CardKind.REVERSED, "f1", "b1"),
        Note("c1", CardKind.CLOZE, "{{c1::a}} {{c2::b}} {{c3::c}}"),
        Note("r2", CardKind.REVERSED, "f2", "b2"),
        Note("c2", CardKind.CLOZE, "{{c1::a}} and {{c1::again}}"),
    ]
    cards = (Card("b1", "Q", "A"), *(card for note in notes for card in expand(note)))
    return Deck("mixed", "Mixed", (*cards, Card("b2", "Q", "A")))


def test_type_counts_counts_entries_and_the_cards_they_make() -> None:
    assert type_counts(mixed_deck()) == "2 basic, 2 reversed (4 cards), 2 cloze (4 cards)"


def test_type_counts_of_one_cloze_card() -> None:
    deck = Deck("d", "D", expand(Note("c", CardKind.CLOZE, "{{c1::x}}")))
    assert type_counts(deck) == "1 cloze (1 card)"


def test_deck_info_shows_card_count_and_types() -> None:
    embed = deck_info(mixed_deck())
    assert {field.name: field.value for field in embed.fields}["Cards"] == (
        "10: 2 basic, 2 reversed (4 cards), 2 cloze (4 cards)"
    )


def test_deck_info_of_basic_cards_is_the_count_alone() -> None:
    deck = Deck("d", "D", (Card("a", "Q", "A"), Card("b", "Q", "A")))
    assert {field.name: field.value for field in deck_info(deck).fields}["Cards"] == "2"

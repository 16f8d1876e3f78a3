"""Building a guild deck's next version from one card added or edited through the modal.

One home for that: the new deck goes through the deck-file validator (dumped as the deck's
YAML and parsed back, so a modal edit meets exactly the rules a deck file does) and keeps
every other card, and the edited card's id, as they were; `catalog.save` then keeps schedules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.models import Card, Deck
from bot.decks import DeckError
from bot.decks.deckfile import parse_deck
from bot.decks.dump import dump_deck
from bot.decks.importers.common import content_id
from bot.messages import cards_editing as texts


class EditRefused(Exception):
    """An add or edit that cannot be made; its text is what the deck manager is told."""


@dataclass(frozen=True, slots=True)
class CardText:
    """What the modal holds; an empty hint is no hint."""

    question: str
    answer: str
    hint: str | None = None


def with_card_edited(deck: Deck, card_id: str, text: CardText, path: str) -> Deck:
    """`deck` with basic card `card_id` holding `text`; raises EditRefused if it breaks a rule,
    EditRefused for a card made from a reversed or cloze entry (edit the deck file)."""
    card = deck.card(card_id)
    if card is not None and card.note is not None:
        raise EditRefused(texts.typed_card(deck, card))
    cards = tuple(
        replace(card, question=text.question, answer=text.answer, hint=text.hint or None)
        if card.id == card_id
        else card
        for card in deck.cards
    )
    return _validated(replace(deck, cards=cards), path)


def with_card_added(deck: Deck, text: CardText, path: str) -> tuple[Deck, Card]:
    """`deck` with a new basic card at its end, its id made from its text like an imported
    card's (numbered if the deck has it already); raises EditRefused if it breaks a rule."""
    base, taken = content_id(text.question, text.answer), {card.id for card in deck.cards}
    card_id, n = base, 1
    while card_id in taken:
        n += 1
        card_id = f"{base}-{n}"
    card = Card(card_id, text.question, text.answer, hint=text.hint or None)
    edited = _validated(replace(deck, cards=(*deck.cards, card)), path)
    found = edited.card(card_id)
    assert found is not None  # parse_deck keeps every card's id
    return edited, found


def _validated(deck: Deck, path: str) -> Deck:
    """The deck as its file would load; a broken rule is refused with the rule's words (the
    line numbers of a YAML the member never saw would not help)."""
    try:
        return parse_deck(dump_deck(deck), path)
    except DeckError as error:
        problems = "; ".join(problem.message for problem in error.problems)
        raise EditRefused(texts.bad_edit(problems)) from error

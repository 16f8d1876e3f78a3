"""What a deck manager is told when changing cards: the card modal, suspend and unsuspend."""

from __future__ import annotations

from bot.core.models import Card, Deck


def no_such_card(deck_id: str, card_id: str) -> str:
    return f"No card `{card_id}` in deck `{deck_id}`."


def suspended(deck: Deck, card: Card) -> str:
    return (
        f"Card `{card.id}` of **{deck.name}** is suspended: it is no longer posted or reviewed."
        " Its history and schedules are kept; `/card unsuspend` brings it back."
    )


def already_suspended(deck: Deck, card: Card) -> str:
    return f"Card `{card.id}` of **{deck.name}** is already suspended."


def unsuspended(deck: Deck, card: Card) -> str:
    return f"Card `{card.id}` of **{deck.name}** is back, with its schedules as they were."


def not_suspended(deck: Deck, card: Card) -> str:
    return f"Card `{card.id}` of **{deck.name}** is not suspended."


MODAL_ADD_TITLE = "Add a card"
MODAL_EDIT_TITLE = "Edit card"
QUESTION_LABEL = "Question"
ANSWER_LABEL = "Answer"
HINT_LABEL = "Hint (optional)"


def library_deck(deck: Deck) -> str:
    return (
        f"**{deck.name}** (`{deck.id}`) is a library deck, the host's file: its cards cannot be"
        " changed here. Import a copy with `/deck import` to edit it."
    )


def typed_card(deck: Deck, card: Card) -> str:
    return (
        f"Card `{card.id}` of **{deck.name}** is made from a {card.kind} entry (`{card.note_id}`);"
        " edit that entry in the deck file and re-import it with `/deck import replace:True`."
    )


def bad_edit(problems: str) -> str:
    return f"Nothing was saved: {problems}"


def card_added(deck: Deck, card: Card) -> str:
    return f"Added card `{card.id}` to **{deck.name}**."


def card_saved(deck: Deck, card: Card) -> str:
    return f"Saved card `{card.id}` of **{deck.name}**; everyone's schedule of it is kept."


NOT_A_POST = "That message is not a card the bot posted here."

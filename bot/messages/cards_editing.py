"""What a deck manager is told when changing cards: `/card suspend` and `/card unsuspend`."""

from __future__ import annotations

from bot.core.models import Card, Deck


def no_such_card(deck_id: str, card_id: str) -> str:
    return f"No card `{card_id}` in deck `{deck_id}`."


def card_choice_label(card: Card) -> str:
    """How a card appears in autocomplete (Discord allows 100 characters)."""
    return f"{card.id}: {card.question}"[:100]


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

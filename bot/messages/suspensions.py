"""What `/card suspend` and `/card unsuspend` say."""

from __future__ import annotations

from bot.core.models import CardRef


def shown(card: CardRef) -> str:
    return f"`{card.deck_id}/{card.card_id}`"


def no_such_card(card: CardRef) -> str:
    return f"Deck `{card.deck_id}` has no card `{card.card_id}`."


def suspended(card: CardRef) -> str:
    return (
        f"Suspended {shown(card)}: it leaves `/quiz`, drops, `/review` and `/due` here;"
        " everyone's history and schedule of it are kept. `/card unsuspend` brings it back."
    )


def already_suspended(card: CardRef) -> str:
    return f"{shown(card)} is already suspended here."


def unsuspended(card: CardRef) -> str:
    return f"{shown(card)} is studied here again, with everyone's schedule as it was."


def not_suspended(card: CardRef) -> str:
    return f"{shown(card)} is not suspended here."

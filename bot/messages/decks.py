"""The decks a group can study: `/deck list`, `/deck info`, autocomplete and unknown decks."""

from __future__ import annotations

import discord

from bot.core.models import CardKind, Deck

NO_DECKS = "No decks are loaded."
NO_CARDS = "There are no cards to post."


def card_count(n: int) -> str:
    return f"{n} card" if n == 1 else f"{n} cards"


def no_such_deck(deck_id: str) -> str:
    return f"No deck `{deck_id}`."


def no_such_deck_hint(deck_id: str) -> str:
    return f"No deck `{deck_id}`: see `/deck list`."


def choice_label(deck: Deck) -> str:
    """How a deck appears in autocomplete (Discord allows 100 characters)."""
    return f"{deck.name} ({deck.id})"[:100]


def deck_list(decks: list[Deck]) -> discord.Embed:
    lines = [f"**{d.name}** (`{d.id}`): {card_count(len(d.cards))}" for d in decks]
    return discord.Embed(title="Decks", description="\n".join(lines)[:4096])


def type_counts(deck: Deck) -> str:
    """Entries per card type, with the cards they make: "12 basic, 4 reversed (8 cards)"."""
    notes: dict[CardKind, set[str]] = {kind: set() for kind in CardKind}
    cards = dict.fromkeys(CardKind, 0)
    for card in deck.cards:
        notes[card.kind].add(card.note_id)
        cards[card.kind] += 1
    parts = [
        f"{len(notes[kind])} {kind}"
        if kind is CardKind.BASIC
        else f"{len(notes[kind])} {kind} ({card_count(cards[kind])})"
        for kind in CardKind
        if cards[kind]
    ]
    return ", ".join(parts)


def deck_info(deck: Deck) -> discord.Embed:
    embed = discord.Embed(title=deck.name, description=deck.description or "")
    # A deck of basic cards only is its card count; other types say what made the cards.
    if all(card.kind is CardKind.BASIC for card in deck.cards):
        cards = str(len(deck.cards))
    else:
        cards = f"{len(deck.cards)}: {type_counts(deck)}"
    embed.add_field(name="Cards", value=cards)
    embed.add_field(name="Id", value=f"`{deck.id}`")
    if deck.tags:
        embed.add_field(name="Tags", value=", ".join(deck.tags))
    return embed


def posted_from(deck: Deck) -> str:
    return f"Posted a card from **{deck.name}**."

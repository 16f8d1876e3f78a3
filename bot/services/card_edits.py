"""One card of a guild's deck added or edited from Discord (`/card add`, `/card edit`, the
"Edit card" menu): the texts the modal shows and the deck the submitted texts make.

The edited deck is written out and read back through the deck file validator (`parse_deck`),
so a modal accepts exactly what a deck file would, with the same messages. A card keeps its id,
so every member's schedule stays. A card made from a reversed or cloze entry edits that entry
(its note): a reversed note's question and answer, a cloze note's text and extra; every card of
the entry changes with it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from bot.core.card_types import expand
from bot.core.models import Card, Deck, Note
from bot.decks import dump_deck, parse_deck
from bot.decks.importers.anki import media_file_name
from bot.decks.importers.common import content_id
from bot.services.catalog import guild_deck_path


@dataclass(frozen=True, slots=True)
class CardText:
    """What the modal holds: a blank answer or hint is none."""

    question: str
    answer: str
    hint: str = ""


def modal_text(card: Card) -> CardText:
    """The texts the modal opens with: the card's own, or its entry's (a cloze card shows the
    cloze text and the extra, a reverse card its note's front and back)."""
    source = card.note if card.note is not None else card
    return CardText(source.question, source.answer or "", source.hint or "")


def new_card_id(deck: Deck, text: CardText) -> str:
    """A stable id for a new card: its content's hash, as importers give (numbered when the
    deck already has it), never the clock or the row order."""
    taken = {card.id for card in deck.cards} | {card.note_id for card in deck.cards}
    base = content_id(text.question, text.answer)
    card_id, n = base, 1
    while card_id in taken:
        n += 1
        card_id = f"{base}-{n}"
    return card_id


def added(guild_id: int, deck: Deck, text: CardText, image: str | None = None) -> tuple[Deck, Card]:
    """`deck` with a new basic card of `text` (showing `image`) at its end, checked like a
    deck file. Raises DeckError saying what is wrong."""
    card = Card(new_card_id(deck, text), text.question, text.answer, text.hint or None)
    card = replace(card, image=image)
    checked = _checked(guild_id, replace(deck, cards=(*deck.cards, card)))
    found = checked.card(card.id)
    assert found is not None  # the validator keeps every card it accepts
    return checked, found


def edited(guild_id: int, deck: Deck, card: Card, text: CardText) -> Deck:
    """`deck` with `card` (or its entry) holding `text`, checked like a deck file; every
    other card as it was. Raises DeckError saying what is wrong."""
    made = _remade(card, text)
    cards: list[Card] = []
    for other in deck.cards:
        if other.note_id != card.note_id:
            cards.append(other)
        elif made:
            cards.extend(made)  # the entry's cards where its first card was
            made = ()
    return _checked(guild_id, replace(deck, cards=tuple(cards)))


def _remade(card: Card, text: CardText) -> tuple[Card, ...]:
    hint = text.hint or None
    if card.note is None:
        return (replace(card, question=text.question, answer=text.answer, hint=hint),)
    note = replace(card.note, question=text.question, answer=text.answer or None, hint=hint)
    return _expanded(note)


def _expanded(note: Note) -> tuple[Card, ...]:
    # A bad cloze text or a missing answer is left for the validator to word, as in a file.
    try:
        return expand(note)
    except ValueError:
        return (Card(note.id, note.question, note.answer or "", note.hint, note=note),)


def _checked(guild_id: int, deck: Deck) -> Deck:
    return parse_deck(dump_deck(deck), guild_deck_path(guild_id, deck.id))


def image_name(data: bytes, filename: str) -> str | None:
    """The media file name of an image attached to `/card add`: its content's hash and its
    type's suffix, so the same picture is one file; None if it is no image file."""
    safe = media_file_name(filename)
    if safe is None:
        return None
    return hashlib.sha256(data).hexdigest()[:16] + PurePosixPath(safe).suffix

"""Siblings: the cards one deck entry makes (a reversed note's two sides, a cloze note's numbers).

A card shown right after its sibling is given away (its answer was just on screen), so a
channel's choice and a member's review session take one card of a note at a time, the way Anki
buries siblings: the others wait for another day or another drop. Pure: the caller says which
note each card comes from (`note_of`, by `bot.core.models.Card.note_id`; a card missing from it
is its own note).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.core.models import CardRef

NoteOf = Mapping[CardRef, str]
NoteKey = tuple[str, str, bool]


def note_key(card: CardRef, note_of: NoteOf) -> NoteKey:
    """The deck entry `card` comes from: (deck id, note id, whether it is a typed note) — a
    basic card's own id may equal a cloze note's id in the same deck."""
    note = note_of.get(card)
    return (card.deck_id, card.card_id, False) if note is None else (card.deck_id, note, True)


def one_per_note(
    cards: Iterable[CardRef], note_of: NoteOf, *, shown: Iterable[CardRef] = ()
) -> tuple[list[CardRef], list[CardRef]]:
    """`cards` in order, split into the first of each note and the siblings after it. A card
    whose note is also the note of a card in `shown` (other than itself) counts as a later
    sibling too."""
    taken_by: dict[NoteKey, CardRef] = {note_key(card, note_of): card for card in shown}
    first: list[CardRef] = []
    later: list[CardRef] = []
    for card in cards:
        key = note_key(card, note_of)
        holder = taken_by.get(key)
        if holder is not None and holder != card:
            later.append(card)
            continue
        taken_by[key] = card
        first.append(card)
    return first, later

"""What the Anki reader gives: a deck, the media files its cards show, warnings, sub-decks."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.models import Deck


@dataclass(frozen=True, slots=True)
class AnkiImport:
    """What read_package read. `media` holds the files the deck's cards refer to, by file name
    in the deck's media folder (the part of `card.image` after "<deck id>.media/").
    `subdecks` names the Anki deck ("A::B") each note (by note id) is in, its first card's,
    when the package's cards are in more than one deck (else it is empty)."""

    deck: Deck
    media: dict[str, bytes] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    subdecks: dict[str, str] = field(default_factory=dict)


def media_folder(deck_id: str) -> str:
    """The folder, beside the deck file, that holds its media: "<deck id>.media"."""
    return f"{deck_id}.media"

"""Every text of `/deck export`: the exported file's message and the refusals."""

from __future__ import annotations

from bot.core.models import Deck
from bot.messages.decks import _cut, _size

# By the format's value (bot.decks.exporters.ExportFormat): what the member gets, and where it goes.
_WHAT: dict[str, str] = {
    "yaml": "as a deck file (YAML): edit it and bring it back with `/deck import`",
    "csv": "as CSV: Anki (File → Import), Quizlet and `/deck import` read it",
    "apkg": "as an Anki package: open it with Anki (File → Import)",
}

FORMAT_DESCRIPTION = "yaml: a deck file; csv: Anki, Quizlet, spreadsheets; apkg: an Anki package"


def exported(deck: Deck, fmt: str) -> str:
    cards = len(deck.cards)
    noun = "card" if cards == 1 else "cards"
    return f"**{_cut(deck.name, 100)}** (`{deck.id}`, {cards} {noun}) {_WHAT[fmt]}."


def too_large(filename: str, size: int, limit: int) -> str:
    return (
        f"`{_cut(filename, 100)}` would be {_size(size)}, more than the {_size(limit)} Discord "
        "lets the bot upload here: nothing was sent."
    )

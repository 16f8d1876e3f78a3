"""A deck as an Anki package (.apkg), written with genanki (MIT).

One Anki note per deck entry (bot.core.models.Note): a basic card is a note of the Basic note
type, a reversed entry ONE note of "Basic (and reversed card)" (Anki makes its two cards), a
cloze entry one Cloze note (Anki makes a card per deletion). The note types and the Anki deck
have fixed ids, so importing a later export into Anki updates the same note types and deck;
each note's guid comes from bot.decks.anki_ids.guid_for, so a deck that came from Anki goes
back as its original notes and Anki updates them instead of adding copies.

Texts are Discord markdown, written as Anki HTML (anki_html). A card's image goes at the end
of its front: a web address as it is, a media file of the deck (`<deck id>.media/<file>`) as
`<img src="<file>">` with the file packaged, when `media` holds it. Hints go in a Hint field
that Anki shows as a "show hint" link.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Final

import genanki  # type: ignore[import-untyped]

from bot.core.models import Card, CardKind, Deck, Note
from bot.decks import rules
from bot.decks.anki_ids import guid_for
from bot.decks.exporters.anki_html import image_html, markdown_to_html

# Fixed forever: Anki knows a note type by its id. Changing one makes every re-export a new
# note type in the member's collection.
BASIC_MODEL_ID: Final = 1_593_101_861
REVERSED_MODEL_ID: Final = 1_593_101_862
CLOZE_MODEL_ID: Final = 1_593_101_863

_ANSWER_RULE: Final = '{{FrontSide}}<hr id="answer">'
# No {{#Hint}} section: a reader takes a section as a field the card needs filled.
_HINT: Final = "<div>{{hint:Hint}}</div>"

BASIC_MODEL: Final = genanki.Model(
    BASIC_MODEL_ID,
    "Flashdrop Basic",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Hint"}],
    templates=[
        {"name": "Card 1", "qfmt": "{{Front}}" + _HINT, "afmt": _ANSWER_RULE + "{{Back}}"},
    ],
)
REVERSED_MODEL: Final = genanki.Model(
    REVERSED_MODEL_ID,
    "Flashdrop Basic (and reversed card)",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Hint"}],
    templates=[
        {"name": "Card 1", "qfmt": "{{Front}}" + _HINT, "afmt": _ANSWER_RULE + "{{Back}}"},
        {"name": "Card 2", "qfmt": "{{Back}}", "afmt": _ANSWER_RULE + "{{Front}}"},
    ],
)
CLOZE_MODEL: Final = genanki.Model(
    CLOZE_MODEL_ID,
    "Flashdrop Cloze",
    fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Hint"}],
    templates=[
        {
            "name": "Cloze",
            "qfmt": "{{cloze:Text}}" + _HINT,
            "afmt": "{{cloze:Text}}<br>{{Back Extra}}",
        },
    ],
    model_type=genanki.Model.CLOZE,
)
_MODELS: Final = {
    CardKind.BASIC: BASIC_MODEL,
    CardKind.REVERSED: REVERSED_MODEL,
    CardKind.CLOZE: CLOZE_MODEL,
}


def anki_deck_id(deck_id: str) -> int:
    """The Anki deck id of a Flashdrop deck: the same for every export of it."""
    digest = int.from_bytes(hashlib.sha256(deck_id.encode("utf-8")).digest()[:4], "big")
    return (1 << 30) + digest % (1 << 30)


def deck_notes(deck: Deck) -> list[Note]:
    """The deck's entries in card order, each once: a card without a note is its own."""
    notes: dict[str, Note] = {}
    for card in deck.cards:
        notes.setdefault(card.note_id, card.note or _own_note(card))
    return list(notes.values())


def _own_note(card: Card) -> Note:
    return Note(
        card.id, CardKind.BASIC, card.question, card.answer, card.hint, card.tags, card.image
    )


def media_name(image: str) -> str | None:
    """The media file name of a deck's own image (`<deck id>.media/<file>`), else None."""
    return PurePosixPath(image).name if rules.is_media_path(image) else None


def write_package(deck: Deck, media: Mapping[str, bytes], now: datetime | None = None) -> bytes:
    """The deck as .apkg bytes. `media` maps media file names to their bytes; `now` stamps
    the notes' modification time (Anki updates a note only from a newer one)."""
    anki_deck = genanki.Deck(anki_deck_id(deck.id), deck.name, deck.description or "")
    packaged: dict[str, bytes] = {}
    for note in deck_notes(deck):
        front = markdown_to_html(note.question)
        if note.image is not None:
            name = media_name(note.image)
            if name is None:
                front += "<br>" + image_html(note.image)
            elif name in media:
                packaged[name] = media[name]
                front += "<br>" + image_html(name)
        fields = [front, markdown_to_html(note.answer or ""), markdown_to_html(note.hint or "")]
        anki_deck.add_note(
            genanki.Note(
                model=_MODELS[note.kind],
                fields=fields,
                tags=[_anki_tag(tag) for tag in note.tags],
                guid=guid_for(deck.id, note.id),
            )
        )
    return _write(anki_deck, packaged, now)


def _anki_tag(tag: str) -> str:
    # Anki separates tags with spaces.
    return "_".join(tag.split())


def _write(anki_deck: Any, media: Mapping[str, bytes], now: datetime | None) -> bytes:
    with tempfile.TemporaryDirectory(prefix="flashdrop-export-") as folder:
        paths = []
        for name, data in media.items():
            path = Path(folder) / name
            path.write_bytes(data)
            paths.append(str(path))
        out = io.BytesIO()
        timestamp = None if now is None else now.timestamp()
        genanki.Package(anki_deck, media_files=paths).write_to_file(out, timestamp=timestamp)
        return out.getvalue()

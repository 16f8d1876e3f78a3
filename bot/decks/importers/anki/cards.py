"""Which entries (notes, as Flashdrop's deck format has them) an Anki note makes. Pure: no
files, no SQL; the HTML of its fields is converted later.

- a normal note type's card shows, as its question, the first field its front template shows,
  and as its answer the first field its back template shows that the front did not (Basic:
  Front → Back). A front inside `{{#Field}}…{{/Field}}` needs that field filled (the reverse
  card of "Basic (optional reversed card)" exists only when "Add Reverse" is filled). The
  note's first card is a basic entry; a further card that shows the first's two fields the
  other way round makes it a reversed entry ("Basic (and reversed card)"); any other further
  card (a custom note type's other template) is a basic entry of its own, `-t<ord + 1>`;
- a Cloze note is one cloze entry: its text field with the `{{c…}}` markup as it is (the
  cards, one per number, come from bot.core.card_types) and the back's other fields as extra.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.core.models import CardKind
from bot.decks.importers.anki.collection import Kind, NoteType, Template

_REFERENCE: Final = re.compile(r"\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}")
_SPECIAL: Final = frozenset({"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of an Anki note, its texts still Anki HTML. `suffix` follows the note's id
    ("" for its first card, `-t<n>` for a further template's); `ord` is its first card's."""

    suffix: str
    kind: CardKind
    question: str
    answer: str
    ord: int


def template_suffix(ord_: int) -> str:
    """The id suffix of the entry a custom note type's further card `ord_` (0-based) makes."""
    return f"-t{ord_ + 1}"


def _references(template: str) -> tuple[list[str], set[str]]:
    """The fields a template shows, in order, and those its sections require filled."""
    shown: list[str] = []
    required: set[str] = set()
    for match in _REFERENCE.finditer(template):
        marker, name = match.groups()
        if marker == "#":
            required.add(name)
        elif not marker:
            field = name.rsplit(":", 1)[-1].strip()  # "cloze:Text", "type:Back", "text:Front"
            if field not in _SPECIAL and field not in shown:
                shown.append(field)
    return shown, required


def _first_filled(names: list[str], fields: dict[str, str], skip: list[str]) -> str | None:
    for name in names:
        if name not in skip and name in fields:
            return name
    return None


def note_entries(note_type: NoteType, fields: dict[str, str], ords: list[int]) -> list[Entry]:
    """The entries of a note whose cards are `ords`; [] if it shows nothing.

    `fields` maps the note type's field names to the note's field HTML."""
    if note_type.kind is Kind.CLOZE:
        entry = _cloze_entry(note_type, fields, min(ords, default=0))
        return [] if entry is None else [entry]
    sides = [
        (ord_, pair)
        for ord_ in sorted(set(ords))
        if (pair := template_fields(note_type, fields, ord_)) is not None
    ]
    if not sides:
        return []
    (first_ord, (front, back)), further = sides[0], sides[1:]
    reversed_ = any(pair == (back, front) for _, pair in further)
    kind = CardKind.REVERSED if reversed_ else CardKind.BASIC
    entries = [Entry("", kind, fields[front], fields[back], first_ord)]
    for ord_, (question, answer) in further:
        if (question, answer) not in ((back, front), (front, back)):
            entry = Entry(
                template_suffix(ord_), CardKind.BASIC, fields[question], fields[answer], ord_
            )
            entries.append(entry)
    return entries


def _cloze_entry(note_type: NoteType, fields: dict[str, str], ord_: int) -> Entry | None:
    template: Template | None = note_type.templates[0] if note_type.templates else None
    front = _references(template.front)[0] if template else []
    text_field = _first_filled(front, fields, []) or next(iter(fields), None)
    if text_field is None:
        return None
    back = _references(template.back)[0] if template else []
    extra = [fields[name] for name in back if name != text_field and _filled(fields.get(name, ""))]
    return Entry("", CardKind.CLOZE, fields[text_field], "<br>".join(extra), ord_)


def template_fields(
    note_type: NoteType, fields: dict[str, str], ord_: int
) -> tuple[str, str] | None:
    """The names of the question and answer fields card `ord_` of a normal note shows, or
    None if the card shows nothing (Anki's "Empty Cards" would delete it)."""
    template = next((t for t in note_type.templates if t.ord == ord_), None)
    if template is None:
        return None
    front, required = _references(template.front)
    if any(not _filled(fields.get(name, "")) for name in required):
        return None
    question_field = _first_filled(front, fields, [])
    answer_field = _first_filled(_references(template.back)[0], fields, front)
    if question_field is None or answer_field is None:
        names = list(fields)
        if len(names) < 2:
            return None
        question_field, answer_field = names[0], names[1]
    return question_field, answer_field


def _filled(html: str) -> bool:
    # Anki counts a field holding only tags or spaces as empty.
    return bool(re.sub(r"<[^>]*>|&nbsp;|\s", "", html))

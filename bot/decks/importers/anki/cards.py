"""Which question and answer each card of an Anki note shows. Pure: no files, no SQL.

Flashdrop's deck format has no card types yet, so each Anki card becomes a plain card:

- a normal note type's card shows, as its question, the first field its front template shows,
  and as its answer the first field its back template shows that the front did not (Basic:
  Front → Back; the reverse card of "Basic (and reversed card)": Back → Front; custom note
  types alike). A front inside `{{#Field}}…{{/Field}}` needs that field filled (the reverse
  card of "Basic (optional reversed card)" exists only when "Add Reverse" is filled);
- a Cloze note's card n hides deletion n: see render_cloze.

render_cloze and cloze_numbers are the card-type rules themselves, free of Anki: the YAML
card types (`type: reversed`, `{{c1::…}}`) can move them behind Deck parsing unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from bot.decks.importers.anki.collection import Kind, NoteType

# A deletion with no other deletion inside it: text and hint hold no "{{" or "}}".
_PLAIN: Final = r"(?:(?!\{\{|\}\}).)*?"
CLOZE: Final = re.compile(rf"\{{\{{c(\d+)::({_PLAIN})(?:::({_PLAIN}))?\}}\}}", re.DOTALL)
_REFERENCE: Final = re.compile(r"\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}")
_SPECIAL: Final = frozenset({"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag"})


def cloze_numbers(text: str) -> list[int]:
    """The cloze numbers a text uses, ascending: "{{c2::a}} {{c1::b}}" -> [1, 2]."""
    return sorted({int(match.group(1)) for match in CLOZE.finditer(text)})


def render_cloze(text: str, number: int, bold: tuple[str, str] = ("**", "**")) -> tuple[str, str]:
    """Card `number` of a cloze text: the question with deletion `number` shown as `[…]` (or
    `[hint]`), the answer with it wrapped in `bold`; every other deletion shows its text.
    Nested deletions ("{{c1::a {{c2::b}} c}}", Anki 2.1.56+) are resolved inside out."""

    def question(match: re.Match[str]) -> str:
        if int(match.group(1)) != number:
            return match.group(2)
        return f"[{match.group(3) or '…'}]"

    def answer(match: re.Match[str]) -> str:
        if int(match.group(1)) != number:
            return match.group(2)
        return f"{bold[0]}{match.group(2)}{bold[1]}"

    return _inside_out(question, text), _inside_out(answer, text)


# Anki's own notes nest two or three deep; deeper markup is left as it is, so a hostile note
# costs a few linear passes, not one per level.
MAX_CLOZE_DEPTH: Final = 8


def _inside_out(replace: Callable[[re.Match[str]], str], text: str) -> str:
    for _ in range(MAX_CLOZE_DEPTH):
        replaced = CLOZE.sub(replace, text)  # the innermost deletions
        if replaced == text:
            break
        text = replaced
    return text


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


def card_sides(note_type: NoteType, fields: dict[str, str], ord_: int) -> tuple[str, str] | None:
    """The question and answer HTML of card `ord_` of a note, or None if it shows nothing.

    `fields` maps the note type's field names to the note's field HTML."""
    if note_type.kind is Kind.CLOZE:
        template = note_type.templates[0] if note_type.templates else None
        front = _references(template.front)[0] if template else []
        text_field = _first_filled(front, fields, []) or next(iter(fields), None)
        if text_field is None:
            return None
        number = ord_ + 1
        if number not in cloze_numbers(fields[text_field]):
            return None
        question, answer = render_cloze(fields[text_field], number, ("<b>", "</b>"))
        back = _references(template.back)[0] if template else []
        extra = [fields[name] for name in back if name != text_field and fields.get(name, "")]
        return question, "<br>".join([answer, *extra])
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
    return fields[question_field], fields[answer_field]


def _filled(html: str) -> bool:
    # Anki counts a field holding only tags or spaces as empty.
    return bool(re.sub(r"<[^>]*>|&nbsp;|\s", "", html))

"""Card types: the cards a deck entry (a `Note`) makes, their derived ids and texts.

The one home of reversed and cloze rendering, for deck files and for every importer:

- basic: one card, the note's own id, question -> answer;
- reversed: question -> answer under the note's id, answer -> question under `<id>-reverse`;
- cloze: the text holds deletions `{{c1::answer}}` or `{{c1::answer::hint}}` (several numbers,
  several deletions per number); one card per number, `<id>-c1`, `<id>-c2`…, whose question
  shows that number's deletions as `[…]` (or `[hint]`) and the others' text plain, and whose
  answer is the whole text with that number's deletions in bold, then the note's answer (the
  "extra") below it.

Ids come from the note's id (and the cloze number), never from the text, so editing an entry
keeps its cards' schedules. The syntax follows Anki's, whose packages are read into notes too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.core.models import Card, CardKind, Note

REVERSE_SUFFIX: Final = "-reverse"
HIDDEN: Final = "[…]"
# A deletion opens with `{{c<digits>` and must go on with `::`; it ends at the next `}}`.
_OPENING: Final = re.compile(r"\{\{c([0-9]+)(::)?")
_MAX_CLOZE_DIGITS: Final = 3  # c1-c999: ids stay short, and int() of a huge number is slow


class ClozeError(ValueError):
    """A cloze text that cannot be made into cards; the message says what to write."""


@dataclass(frozen=True, slots=True)
class Deletion:
    """One `{{cN::text::hint}}` of a cloze text."""

    number: int
    text: str
    hint: str | None = None


Segment = str | Deletion


def reverse_id(note_id: str) -> str:
    return note_id + REVERSE_SUFFIX


def cloze_id(note_id: str, number: int) -> str:
    return f"{note_id}-c{number}"


def parse_cloze(text: str) -> tuple[Segment, ...]:
    """The text as plain pieces and deletions, in order. Raises ClozeError."""
    segments: list[Segment] = []
    position = 0
    while (opening := _OPENING.search(text, position)) is not None:
        digits = opening.group(1)
        written = _shown_opening(text, opening.start())
        if opening.group(2) is None:
            raise ClozeError(f"{written} is not a cloze deletion: write {{{{c{digits}::text}}}}")
        if len(digits) > _MAX_CLOZE_DIGITS or int(digits) == 0:
            raise ClozeError(f"{written}: cloze numbers go from c1 to c999")
        closing = text.find("}}", opening.end())
        if closing == -1:
            raise ClozeError(f"{written} is not closed: end the deletion with }}}}")
        inside = text[opening.end() : closing]
        if _OPENING.search(inside) is not None:
            raise ClozeError(
                f"{written} holds another deletion: nested deletions are not supported"
            )
        answer, _, hint = inside.partition("::")
        if not answer.strip():
            raise ClozeError(f"{written} hides nothing: write the hidden text after ::")
        if text[position : opening.start()]:
            segments.append(text[position : opening.start()])
        segments.append(Deletion(int(digits), answer, hint.strip() or None))
        position = closing + 2
    if not any(isinstance(segment, Deletion) for segment in segments):
        raise ClozeError("cloze text has no deletion: write {{c1::…}} around the part to hide")
    if text[position:]:
        segments.append(text[position:])
    return tuple(segments)


def _shown_opening(text: str, start: int) -> str:
    """The start of a deletion as written, for a message: `{{c1::The capi…`."""
    piece = text[start : start + 20].split("\n")[0]
    return repr(piece + "…" if len(piece) < len(text) - start else piece)


def cloze_numbers(segments: tuple[Segment, ...]) -> tuple[int, ...]:
    """The numbers of a cloze text's deletions, each once, in ascending order: one card each."""
    return tuple(sorted({s.number for s in segments if isinstance(s, Deletion)}))


def cloze_question(segments: tuple[Segment, ...], number: int) -> str:
    """Card `number`'s question: its deletions hidden, the other numbers' text plain."""
    return "".join(
        segment
        if isinstance(segment, str)
        else (f"[{segment.hint}]" if segment.hint else HIDDEN)
        if segment.number == number
        else segment.text
        for segment in segments
    )


def cloze_answer(segments: tuple[Segment, ...], number: int, extra: str | None) -> str:
    """Card `number`'s answer: the whole text, its deletions in bold, then the extra."""
    pieces: list[str] = []
    for segment in segments:
        if isinstance(segment, str):
            pieces.append(segment)
        elif segment.number == number and not _in_code("".join(pieces)):
            pieces.append(_bold(segment.text))
        else:
            pieces.append(segment.text)
    text = "".join(pieces).strip()
    if extra is not None and extra.strip():
        return f"{text}\n\n{extra.strip()}"
    return text


def _in_code(before: str) -> bool:
    """Whether text following `before` is inside a code block or inline code, where Discord
    shows `**` as it is: `` `{{c1::len}}(xs)` `` is answered `` `len(xs)` ``, not bold."""
    outside = before.split("```")
    return len(outside) % 2 == 0 or outside[-1].count("`") % 2 == 1


def _bold(text: str) -> str:
    """`text` in Discord bold, its surrounding spaces kept outside the stars (`** x**` is not
    bold). A code block cannot be bold and text already holding `**` would break, so those
    stay as they are."""
    inner = text.strip()
    if "```" in inner or "**" in inner:
        return text
    before = text[: len(text) - len(text.lstrip())]
    after = text[len(text.rstrip()) :]
    return f"{before}**{inner}**{after}"


def card_ids(note: Note) -> tuple[str, ...]:
    """The ids of the cards `note` makes, in order. Raises ClozeError for a bad cloze text."""
    if note.kind is CardKind.REVERSED:
        return (note.id, reverse_id(note.id))
    if note.kind is CardKind.CLOZE:
        return tuple(cloze_id(note.id, n) for n in cloze_numbers(parse_cloze(note.question)))
    return (note.id,)


def expand(note: Note) -> tuple[Card, ...]:
    """The cards a note makes, in order. A basic note's card carries no note: it is its own
    entry, as an imported card is. Raises ClozeError for a bad cloze text; a basic or reversed
    note needs an answer (ValueError)."""
    if note.kind is CardKind.CLOZE:
        return cloze_cards(note)
    if note.answer is None:
        raise ValueError(f"a {note.kind} note needs an answer")
    if note.kind is CardKind.REVERSED:
        return reversed_cards(note)
    return (Card(note.id, note.question, note.answer, note.hint, note.tags, note.image),)


def reversed_cards(note: Note) -> tuple[Card, Card]:
    """Front -> back under the note's id, back -> front under `<id>-reverse`. The hint is
    the front's, so the reverse card has none."""
    if note.answer is None:
        raise ValueError("a reversed note needs an answer")
    return (
        Card(note.id, note.question, note.answer, note.hint, note.tags, note.image, note),
        Card(reverse_id(note.id), note.answer, note.question, None, note.tags, note.image, note),
    )


def cloze_cards(note: Note) -> tuple[Card, ...]:
    """One card per cloze number of the note's text, `<id>-c<number>`. Raises ClozeError."""
    segments = parse_cloze(note.question)
    return tuple(
        Card(
            cloze_id(note.id, number),
            cloze_question(segments, number),
            cloze_answer(segments, number, note.answer),
            note.hint,
            note.tags,
            note.image,
            note,
        )
        for number in cloze_numbers(segments)
    )

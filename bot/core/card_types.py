"""Card types: the cards a deck entry (a `Note`) makes, their derived ids and texts.

The one home of reversed and cloze rendering, for deck files and for every importer:

- basic: one card, the note's own id, question -> answer;
- reversed: question -> answer under the note's id, answer -> question under `<id>-reverse`;
- cloze: the text holds deletions `{{c1::answer}}` or `{{c1::answer::hint}}` (several numbers,
  several deletions per number, nested as Anki 2.1.56+ allows: `{{c1::a {{c2::b}} c}}`, whose
  card 1 hides the whole outer deletion and card 2 only `b`); one card per number, `<id>-c1`,
  `<id>-c2`…, whose question shows that number's deletions as `[…]` (or `[hint]`) and the
  others' text plain, and whose answer is the whole text with that number's deletions in bold,
  then the note's answer (the "extra") below it.

Ids come from the note's id (and the cloze number), never from the text, so editing an entry
keeps its cards' schedules. The syntax follows Anki's, whose packages are read into notes too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Final

from bot.core.models import Card, CardKind, Note

REVERSE_SUFFIX: Final = "-reverse"
HIDDEN: Final = "[…]"
# A deletion opens with `{{c<digits>` and must go on with `::`; it ends at the next `}}` that
# no deletion opened inside it closes (Anki 2.1.56+ nests them: `{{c1::a {{c2::b}} c}}`).
_TOKEN: Final = re.compile(r"\{\{c([0-9]+)(::)?|\}\}")
_MAX_CLOZE_DIGITS: Final = 3  # c1-c999: ids stay short, and int() of a huge number is slow
# Anki's own notes nest two or three deep; a deeper one is refused, so rendering (recursive,
# one pass over the tree per card) stays linear in the text.
MAX_CLOZE_DEPTH: Final = 8


class ClozeError(ValueError):
    """A cloze text that cannot be made into cards; the message says what to write."""


@dataclass(frozen=True, slots=True)
class Deletion:
    """One `{{cN::text::hint}}` of a cloze text; `parts` may hold deletions nested in it.
    `text` is what it hides, every deletion inside it shown; `numbers` its own number and
    those nested in it (worked out once: each card of the text asks)."""

    number: int
    parts: tuple[Segment, ...]
    hint: str | None = None
    text: str = field(init=False, repr=False, compare=False)
    numbers: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = "".join(part if isinstance(part, str) else part.text for part in self.parts)
        numbers = frozenset({self.number}).union(
            *(part.numbers for part in self.parts if isinstance(part, Deletion))
        )
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "numbers", numbers)


Segment = str | Deletion


def reverse_id(note_id: str) -> str:
    return note_id + REVERSE_SUFFIX


def cloze_id(note_id: str, number: int) -> str:
    return f"{note_id}-c{number}"


@dataclass(slots=True)
class _Open:
    """A deletion being read: where it starts, its number, its parts so far."""

    start: int
    number: int
    parts: list[Segment]


def parse_cloze(text: str) -> tuple[Segment, ...]:
    """The text as a tree of plain pieces and deletions, in order. One pass over the text;
    raises ClozeError."""
    top: list[Segment] = []
    stack: list[_Open] = []
    position = 0
    for token in _TOKEN.finditer(text):
        if token.group(0) == "}}":
            if not stack:
                continue  # a `}}` of other braces ("{{config}}"): plain text
            parts = stack[-1].parts
            if text[position : token.start()]:
                parts.append(text[position : token.start()])
            closed = stack.pop()
            (top if not stack else stack[-1].parts).append(_deletion(text, closed))
            position = token.end()
            continue
        digits = token.group(1)
        if token.group(2) is None:
            written = _shown_opening(text, token.start())
            raise ClozeError(f"{written} is not a cloze deletion: write {{{{c{digits}::text}}}}")
        if len(digits) > _MAX_CLOZE_DIGITS or int(digits) == 0:
            raise ClozeError(
                f"{_shown_opening(text, token.start())}: cloze numbers go from c1 to c999"
            )
        if len(stack) == MAX_CLOZE_DEPTH:
            raise ClozeError(
                f"{_shown_opening(text, token.start())}: deletions nest at most"
                f" {MAX_CLOZE_DEPTH} deep inside each other"
            )
        if text[position : token.start()]:
            (top if not stack else stack[-1].parts).append(text[position : token.start()])
        stack.append(_Open(token.start(), int(digits), []))
        position = token.end()
    if stack:
        written = _shown_opening(text, stack[-1].start)
        raise ClozeError(f"{written} is not closed: end the deletion with }}}}")
    if not any(isinstance(segment, Deletion) for segment in top):
        raise ClozeError("cloze text has no deletion: write {{c1::…}} around the part to hide")
    if text[position:]:
        top.append(text[position:])
    return tuple(top)


def revealed(text: str) -> str:
    """The text with every deletion shown, as a cloze note reads as plain text (an Anki
    "Notes in Plain Text" export): "{{c1::Paris::city}} is in {{c2::France}}" -> "Paris is in
    France". A text that is not a valid cloze text is returned as it is."""
    try:
        segments = parse_cloze(text)
    except ClozeError:
        return text
    return "".join(segment if isinstance(segment, str) else segment.text for segment in segments)


def _deletion(text: str, opened: _Open) -> Deletion:
    """The closed deletion `opened`; its hint is what follows `::` in its last plain piece."""
    parts, hint = opened.parts, None
    if parts and isinstance(parts[-1], str) and "::" in parts[-1]:
        last, _, written_hint = parts[-1].partition("::")
        parts = [*parts[:-1], *([last] if last else [])]
        hint = written_hint.strip() or None
    deletion = Deletion(opened.number, tuple(parts), hint)
    if not deletion.text.strip():
        written = _shown_opening(text, opened.start)
        raise ClozeError(f"{written} hides nothing: write the hidden text after ::")
    return deletion


def _shown_opening(text: str, start: int) -> str:
    """The start of a deletion as written, for a message: `{{c1::The capi…`."""
    piece = text[start : start + 20].split("\n")[0]
    return repr(piece + "…" if len(piece) < len(text) - start else piece)


def cloze_numbers(segments: tuple[Segment, ...]) -> tuple[int, ...]:
    """The numbers of a cloze text's deletions, nested ones too, each once, ascending: one
    card each."""
    found: set[int] = set()
    for segment in segments:
        if isinstance(segment, Deletion):
            found |= segment.numbers
    return tuple(sorted(found))


class _Rendering:
    """A cloze text ready to give card after card: its text with every deletion shown, and per
    number the deletions (at the top) that its card changes. A card then costs a copy and a
    join of those pieces plus its own deletions, not a walk of the whole text."""

    def __init__(self, segments: tuple[Segment, ...]) -> None:
        self.segments = segments
        self.plain = [segment if isinstance(segment, str) else segment.text for segment in segments]
        self.changed: defaultdict[int, list[int]] = defaultdict(list)
        for index, segment in enumerate(segments):
            if isinstance(segment, Deletion):
                for number in segment.numbers:
                    self.changed[number].append(index)

    def question(self, number: int) -> str:
        pieces = self.plain.copy()
        for index in self.changed.get(number, ()):
            pieces[index] = _hidden(self.segments[index], number)
        return "".join(pieces)

    def answer(self, number: int, extra: str | None) -> str:
        pieces = self.plain.copy()
        for index in self.changed.get(number, ()):
            before = "".join(self.plain[:index])
            pieces[index] = _shown(self.segments[index], number, before)
        text = "".join(pieces).strip()
        if extra is not None and extra.strip():
            return f"{text}\n\n{extra.strip()}"
        return text


def _hidden(segment: Segment, number: int) -> str:
    """A segment in card `number`'s question: that number's deletions hidden whole."""
    if isinstance(segment, str):
        return segment
    if segment.number == number:
        return f"[{segment.hint}]" if segment.hint else HIDDEN
    if number not in segment.numbers:
        return segment.text
    return "".join(_hidden(part, number) for part in segment.parts)


def _shown(segment: Segment, number: int, before: str) -> str:
    """A segment in card `number`'s answer, after the text `before`: that number's deletions
    in bold (unless in code)."""
    if isinstance(segment, str):
        return segment
    if segment.number == number:
        return segment.text if _in_code(before) else _bold(segment.text)
    if number not in segment.numbers:
        return segment.text
    pieces: list[str] = []
    for part in segment.parts:
        pieces.append(_shown(part, number, before + "".join(pieces)))
    return "".join(pieces)


def cloze_question(segments: tuple[Segment, ...], number: int) -> str:
    """Card `number`'s question: its deletions hidden whole (with any nested in them), the
    other numbers' text plain (a deletion of `number` nested in one is hidden)."""
    return _Rendering(segments).question(number)


def cloze_answer(segments: tuple[Segment, ...], number: int, extra: str | None) -> str:
    """Card `number`'s answer: the whole text, its deletions in bold, then the extra."""
    return _Rendering(segments).answer(number, extra)


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
    rendering = _Rendering(segments)
    return tuple(
        Card(
            cloze_id(note.id, number),
            rendering.question(number),
            rendering.answer(number, note.answer),
            note.hint,
            note.tags,
            note.image,
            note,
        )
        for number in cloze_numbers(segments)
    )

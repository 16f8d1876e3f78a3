"""Import delimiter-separated cards: Quizlet exports (tab), Anki "Notes in Plain Text", CSV.

Anki files open with header lines such as `#separator:tab`, `#html:true` and
`#tags column:3`; they say how to read the rest and win over any guess made here. Without them,
an optional header row (`question,answer`, `front,back`, `term,definition`) names the columns.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Final

from bot.decks.errors import DeckError, Problem, shown
from bot.decks.importers.common import ParsedCard, ParsedDeck, clean_lines
from bot.decks.importers.htmltext import html_to_markdown, looks_like_html, strip_anki_markup

_SEPARATOR_NAMES: Final = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
_SHOWN_SEPARATORS: Final = {"\t": "a tab", ",": "a comma", ";": "a semicolon", " ": "a space"}
_ANKI_HEADER: Final = re.compile(r"#([a-z ]+):(.*)", re.IGNORECASE)
_ANKI_KEYS: Final = frozenset(
    {
        "separator",
        "html",
        "tags",
        "columns",
        "notetype",
        "deck",
        "notetype column",
        "deck column",
        "tags column",
        "guid column",
        "if matches",
    }
)
# Columns Anki uses for something other than note fields.
_META_COLUMNS: Final = ("guid column", "notetype column", "deck column", "tags column")
_FRONT_NAMES: Final = frozenset({"question", "front", "term"})
_BACK_NAMES: Final = frozenset({"answer", "back", "definition"})
_TAG_SPLIT: Final = re.compile(r"[\s,]+")
# Enough rows to guess a delimiter from without reading a whole 1 MiB file twice.
_SAMPLE_LINES: Final = 50


@dataclass
class AnkiHeader:
    """What an Anki "Notes in Plain Text" file's header lines say. Columns are 0-based."""

    lines: int = 0
    separator: str | None = None
    html: bool | None = None
    deck: str | None = None
    tags: tuple[str, ...] = ()
    columns: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_anki_header(lines: list[str], path: str) -> AnkiHeader:
    """Read the leading `#key:value` lines that Anki knows; stop at the first other line."""
    header = AnkiHeader()
    for index, line in enumerate(lines):
        match = _ANKI_HEADER.fullmatch(line.strip())
        if match is None or match[1].strip().lower() not in _ANKI_KEYS:
            break
        header.lines = index + 1
        problem = _apply_header(header, match[1].strip().lower(), match[2].strip())
        if problem is not None:
            header.problems.append(Problem(path, index + 1, problem))
    return header


def _apply_header(header: AnkiHeader, key: str, value: str) -> str | None:
    """Record one header line in `header`; a message if its value makes no sense."""
    if key == "separator":
        separator = _SEPARATOR_NAMES.get(value.lower(), value)
        if len(separator) == 1 and separator not in '"\n':
            header.separator = separator
        else:
            return f"unknown separator {shown(value)}"
    elif key == "html":
        header.html = value.lower() == "true"
    elif key == "deck":
        header.deck = value or None
    elif key == "tags":
        header.tags = tuple(tag for tag in value.split() if tag)
    elif key in _META_COLUMNS:
        if value.isdigit() and 1 <= int(value) <= 1000:
            header.columns[key] = int(value) - 1
        else:
            return f"{key} must be a column number, got {shown(value)}"
    return None


def guess_delimiter(text: str) -> str | None:
    """The delimiter (comma or semicolon) that splits most sample rows in two or more fields."""
    sample = text.split("\n", _SAMPLE_LINES)[:_SAMPLE_LINES]
    best: tuple[int, str] | None = None
    for delimiter in (",", ";"):
        rows = [row for row in _safe_rows(sample, delimiter) if any(cell.strip() for cell in row)]
        split = sum(1 for row in rows if len(row) >= 2)
        if rows and split * 2 >= len(rows) and (best is None or split > best[0]):
            best = (split, delimiter)
    return None if best is None else best[1]


def _safe_rows(lines: list[str], delimiter: str) -> list[list[str]]:
    rows: list[list[str]] = []
    # A sample can end inside a quoted field; the rows read until then still count.
    with contextlib.suppress(csv.Error):
        rows.extend(csv.reader((line + "\n" for line in lines), delimiter=delimiter))
    return rows


def parse_delimited(text: str, path: str, delimiter: str) -> ParsedDeck:
    """Read cards, one per row; `delimiter` applies unless an Anki header names another."""
    lines = text.split("\n")
    header = read_anki_header(lines, path)
    delimiter = header.separator or delimiter
    rows = list(_rows(lines, header.lines, delimiter, path))
    html = header.html
    if html is None:
        html = any(looks_like_html(cell) for _, row in rows for cell in row)
    columns = _Columns.of(header, rows)
    if columns.from_header_row:
        rows = rows[1:]
    cards: list[ParsedCard] = []
    problems = list(header.problems)
    for line, row in rows:
        card = _card(row, line, columns, html, delimiter)
        if isinstance(card, str):
            problems.append(Problem(path, line, card))
        else:
            cards.append(replace(card, tags=header.tags + card.tags))
    return ParsedDeck(cards, header.deck, None, problems)


def _rows(
    lines: list[str], skip: int, delimiter: str, path: str
) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of each non-blank row; csv reads quoted multi-line fields."""
    reader = csv.reader((line + "\n" for line in lines[skip:]), delimiter=delimiter)
    lines_read = 0
    start = skip + 1
    try:
        for row in reader:
            # A quoted field can span lines: the row starts just after the previous row ended.
            start, lines_read = skip + lines_read + 1, reader.line_num
            if any(cell.strip() for cell in row):
                yield start, row
    except csv.Error as error:
        start = skip + lines_read + 1
        hint = '; is a quote (") left open?' if '"' in lines[start - 1] else ""
        raise DeckError.single(path, start, f"cannot read this row ({error}){hint}") from error
    # Lenient csv ends a quoted field that is never closed at the end of the file, silently
    # turning every row after the quote into one field; only a strict reading tells.
    if _quote_left_open(lines[start - 1 :], delimiter):
        message = 'a quote (") opened in this row is never closed: the rest of the file is in it'
        raise DeckError.single(path, start, message)


def _quote_left_open(lines: list[str], delimiter: str) -> bool:
    """Whether these lines (the last row of a file) end inside a quoted field."""
    if not any('"' in line for line in lines):
        return False
    reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter, strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error as error:
        # Strict mode also refuses `"a"b` (text after a closing quote), which is read leniently.
        return str(error) == "unexpected end of data"
    return False


@dataclass(frozen=True)
class _Columns:
    """Which columns hold the front, back and tags."""

    front: int
    back: int
    tags: int | None
    from_header_row: bool = False

    @classmethod
    def of(cls, header: AnkiHeader, rows: list[tuple[int, list[str]]]) -> _Columns:
        if header.columns:
            meta = frozenset(header.columns.values())
            fields = [index for index in range(1001) if index not in meta][:2]
            tags = header.columns.get("tags column")
            return cls(fields[0], fields[1], tags)
        if rows:
            names = [cell.strip().lower() for cell in rows[0][1]]
            if len(names) >= 2 and names[0] in _FRONT_NAMES and names[1] in _BACK_NAMES:
                tags = names.index("tags") if "tags" in names else None
                return cls(0, 1, tags, from_header_row=True)
        return cls(0, 1, None)


def _card(
    row: list[str], line: int, columns: _Columns, html: bool, delimiter: str
) -> ParsedCard | str:
    """The row's card, or a message saying what is wrong with the row."""
    if len(row) <= max(columns.front, columns.back):
        shown = _SHOWN_SEPARATORS.get(delimiter, repr(delimiter))
        return f"expected a question and an answer separated by {shown}, found {len(row)} column(s)"
    question = _field_text(row[columns.front], html)
    answer = _field_text(row[columns.back], html)
    if not question:
        return "question is empty"
    if not answer:
        return "answer is empty"
    tags: tuple[str, ...] = ()
    if columns.tags is not None and columns.tags < len(row):
        tags = tuple(tag for tag in _TAG_SPLIT.split(row[columns.tags]) if tag)
    return ParsedCard(line, question, answer, tags)


def _field_text(raw: str, html: bool) -> str:
    text = strip_anki_markup(raw)
    if html:
        text = html_to_markdown(text)
    return clean_lines(text.split("\n")).lstrip(" \t")

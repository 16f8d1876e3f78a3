"""Import Brainscape's text export.

The export looks like this (the rating block is optional, and is not part of the answer):

    <deck> Flashcards
                                   (blank)
    1
    Q
    <question lines>
    A
    <answer lines>
    How well did you know this?
    1
    Not at all
    2 ... 5
    Perfectly
    2
    Q
    ...

An answer may itself be "2" or "A", so a card starts only at a line holding the next expected
number (previous + 1) that is followed, after blank lines, by a line "Q". Within a card the first
"A" line ends the question. What stays ambiguous: a question with a line that is just "A", and an
answer with a line holding the next card's number followed by a "Q" line.
"""

from __future__ import annotations

import re
from typing import Final

from bot.decks.errors import DeckError, Problem
from bot.decks.importers.common import ParsedCard, ParsedDeck, clean_lines

RATING_HEADER: Final = "How well did you know this?"
_RATING_LINES: Final = frozenset({"1", "2", "3", "4", "5", "Not at all", "Perfectly"})
_TITLE_SUFFIX: Final = re.compile(r"\s+flashcards$", re.IGNORECASE)
# Nine digits is more cards than any export holds, and keeps int() away from huge numbers.
_NUMBER: Final = re.compile(r"[0-9]{1,9}")
# Detection only looks at the start of a file: the title, a blank line, then card 1.
_DETECT_LINES: Final = 50


def _next_filled(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None


def _q_line_after(lines: list[str], index: int, expected: int | None) -> int | None:
    """If a card starts at `index` (its number, then a "Q" line), the index of that Q line."""
    text = lines[index].strip()
    if not _NUMBER.fullmatch(text) or (expected is not None and int(text) != expected):
        return None
    q_index = _next_filled(lines, index + 1)
    if q_index is None or lines[q_index].strip() != "Q":
        return None
    return q_index


def looks_like_brainscape(text: str) -> bool:
    """A "... Flashcards" title line, or a card number followed by a "Q" line, near the top."""
    lines = text.split("\n", _DETECT_LINES)[:_DETECT_LINES]
    first = _next_filled(lines, 0)
    if first is None:
        return False
    if _TITLE_SUFFIX.search(lines[first].strip()) and "\t" not in lines[first]:
        return True
    return any(_q_line_after(lines, index, None) is not None for index in range(len(lines)))


def without_rating_block(lines: list[str]) -> list[str]:
    """Drop a trailing "How well did you know this?" block, whole or cut short."""
    headers = [i for i, line in enumerate(lines) if line.strip() == RATING_HEADER]
    if not headers:
        return lines
    rest = lines[headers[-1] + 1 :]
    if all(not line.strip() or line.strip() in _RATING_LINES for line in rest):
        return lines[: headers[-1]]
    return lines


def parse_brainscape(text: str, path: str) -> ParsedDeck:
    """Read a Brainscape export (already normalized to "\\n" line breaks). Raises DeckError."""
    lines = text.split("\n")
    title_index = _next_filled(lines, 0)
    if title_index is None:
        raise DeckError.single(path, None, "file is empty")
    if _q_line_after(lines, title_index, None) is not None:
        message = "no title line: a Brainscape export starts with '<deck> Flashcards'"
        raise DeckError.single(path, title_index + 1, message)
    title = lines[title_index].strip()
    first = _next_filled(lines, title_index + 1)
    first_q = None if first is None else _q_line_after(lines, first, None)
    if first is None:
        message = "no cards after the title: expected a card number on a line, then a line 'Q'"
        raise DeckError.single(path, title_index + 1, message)
    if first_q is None:
        message = "expected the first card here: a card number on a line, then a line 'Q'"
        raise DeckError.single(path, first + 1, message)
    cards, problems = _cards(lines, (first, first_q), path)
    name = _TITLE_SUFFIX.sub("", title).strip() or title
    return ParsedDeck(cards, name, title_index + 1, problems)


def _cards(
    lines: list[str], start: tuple[int, int], path: str
) -> tuple[list[ParsedCard], list[Problem]]:
    """Split the lines into cards, starting at `start`: (number line, Q line) indexes."""
    cards: list[ParsedCard] = []
    problems: list[Problem] = []
    current: tuple[int, int] | None = start
    while current is not None:
        number_index, q_index = current
        number = int(lines[number_index].strip())
        current = _next_card(lines, q_index + 1, number + 1)
        end = len(lines) if current is None else current[0]
        card = _card(lines, current=(number_index, q_index), end=end, path=path)
        if isinstance(card, Problem):
            problems.append(card)
        else:
            cards.append(card)
    return cards, problems


def _next_card(lines: list[str], start: int, number: int) -> tuple[int, int] | None:
    """(number line, Q line) indexes of card `number`, searching from `start`."""
    for index in range(start, len(lines)):
        q_index = _q_line_after(lines, index, number)
        if q_index is not None:
            return index, q_index
    return None


def _card(
    lines: list[str], *, current: tuple[int, int], end: int, path: str
) -> ParsedCard | Problem:
    number_index, q_index = current
    label = f"card {lines[number_index].strip()}"
    # Card N+1 ends this card; a card with another number inside it (cards deleted or moved
    # by hand) would otherwise become part of this card's answer, with every card after it.
    stray = next(
        (i for i in range(q_index + 1, end) if _q_line_after(lines, i, None) is not None), None
    )
    if stray is not None:
        expected = int(lines[number_index].strip()) + 1
        message = f"{label}: found card {lines[stray].strip()} where card {expected} should be"
        return Problem(path, stray + 1, f"{message}; are cards missing or out of order?")
    body = lines[q_index + 1 : end]
    a_offset = next((i for i, line in enumerate(body) if line.strip() == "A"), None)
    if a_offset is None:
        return Problem(path, number_index + 1, f"{label}: no line 'A' marking the answer")
    question = clean_lines(body[:a_offset])
    answer = clean_lines(without_rating_block(body[a_offset + 1 :]))
    if not question:
        return Problem(path, q_index + 1, f"{label}: question is empty")
    if not answer:
        return Problem(path, q_index + a_offset + 2, f"{label}: answer is empty")
    return ParsedCard(number_index + 1, question, answer, label=label)

"""What every importer shares: text clean-up, content-derived card ids, deck ids and validation.

Importers turn a file into ParsedCards; build_deck checks them against the same rules as deck
files, so anything an importer returns can be dumped and loaded back as a deck file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.core.models import MAX_ANSWER_CHARS, MAX_DECK_NAME_CHARS, MAX_QUESTION_CHARS, Card, Deck
from bot.decks import rules
from bot.decks.errors import DeckError, Problem

_NEWLINES = re.compile(r"\r\n?|[\x85\u2028\u2029]")
# Control characters other than tab and newline show as nothing or as boxes in Discord; exports
# only carry them by accident.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Lone surrogates cannot come from a decoded file, only from a str handed to import_text; they
# cannot be encoded, so they would break hashing and writing the deck.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SLUG_JUNK = re.compile(r"[^a-z0-9_]+")


@dataclass(frozen=True, slots=True)
class ParsedCard:
    """A card as an importer read it. `label` names it in messages ("card 3"), may be empty."""

    line: int
    question: str
    answer: str
    tags: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True, slots=True)
class ParsedDeck:
    """What an importer read: cards plus a deck name if the file carries one."""

    cards: list[ParsedCard]
    name: str | None = None
    name_line: int | None = None
    problems: list[Problem] = field(default_factory=list)


def normalize_text(text: str) -> str:
    """One kind of line break, no BOM, no stray control characters."""
    text = _NEWLINES.sub("\n", text.removeprefix("\ufeff"))
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


def clean_lines(lines: Iterable[str]) -> str:
    """Join lines, dropping trailing spaces and leading/trailing blank lines, keeping the rest."""
    kept = [line.rstrip() for line in lines]
    while kept and not kept[0]:
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def fingerprint(text: str) -> str:
    """A card text as compared across exports: whitespace and Unicode form vary between
    exports of the same card; its id and its matching on re-import must not."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_id(question: str, answer: str) -> str:
    """A card id that stays the same across re-imports of the same question and answer."""
    content = f"{fingerprint(question)}\n{fingerprint(answer)}"
    return "c-" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:12]


def slugify(text: str) -> str:
    """A deck id from a file name or deck name: "Deep Learning (9)" -> "deep-learning-9"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_JUNK.sub("-", ascii_text.lower()).strip("-_")
    return slug[: rules.MAX_DECK_ID_CHARS].strip("-_")


def build_deck(parsed: ParsedDeck, *, path: str, deck_id: str, name: str) -> Deck:
    """Validate parsed cards like a deck file and give them ids. Raises DeckError."""
    problems = list(parsed.problems)
    if (message := rules.check_deck_id(deck_id)) is not None:
        problems.append(Problem(path, None, message))
    name_message = rules.check_text("deck name", name, MAX_DECK_NAME_CHARS, single_line=True)
    if name_message is not None:
        problems.append(Problem(path, parsed.name_line, name_message))
    if not parsed.cards and not problems:
        problems.append(Problem(path, None, "no cards found"))
    cards: list[Card] = []
    ids: dict[str, int] = {}
    for parsed_card in parsed.cards:
        card_problems = _card_problems(parsed_card)
        problems.extend(Problem(path, parsed_card.line, message) for message in card_problems)
        if not card_problems:
            cards.append(_card(parsed_card, ids))
    if problems:
        raise DeckError(sorted(problems, key=lambda problem: problem.line or 0))
    return Deck(deck_id, name, tuple(cards), source=path)


def _card_problems(card: ParsedCard) -> list[str]:
    where = f"{card.label}: " if card.label else ""
    messages = [
        rules.check_text("question", card.question, MAX_QUESTION_CHARS),
        rules.check_text("answer", card.answer, MAX_ANSWER_CHARS),
        *(rules.check_tag(tag) for tag in card.tags),
    ]
    return [where + message for message in messages if message is not None]


def _card(card: ParsedCard, ids: dict[str, int]) -> Card:
    # The same question and answer twice in one file: number the repeats in file order, so
    # re-importing the same file gives the same ids.
    base = content_id(card.question, card.answer)
    ids[base] = ids.get(base, 0) + 1
    card_id = base if ids[base] == 1 else f"{base}-{ids[base]}"
    return Card(card_id, card.question, card.answer, tags=card.tags)

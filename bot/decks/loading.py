"""Load deck files from disk: one deck, a whole directory, or a list of paths to check.

A bad deck is skipped and returned as an error; it never stops the others from loading. Saying
so is the caller's part (the bot logs it, check-decks prints it): this module does not log the
problems it returns, or each would be reported twice.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.core.models import Deck
from bot.decks.deckfile import parse_deck
from bot.decks.errors import DeckError, Problem, shown
from bot.decks.files import read_limited
from bot.decks.rules import is_media_path
from bot.decks.yamlsafe import PARSER

log = logging.getLogger(__name__)

DECK_SUFFIXES: Final = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class DeckLoadResult:
    """The decks that loaded, by deck id, and one DeckError per file that did not."""

    decks: dict[str, Deck]
    errors: list[DeckError]

    @property
    def problems(self) -> list[Problem]:
        return [problem for error in self.errors for problem in error.problems]


def load_deck(path: str | os.PathLike[str]) -> Deck:
    """Read and parse one deck file, checking that the media files its cards name exist.
    Raises DeckError."""
    source = read_limited(path)
    deck = parse_deck(source, path)
    if problems := missing_media(deck, Path(path), source):
        raise DeckError(problems)
    return deck


def missing_media(deck: Deck, path: Path, source: bytes = b"") -> list[Problem]:
    """A problem for each card whose image is a media file (`<deck id>.media/<file>`) that is
    not a file beside the deck at `path`, or is in another deck's media folder."""
    lines = source.decode("utf-8", "replace").splitlines()
    problems: list[Problem] = []
    for card in deck.cards:
        if card.image is None or not is_media_path(card.image):
            continue
        folder = card.image.split("/", 1)[0]
        line = _line_of(lines, card.id, card.image)
        if folder != f"{deck.id}.media":
            message = f"image {shown(card.image)} must be in this deck's folder {deck.id}.media/"
            problems.append(Problem(str(path), line, f"card {card.id!r}: {message}"))
        elif not (path.parent / card.image).is_file():
            message = f"image file {shown(card.image)} not found beside the deck"
            problems.append(Problem(str(path), line, f"card {card.id!r}: {message}"))
    return problems


def _line_of(lines: list[str], card_id: str, image: str) -> int | None:
    """The line of a card's image: the first line naming it after the card's id."""
    start = next((i for i, text in enumerate(lines) if card_id in text), 0)
    for index in range(start, len(lines)):
        if image in lines[index]:
            return index + 1
    return None


def deck_files(directory: str | os.PathLike[str]) -> list[Path]:
    """The deck files directly in `directory`, sorted by name. Raises DeckError if unreadable."""
    try:
        entries = list(Path(directory).iterdir())
    except OSError as error:
        message = f"cannot read deck directory: {error.strerror or error}"
        raise DeckError.single(str(directory), None, message) from error
    # Dot files are editor backups and lock files (".#deck.yaml"), not decks.
    return sorted(
        entry
        for entry in entries
        if entry.suffix.lower() in DECK_SUFFIXES
        and not entry.name.startswith(".")
        and entry.is_file()
    )


def load_decks(directory: str | os.PathLike[str]) -> DeckLoadResult:
    """Load every deck file in `directory`; bad files end up in `errors`, never raise."""
    decks: dict[str, Deck] = {}
    errors: list[DeckError] = []
    try:
        paths = deck_files(directory)
    except DeckError as error:
        return DeckLoadResult(decks, [error])
    log.debug("parsing %d deck file(s) with %s", len(paths), PARSER)
    for path in paths:
        try:
            deck = _unique(load_deck(path), decks)
        except DeckError as error:
            errors.append(error)
            continue
        decks[deck.id] = deck
    return DeckLoadResult(decks, errors)


def _unique(deck: Deck, loaded: dict[str, Deck]) -> Deck:
    # deck.yaml and deck.yml would both claim the id "deck"; the first by name wins.
    if deck.id in loaded:
        message = f"deck id {deck.id!r} is already used by {loaded[deck.id].source}"
        raise DeckError.single(deck.source or deck.id, None, message)
    return deck


def check_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Problem]:
    """Every problem in the given deck files and directories (for `check-decks`); [] if fine."""
    problems: list[Problem] = []
    for path in paths:
        problems.extend(_check_path(Path(path)))
    return problems


def _check_path(path: Path) -> list[Problem]:
    if path.is_dir():
        return load_decks(path).problems
    if not path.exists():
        return [Problem(str(path), None, "no such file or directory")]
    if path.suffix.lower() not in DECK_SUFFIXES:
        return [Problem(str(path), None, "not a deck file: deck files end in .yaml or .yml")]
    try:
        load_deck(path)
    except DeckError as error:
        return list(error.problems)
    return []

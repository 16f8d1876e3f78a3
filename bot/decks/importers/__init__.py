"""Turn other apps' exports (Brainscape text, Quizlet/Anki TSV, CSV, Anki packages) into Decks.

Every importer raises DeckError and nothing else on bad input, and gives cards ids derived from
their content, so importing the same export again keeps each member's schedule (re-importing an
edited export into its deck is bot.decks.matching's). A deck that would not pass check-decks as
a file (too many values or bytes) is refused here, before anyone writes it.

Anki packages are binary and carry media: import_package (bot.decks.importers.anki's
read_package) gives the deck with its image files and warnings; import_file gives the deck alone.
An upload (`/deck import`) goes through import_upload, which tells a package from the rest by
its name or its first bytes, and gives every kind as an AnkiImport (a text has no media).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from enum import StrEnum
from pathlib import Path

from bot.core.models import Deck
from bot.decks.deckfile import parse_deck
from bot.decks.errors import DeckError, Problem, shown
from bot.decks.files import MAX_FILE_BYTES, decode, read_limited, too_large_message
from bot.decks.fitting import oversize_problem
from bot.decks.importers.anki import (
    PACKAGE_SUFFIXES,
    AnkiImport,
    looks_like_package,
    read_package,
)
from bot.decks.importers.brainscape import looks_like_brainscape, parse_brainscape
from bot.decks.importers.common import ParsedDeck, build_deck, normalize_text, slugify
from bot.decks.importers.delimited import guess_delimiter, parse_delimited, read_anki_header
from bot.decks.rules import check_deck_id

__all__ = [
    "AnkiImport",
    "Format",
    "detect_format",
    "import_bytes",
    "import_file",
    "import_package",
    "import_text",
    "import_upload",
    "is_deck_file",
    "is_package",
    "is_package_upload",
    "slugify",
]

# A deck file is imported as it is (validated by parse_deck); any other name is an export.
_DECK_FILE_SUFFIXES = (".yaml", ".yml")

# How a zip (every Anki package) starts.
_ZIP_MAGIC = b"PK\x03\x04"

# A file name every file system takes (most allow 255 bytes).
_MAX_TEMP_NAME = 200

# Most of the first lines hold a tab: that is a TSV (Quizlet's and Anki's default).
_SAMPLE_LINES = 50


class Format(StrEnum):
    """The export formats import_file understands; AUTO asks detect_format."""

    AUTO = "auto"
    BRAINSCAPE = "brainscape"
    CSV = "csv"
    TSV = "tsv"
    APKG = "apkg"  # .apkg and .colpkg


def detect_format(text: str, path: str = "<text>") -> Format:
    """Brainscape, TSV or CSV, judged from the start of the text. Raises DeckError if none fits."""
    text = normalize_text(text)
    if looks_like_brainscape(text):
        return Format.BRAINSCAPE
    lines = text.split("\n", _SAMPLE_LINES)[:_SAMPLE_LINES]
    header = read_anki_header(lines, path)
    if header.separator is not None:
        return Format.TSV if header.separator == "\t" else Format.CSV
    if header.lines:
        return Format.TSV  # Anki writes tabs unless its header says otherwise
    filled = [line for line in lines if line.strip()]
    tabbed = sum(1 for line in filled if "\t" in line)
    if filled and tabbed * 2 >= len(filled):
        return Format.TSV
    if filled and guess_delimiter(text) is not None:
        return Format.CSV
    message = "cannot tell the format: expected a Brainscape export, CSV or TSV"
    raise DeckError.single(path, None, message)


def import_text(
    text: str,
    fmt: Format | str = Format.AUTO,
    *,
    path: str = "<text>",
    name: str | None = None,
    deck_id: str | None = None,
) -> Deck:
    """Import an export's text. The deck is named `name`, else the name the export carries, else
    the file name; its id is `deck_id`, else `name` or the file name slugified. Raises DeckError;
    ValueError only for an unknown `fmt`."""
    fmt = Format(fmt)
    if fmt is Format.APKG:
        message = "an Anki package is a binary file: import the .apkg/.colpkg file itself"
        raise DeckError.single(path, None, message)
    if len(text) > MAX_FILE_BYTES:
        raise DeckError.single(path, None, too_large_message())
    text = normalize_text(text)
    if not text.strip():
        raise DeckError.single(path, None, "file is empty")
    if fmt is Format.AUTO:
        fmt = detect_format(text, path)
    parsed = _parse(text, fmt, path)
    stem = Path(path).stem
    deck_name = name or parsed.name or stem
    if deck_id is None:
        deck_id = slugify(name or stem)
        if not deck_id:
            source = f"the name {shown(name)}" if name else f"the file name {shown(stem)}"
            raise DeckError.single(path, None, _no_slug_message(source, name is not None))
    deck = build_deck(parsed, path=path, deck_id=deck_id, name=deck_name)
    if (problem := oversize_problem(deck, path)) is not None:
        raise DeckError([problem])
    return deck


def _no_slug_message(source: str, named: bool) -> str:
    # slugify keeps only a-z, 0-9 and '_' (accents dropped, "é" -> "e"); everything else,
    # "日本" or "!!!", goes, so the message says exactly that rather than "give a name".
    fix = "choose a name with some" if named else "give the deck a name with some"
    return (
        f"cannot make a deck id from {source}: it has no letters a-z or digits 0-9"
        " (a deck id may only hold a-z, 0-9, '-' and '_'); "
        f"{fix}, or write the deck to a file whose name is the id"
    )


def _parse(text: str, fmt: Format, path: str) -> ParsedDeck:
    if fmt is Format.BRAINSCAPE:
        return parse_brainscape(text, path)
    if fmt is Format.TSV:
        return parse_delimited(text, path, "\t")
    return parse_delimited(text, path, guess_delimiter(text) or ",")


def import_file(
    path: str | os.PathLike[str],
    fmt: Format | str = Format.AUTO,
    name: str | None = None,
    *,
    deck_id: str | None = None,
) -> Deck:
    """Import an export file (UTF-8, with or without BOM, at most 1 MiB; an Anki package, at
    most 25 MiB, without its media: see import_package). Raises DeckError."""
    fmt = Format(fmt)  # fail on a bad format before reading anything
    if is_package(path, fmt):
        return import_package(path, name, deck_id=deck_id).deck
    shown = str(path)
    text = decode(read_limited(path), shown)
    return import_text(text, fmt, path=shown, name=name, deck_id=deck_id)


def is_deck_file(filename: str) -> bool:
    """Whether an upload of this name is a deck file (imported as it is) rather than an export."""
    return Path(filename).suffix.lower() in _DECK_FILE_SUFFIXES


def import_bytes(data: bytes, filename: str, *, name: str | None = None) -> Deck:
    """Import an uploaded file's content: a deck file (.yaml/.yml) as it is, else an export in
    the format detected from its text, as `import_file` does. The deck id is `name` slugified,
    else the file name's stem (slugified unless it is a deck id already). Problems name
    `filename`. Raises DeckError."""
    if len(data) > MAX_FILE_BYTES:
        raise DeckError.single(filename, None, too_large_message())
    suffix = Path(filename).suffix.lower()
    if not is_deck_file(filename):
        text = decode(data, filename)
        return import_text(text, Format.AUTO, path=filename, name=name)
    stem = Path(filename).stem
    deck_id = slugify(name) if name else stem if check_deck_id(stem) is None else slugify(stem)
    if not deck_id:
        source = f"the name {shown(name)}" if name else f"the file name {shown(stem)}"
        raise DeckError.single(filename, None, _no_slug_message(source, name is not None))
    # parse_deck takes the id from the path; problems keep the uploaded name when it is the id.
    path = filename if deck_id == stem else f"{deck_id}{suffix}"
    deck = parse_deck(data, path)
    return replace(deck, name=name) if name else deck


def is_package_upload(data: bytes, filename: str) -> bool:
    """Whether an upload is an Anki package: its name says so, or it starts like a zip."""
    return Path(filename).suffix.lower() in PACKAGE_SUFFIXES or data.startswith(_ZIP_MAGIC)


def import_upload(data: bytes, filename: str, *, name: str | None = None) -> AnkiImport:
    """Import an uploaded file: an Anki package with its media and warnings, else what
    `import_bytes` reads (no media, no warnings). The deck id is `name` slugified, else the
    file name's stem. Problems and warnings name `filename`. Raises DeckError."""
    if not is_package_upload(data, filename):
        return AnkiImport(import_bytes(data, filename, name=name))
    stem = Path(filename).stem
    deck_id = slugify(name or stem)
    if not deck_id:
        source = f"the name {shown(name)}" if name else f"the file name {shown(stem)}"
        raise DeckError.single(filename, None, _no_slug_message(source, name is not None))
    # The reader reads a file: a private folder (mode 0700) holds it while it reads. The file
    # is named like the upload so a deck without a name of its own is named like the upload.
    with tempfile.TemporaryDirectory(prefix="flashdrop-upload-") as folder:
        path = Path(folder) / _safe_file_name(filename)
        path.write_bytes(data)
        try:
            result = read_package(path, name=name, deck_id=deck_id)
        except DeckError as error:
            raise DeckError(_renamed(p, str(path), filename) for p in error.problems) from None
    prefix = f"{path}: "
    warnings = tuple(
        f"{filename}: {w.removeprefix(prefix)}" if w.startswith(prefix) else w
        for w in result.warnings
    )
    return replace(result, deck=replace(result.deck, source=filename), warnings=warnings)


def _safe_file_name(filename: str) -> str:
    """The upload's own name if any file system takes it, else a name of ours."""
    base = Path(filename.replace("\\", "/")).name
    try:
        usable = len(base.encode()) <= _MAX_TEMP_NAME and base.isprintable()
    except UnicodeEncodeError:  # a lone surrogate
        usable = False
    return base if usable and not base.startswith(".") and base else "upload.apkg"


def _renamed(problem: Problem, path: str, filename: str) -> Problem:
    return replace(problem, path=filename) if problem.path == path else problem


def is_package(path: str | os.PathLike[str], fmt: Format | str = Format.AUTO) -> bool:
    """Whether import_file reads `path` as an Anki package: asked to, or detected."""
    fmt = Format(fmt)
    return fmt is Format.APKG or (fmt is Format.AUTO and looks_like_package(path))


def import_package(
    path: str | os.PathLike[str], name: str | None = None, *, deck_id: str | None = None
) -> AnkiImport:
    """An Anki package's deck, the image files its cards refer to, and warnings. DeckError."""
    return read_package(path, name=name, deck_id=deck_id)

"""Deck files: parsing, validation and importers (Brainscape, CSV/TSV)."""

from bot.decks.deckfile import parse_deck
from bot.decks.dump import dump_deck
from bot.decks.errors import DeckError, Problem
from bot.decks.importers import Format, detect_format, import_bytes, import_file, import_text
from bot.decks.loading import DeckLoadResult, check_paths, load_deck, load_decks

__all__ = [
    "DeckError",
    "DeckLoadResult",
    "Format",
    "Problem",
    "check_paths",
    "detect_format",
    "dump_deck",
    "import_bytes",
    "import_file",
    "import_text",
    "load_deck",
    "load_decks",
    "parse_deck",
]

"""Write a deck back out of Flashdrop as a file: its deck YAML, a CSV, or an Anki package.

`export_deck` is the one entry point: pure apart from the temporary folder genanki writes the
package in, so the bot runs it off the event loop. Each format is one module: the YAML is
bot.decks.dump's, the CSV is `csvfile`, the package `apkg` (genanki, MIT).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.models import Deck
from bot.decks.dump import dump_deck
from bot.decks.exporters.apkg import write_package
from bot.decks.exporters.csvfile import write_csv

__all__ = ["ExportFile", "ExportFormat", "export_deck"]


class ExportFormat(StrEnum):
    """What `/deck export` writes; the value is the file's suffix."""

    YAML = "yaml"
    CSV = "csv"
    APKG = "apkg"


@dataclass(frozen=True, slots=True)
class ExportFile:
    """An exported deck: the attachment's file name and its bytes."""

    filename: str
    data: bytes


def export_deck(
    deck: Deck,
    fmt: ExportFormat,
    media: Mapping[str, bytes] | None = None,
    now: datetime | None = None,
) -> ExportFile:
    """The deck as a `fmt` file named `<deck id>.<fmt>`. `media` maps the file names of the
    deck's media folder (`<deck id>.media/<file>`) to their bytes; only a package holds them,
    its notes stamped `now` (the bot's clock)."""
    if fmt is ExportFormat.YAML:
        data = dump_deck(deck).encode("utf-8")
    elif fmt is ExportFormat.CSV:
        data = write_csv(deck).encode("utf-8")
    else:
        data = write_package(deck, media or {}, now)
    return ExportFile(f"{deck.id}.{fmt.value}", data)

"""The command-line tools besides `run`: import, check-decks, healthcheck, exports, backup.

Each returns a process exit code and reports problems as single lines on stderr, never a
traceback for a user's mistake.
"""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.config import Config
from bot.core.models import Deck
from bot.decks import DeckError, Problem, check_paths, dump_deck, import_file, load_deck
from bot.decks.errors import shown
from bot.decks.importers import import_package, is_package
from bot.decks.importers.anki import AnkiImport, media_folder, reimport_package, split_subdecks
from bot.decks.loading import DECK_SUFFIXES
from bot.decks.matching import CardMatching, reimport
from bot.decks.rules import check_deck_id, is_media_path
from bot.infra.clock import SystemClock
from bot.infra.health import heartbeat_problem

if TYPE_CHECKING:
    from bot.storage.export import CsvValue

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


# An export read as the wrong format can fail on every line; the first few say what is wrong.
MAX_SHOWN_PROBLEMS = 10


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _problems(problems: Sequence[Problem]) -> None:
    for problem in problems[:MAX_SHOWN_PROBLEMS]:
        _error(str(problem))
    if len(problems) > MAX_SHOWN_PROBLEMS:
        rest = len(problems) - MAX_SHOWN_PROBLEMS
        _error(f"… and {rest} more problems ({len(problems)} in all)")


def import_deck(
    file: Path, fmt: str, out: Path | None, name: str | None, *, force: bool = False
) -> int:
    """Convert an export into a deck file (or stdout). An existing --out deck is replaced only
    with `force`, and then its cards' ids are kept for the export's cards that match them."""
    existing: Deck | None = None
    if out is not None:
        existing, failure = _existing_deck(out, force=force)
        if failure is not None:
            _error(failure)
            return EXIT_FAILED
    matching: CardMatching | None = None
    media: dict[str, bytes] = {}
    try:
        if is_package(file, fmt):
            package = import_package(file, name, deck_id=out.stem if out else None)
            deck, media = package.deck, package.media
            for warning in package.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            if existing is not None:
                deck, matching = reimport_package(existing, deck, name=name)
        else:
            deck = import_file(file, fmt, name, deck_id=out.stem if out else None)
            if existing is not None:
                deck, matching = reimport(existing, deck, name=name)
    except DeckError as exc:
        _problems(exc.problems)
        return EXIT_FAILED
    if out is None:
        deck = _without_media(deck)
        sys.stdout.write(dump_deck(deck))
        return EXIT_OK
    return _write_import(out, file, deck, media, matching, replace=force)


def import_subdecks(
    file: Path, fmt: str, out_dir: Path, name: str | None, *, force: bool = False
) -> int:
    """An Anki package as one deck file per sub-deck ("A::B"), `<out_dir>/<deck id>.yaml` with
    its media folder (bot.decks.importers.anki.split_subdecks says how they are named). Every
    file is checked before any is written; with `force` an existing one is re-imported."""
    if not is_package(file, fmt):
        _error(f"{file}: --split-subdecks reads Anki packages (.apkg, .colpkg) only")
        return EXIT_USAGE
    try:
        package = import_package(file, name)
    except DeckError as exc:
        _problems(exc.problems)
        return EXIT_FAILED
    for warning in package.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    planned: list[tuple[Path, AnkiImport, Deck | None]] = []
    for part in split_subdecks(package):
        out = out_dir / f"{part.deck.id}.yaml"
        existing, failure = _existing_deck(out, force=force)
        if failure is not None:
            _error(failure)
            return EXIT_FAILED
        planned.append((out, part, existing))
    for out, part, existing in planned:
        deck, matching = part.deck, None
        if existing is not None:
            renamed = part.deck.name if name else None
            deck, matching = reimport_package(existing, part.deck, name=renamed)
        if _write_import(out, file, deck, part.media, matching, replace=force) != EXIT_OK:
            return EXIT_FAILED
    return EXIT_OK


def _existing_deck(out: Path, *, force: bool) -> tuple[Deck | None, str | None]:
    """The deck already at `out` (None if there is none), or why the import must stop."""
    if (problem := _out_problem(out)) is not None:
        return None, f"{out}: {problem}"
    if not (out.exists() or out.is_symlink()):
        return None, None
    if not force:
        return None, f"{out} already exists; add --force to replace it"
    try:
        return load_deck(out), None
    except DeckError:
        return None, (
            f"{out} is not a valid deck, so its card ids cannot be kept: fix it"
            f" (python -m bot check-decks {out}) or delete it first"
        )


def _write_import(
    out: Path,
    file: Path,
    deck: Deck,
    media: dict[str, bytes],
    matching: CardMatching | None,
    *,
    replace: bool,
) -> int:
    # The images first: a deck file is never written that names a file not there yet.
    if (failure := _write_media(out, deck, media)) is not None:
        _error(failure)
        return EXIT_FAILED
    if (failure := _write_out(out, dump_deck(deck), replace=replace)) is not None:
        _error(failure)
        return EXIT_FAILED
    _report_import(out, file, deck, matching)
    return EXIT_OK


def _without_media(deck: Deck) -> Deck:
    """The deck for stdout: media files are written only beside an --out deck."""
    local = [card for card in deck.cards if card.image and is_media_path(card.image)]
    if not local:
        return deck
    print(
        f"warning: {len(local)} card(s) lost their image: images are written only with --out",
        file=sys.stderr,
    )
    cards = tuple(
        replace(card, image=None) if card.image and is_media_path(card.image) else card
        for card in deck.cards
    )
    return replace(deck, cards=cards)


def _write_media(out: Path, deck: Deck, media: dict[str, bytes]) -> str | None:
    """Write the package's images the deck's cards show into `<out stem>.media/` beside it;
    None, or the error message. A file already there with the same bytes is left alone."""
    names = {
        card.image.split("/", 1)[1]
        for card in deck.cards
        if card.image and is_media_path(card.image) and card.image.split("/", 1)[1] in media
    }
    if not names:
        return None
    folder = out.parent / media_folder(out.stem)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for file_name in sorted(names):
            target = folder / file_name
            data = media[file_name]
            if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
                continue
            temporary = folder / f".{file_name}.importing"
            try:
                temporary.write_bytes(data)
                os.replace(temporary, target)
            finally:
                temporary.unlink(missing_ok=True)
    except OSError as exc:
        return f"{folder}: cannot write: {_write_failure(folder) or exc.strerror or exc}"
    print(f"{folder}: {len(names)} image(s)", file=sys.stderr)
    return None


def _write_out(out: Path, text: str, *, replace: bool) -> str | None:
    """Write the deck file, creating its folder; None, or the error message."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _write_deck(out, text, replace=replace)
    except FileExistsError:
        # mkdir's, when a file is where a folder should be; else the exclusive create's.
        if (failure := _write_failure(out)) is not None:
            return f"{out}: cannot write: {failure}"
        return f"{out} already exists; add --force to replace it"
    except OSError as exc:
        return f"{out}: cannot write: {_write_failure(out) or exc.strerror or exc}"
    return None


def _report_import(out: Path, file: Path, deck: Deck, matching: CardMatching | None) -> None:
    summary = f"{out}: {len(deck.cards)} cards from {file} ({deck.name})"
    if matching is None:
        print(summary, file=sys.stderr)
        return
    edited = matching.edited
    kept = "kept its id" if len(edited) == 1 else "kept their ids"
    counts = (
        f"{len(matching.kept) - len(edited)} unchanged, {len(edited)} edited ({kept}), "
        f"{len(matching.added)} added, {len(matching.retired)} retired"
    )
    lines = [f"{summary}: {counts}"]
    lines += _listed(
        "kept", [f"{k.card.id} ({k.reason}): {shown(k.card.question)}" for k in edited]
    )
    lines += _listed("added", [f"{c.id}: {shown(c.question)}" for c in matching.added])
    lines += _listed("retired", [f"{c.id}: {shown(c.question)}" for c in matching.retired])
    print("\n".join(lines), file=sys.stderr)


def _listed(verb: str, items: list[str]) -> list[str]:
    lines = [f"  {verb} {item}" for item in items[:MAX_SHOWN_PROBLEMS]]
    if len(items) > MAX_SHOWN_PROBLEMS:
        lines.append(f"  … and {len(items) - MAX_SHOWN_PROBLEMS} more {verb}")
    return lines


def _write_deck(out: Path, text: str, *, replace: bool) -> None:
    """Write a new file, or (`replace`) swap a complete new file in for the old one.

    Creating with O_EXCL refuses an existing file in the same step that would write it, so no
    deck is overwritten by a race between a check and the write. A replacement is written next
    to the old file and renamed over it: the old deck stays whole if anything fails midway.
    """
    if not replace:
        with out.open("x", encoding="utf-8") as file:
            file.write(text)
        return
    temporary = out.with_name(f".{out.name}.importing")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)


def _out_problem(out: Path) -> str | None:
    """Why `out` cannot become a deck the bot loads, found before any work is done."""
    if out.suffix.lower() not in DECK_SUFFIXES:
        return "not a deck file name: deck files end in .yaml or .yml"
    if out.is_dir():
        return "cannot write: it is a folder"
    if (message := check_deck_id(out.stem)) is not None:
        return f"{message}; the id is the file name"
    return None


def _write_failure(out: Path) -> str | None:
    """What stopped a write when errno's own words ("File exists", "Not a directory") would
    name neither the path at fault nor the fix: a folder on the way that is a file."""
    for parent in out.parents:
        if parent.exists():
            return None if parent.is_dir() else f"{parent} is a file, not a folder"
    return None


def check_decks(paths: Sequence[Path]) -> int:
    """Each problem once, on stdout as `path:line: message`; silent when every deck is valid."""
    problems = check_paths(paths)
    for problem in problems:
        print(problem)
    if problems:
        bad = len({p.path for p in problems})
        print(f"{bad} invalid deck file(s), {len(problems)} problem(s)", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def healthcheck(config: Config, max_age_seconds: int) -> int:
    """Healthy = the database file opens (read-only) as a Flashdrop database, and the bot's
    heartbeat is fresh."""
    from bot.storage import StorageError

    try:
        asyncio.run(_open_and_close(config))
    except StorageError as exc:
        print(f"unhealthy: {exc}")
        return EXIT_FAILED
    problem = heartbeat_problem(
        config.heartbeat_path, SystemClock().now(), timedelta(seconds=max_age_seconds)
    )
    if problem:
        print(f"unhealthy: {problem}")
        return EXIT_FAILED
    print("healthy")
    return EXIT_OK


async def _open_and_close(config: Config) -> None:
    from bot.storage.storage import Storage

    storage = await Storage.open_read_only(config.database_path)
    await storage.close()


def export_csv(config: Config, what: Literal["ratings", "schedule"], guild_id: int | None) -> int:
    """Write the export on stdout. A reader that stops early (`| head`) ends it quietly."""
    from bot.storage import StorageError

    try:
        asyncio.run(_export(config, what, guild_id))
    except StorageError as exc:
        _error(f"database.path: {exc}")
        return EXIT_FAILED
    except BrokenPipeError:
        # Python would report the pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    return EXIT_OK


# Stability and difficulty are floats: repr would print 2.3 and 2.3000000000000003 side by
# side, so every float is written with the same number of decimals.
FLOAT_DECIMALS = 4


def csv_cells(values: Sequence[CsvValue]) -> tuple[CsvValue, ...]:
    """A row's values as written: floats with FLOAT_DECIMALS decimals, the rest unchanged."""
    return tuple(f"{v:.{FLOAT_DECIMALS}f}" if isinstance(v, float) else v for v in values)


async def _export(
    config: Config, what: Literal["ratings", "schedule"], guild_id: int | None
) -> None:
    from bot.storage.export import RatingExportRow, ScheduleExportRow
    from bot.storage.storage import Storage

    writer = csv.writer(sys.stdout, lineterminator="\n")
    async with await Storage.open_read_only(config.database_path) as storage:
        if what == "ratings":
            writer.writerow(RatingExportRow.HEADER)
            async for rating in storage.export.export_ratings(guild_id):
                writer.writerow(csv_cells(rating.csv_values()))
        else:
            writer.writerow(ScheduleExportRow.HEADER)
            async for state in storage.export.export_schedule(guild_id):
                writer.writerow(csv_cells(state.csv_values()))


def backup(config: Config, target: Path) -> int:
    """A consistent copy of the database in the new file `target`, safe while the bot runs."""
    from bot.storage import StorageError

    if target.exists() or target.is_symlink():
        _error(f"{target} exists; choose a new file name")
        return EXIT_FAILED
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _error(f"cannot create the folder {target.parent}: {exc.strerror or exc}")
        return EXIT_FAILED
    try:
        asyncio.run(_backup(config, target))
    except StorageError as exc:
        _error(str(exc))
        return EXIT_FAILED
    print(f"backed up {config.database_path} to {target}", file=sys.stderr)
    return EXIT_OK


async def _backup(config: Config, target: Path) -> None:
    from bot.storage.storage import Storage

    async with await Storage.open_read_only(config.database_path) as storage:
        await storage.export.backup(target)

"""Anki packages (.apkg, .colpkg) to a Deck, with the media files its cards show.

read_package is the whole reader: the command line and (later) `/deck import` call it, off the
event loop, and get a Deck that passes check-decks, the image files its cards refer to, and
warnings to show. It never runs anything from the package: the zip is read with limits
(package.py), the collection is copied to a private temporary file and read with sqlite3
(collection.py), and every note becomes deck entries, `Note`s (cards.py): basic, reversed or
cloze, whose cards bot.core.card_types makes, as it does for a deck file's entries.

A note's id comes from Anki's own identity of the note, its guid (bot.decks.anki_ids), and its
cards' ids from the note's, so an updated export of the same notes keeps every id, whatever was
edited (reimport_package).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Final

from bot.core.card_types import ClozeError, expand
from bot.core.models import (
    MAX_ANSWER_CHARS,
    MAX_DECK_NAME_CHARS,
    MAX_QUESTION_CHARS,
    MAX_TAG_CHARS,
    Card,
    CardKind,
    Deck,
    Note,
)
from bot.decks import anki_ids, rules
from bot.decks.errors import DeckError, Problem, shown
from bot.decks.fitting import oversize_problem
from bot.decks.importers.anki.cards import Entry, note_entries
from bot.decks.importers.anki.collection import (
    MAX_CARDS,
    MAX_NOTES,
    CardRow,
    Collection,
    NoteType,
)
from bot.decks.importers.anki.package import (
    MAX_MEDIA_FILE_BYTES,
    MAX_PACKAGE_BYTES,
    MIB,
    MediaRef,
    Package,
    PackageError,
    open_package,
)
from bot.decks.importers.anki.result import AnkiImport, media_folder
from bot.decks.importers.anki.subdecks import split_subdecks
from bot.decks.importers.common import normalize_text, slugify
from bot.decks.importers.htmltext import (
    drop_sounds,
    has_sound,
    html_to_markdown,
    image_sources,
    strip_anki_markup,
)
from bot.decks.matching import CardMatching, KeptCard, MatchReason, match_cards, new_version

__all__ = [
    "MAX_CARDS",
    "MAX_MEDIA_BYTES",
    "MAX_MEDIA_FILE_BYTES",
    "MAX_NOTES",
    "MAX_PACKAGE_BYTES",
    "PACKAGE_SUFFIXES",
    "AnkiImport",
    "looks_like_package",
    "media_folder",
    "read_package",
    "reimport_package",
    "split_subdecks",
]

PACKAGE_SUFFIXES: Final = (".apkg", ".colpkg")
# All the images a deck's cards show, together.
MAX_MEDIA_BYTES: Final = 64 * MIB
MAX_SHOWN_WARNINGS: Final = 10
_ZIP_MAGIC: Final = b"PK\x03\x04"
# The question of a card whose front is only an image.
_IMAGE_ONLY: Final = "(the image)"
_MEDIA_NAME_JUNK: Final = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_MEDIA_NAME: Final = 100
_IMAGE_SUFFIXES: Final = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp"})


def looks_like_package(path: str | os.PathLike[str]) -> bool:
    """An .apkg/.colpkg name, or a file that starts like a zip."""
    if Path(path).suffix.lower() in PACKAGE_SUFFIXES:
        return True
    try:
        with open(path, "rb") as file:
            return file.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
    except OSError:
        return False


def read_package(
    path: str | os.PathLike[str], *, name: str | None = None, deck_id: str | None = None
) -> AnkiImport:
    """Read an Anki package into a deck named `name` (else its top deck's name, else the file
    name) with id `deck_id` (else the name slugified). Raises DeckError, one problem per line."""
    shown_path = str(path)
    try:
        with open_package(Path(path)) as package, tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "collection.sqlite"
            package.extract_collection(target)
            collection = Collection(target)
            try:
                return _Reader(package, collection, shown_path).read(name, deck_id)
            finally:
                collection.close()
    except PackageError as error:
        raise DeckError.single(shown_path, None, str(error)) from error
    except OSError as error:
        message = f"cannot read: {error.strerror or error}"
        raise DeckError.single(shown_path, None, message) from error


class _Reader:
    def __init__(self, package: Package, collection: Collection, path: str) -> None:
        self.package, self.collection, self.path = package, collection, path
        self.deck_id = ""
        self.warnings: list[str] = []
        self.sounds = 0
        self.answer_images = 0
        self.skipped: list[str] = []
        self.cards_made = 0

    def read(self, name: str | None, deck_id: str | None) -> AnkiImport:
        notes, cards = self.collection.counts()
        if notes > MAX_NOTES or cards > MAX_CARDS:
            raise PackageError(
                f"the package holds {notes:,} notes and {cards:,} cards; at most "
                f"{MAX_NOTES:,} notes and {MAX_CARDS:,} cards are read (a deck file holds about "
                "7,000 cards): export the notes in parts of a few thousand"
            )
        note_types = self.collection.note_types()
        deck_names = self.collection.deck_names()
        used = self.collection.used_deck_ids()
        used_decks = sorted({deck_names.get(deck, "") for deck in used} - {""})
        tops = {deck.split("::")[0] for deck in used_decks} - {"Default"}
        deck_name = name or (tops.pop() if len(tops) == 1 else None) or Path(self.path).stem
        if deck_id is None:
            deck_id = slugify(name or Path(self.path).stem)
        self.deck_id = deck_id
        problems = self._deck_problems(deck_id, deck_name)
        media_list = self.package.media()
        tag_decks = len(used_decks) > 1
        parsed = [
            item
            # one row at a time, one note's rows together: memory stays bounded
            for _, rows in itertools.groupby(self.collection.cards(), lambda row: row.note_id)
            for item in self._note(list(rows), note_types, deck_names, tag_decks)
        ]
        if not parsed and not problems:
            problems.append(Problem(self.path, None, "no cards found"))
        if problems:
            raise DeckError(problems)
        cards_, media = self._media(parsed, media_list, deck_id)
        if not cards_:
            raise DeckError.single(self.path, None, "no cards found")
        deck = Deck(deck_id, deck_name, tuple(cards_), source=self.path)
        if (problem := oversize_problem(deck, self.path)) is not None:
            raise DeckError([problem])
        kept = {card.note_id for card in cards_}
        subdecks = (
            {item.note.id: item.subdeck for item in parsed if item.note.id in kept and item.subdeck}
            if tag_decks
            else {}
        )
        return AnkiImport(deck, media, tuple(self._summary()), subdecks)

    def _deck_problems(self, deck_id: str, deck_name: str) -> list[Problem]:
        problems: list[Problem] = []
        if (message := rules.check_deck_id(deck_id)) is not None:
            problems.append(Problem(self.path, None, message))
        name_message = rules.check_text(
            "deck name", deck_name, MAX_DECK_NAME_CHARS, single_line=True
        )
        if name_message is not None:
            problems.append(Problem(self.path, None, name_message))
        return problems

    def _note(
        self,
        rows: list[CardRow],
        note_types: dict[int, NoteType],
        deck_names: dict[int, str],
        tag_decks: bool,
    ) -> list[_Parsed]:
        """The entries of one Anki note (its card rows), each checked as a deck file's."""
        row = rows[0]
        where = f"note {row.note_id}"
        note_type = note_types.get(row.notetype_id)
        if note_type is None:
            self.skipped.append(f"{where}: its note type is missing")
            return []
        if row.fields is None:
            self.skipped.append(f"{where}: the note is too long for a card")
            return []
        fields = dict(zip(note_type.fields, row.fields, strict=False))
        entries = note_entries(note_type, fields, [r.ord for r in rows])
        tags = [tag for tag in row.tags.split() if rules.check_tag(tag) is None]
        deck_path = deck_names.get(row.deck_id, "")
        if tag_decks and deck_path and (tag := deck_path[:MAX_TAG_CHARS].strip()):
            tags.append(tag)
        note_id = anki_ids.note_id(row.guid, self.deck_id)
        parsed: list[_Parsed] = []
        for entry in entries:
            item = self._entry(entry, note_id, tuple(dict.fromkeys(tags)), where)
            if item is None:
                return []  # a note is kept whole or left out
            parsed.append(replace(item, subdeck=deck_path))
        return parsed

    def _entry(
        self, entry: Entry, note_id: str, tags: tuple[str, ...], where: str
    ) -> _Parsed | None:
        if has_sound(entry.question) or has_sound(entry.answer):
            self.sounds += 1
        cloze = entry.kind is CardKind.CLOZE
        question = _text(entry.question, keep_cloze=cloze)
        answer = _text(entry.answer)
        # A card's image is shown with its question: an image of the answer would give it away.
        images = image_sources(entry.question)
        if set(image_sources(entry.answer)) - set(images):
            self.answer_images += 1
        if not question and images:
            question = _IMAGE_ONLY
        note = Note(note_id + entry.suffix, entry.kind, question, answer or None, tags=tags)
        if cloze and (message := rules.check_text("text", question, MAX_QUESTION_CHARS)):
            self.skipped.append(f"{where}: {message}")
            return None
        try:
            cards = expand(note)
        except (ClozeError, ValueError) as error:
            self.skipped.append(f"{where}: {error}" if cloze else f"{where}: answer is empty")
            return None
        # A cloze note makes a card per number of its text, whatever cards the package lists:
        # the rows counted in read() do not bound them.
        self.cards_made += len(cards)
        if self.cards_made > MAX_CARDS:
            raise PackageError(
                f"the package's notes make more than {MAX_CARDS:,} cards (a deck file holds"
                " about 7,000): export the notes in parts of a few thousand"
            )
        for card in cards:
            for side, text, limit in (
                ("question", card.question, MAX_QUESTION_CHARS),
                ("answer", card.answer, MAX_ANSWER_CHARS),
            ):
                if (message := rules.check_text(side, text, limit)) is not None:
                    self.skipped.append(f"{where} card {_card_label(note, card)}: {message}")
                    return None
        return _Parsed(note, images, where)

    def _media(
        self, parsed: list[_Parsed], media_list: dict[str, MediaRef], deck_id: str
    ) -> tuple[list[Card], dict[str, bytes]]:
        """The cards with their images, and the image files they name (a card's first image:
        a Discord embed shows one)."""
        images = _Images(self.package, media_list, media_folder(deck_id))
        cards: list[Card] = []
        seen: set[str] = set()
        for item in parsed:
            if item.note.id in seen:
                self.skipped.append(f"{item.where}: its note's guid is used twice")
                continue
            seen.add(item.note.id)
            image, problem = images.image(item.images[0]) if item.images else (None, None)
            if problem is not None:
                self.skipped.append(f"{item.where}: image left out: {problem}")
            if image is None and item.note.question == _IMAGE_ONLY:
                self.skipped.append(f"{item.where}: its question is an image that is not kept")
                continue
            cards.extend(expand(replace(item.note, image=image)))
        if images.missing:
            self.warnings.append(
                f"{images.missing} card(s) show an image the package does not hold"
            )
        return cards, images.files

    def _summary(self) -> list[str]:
        lines = list(self.warnings)
        if self.sounds:
            lines.append(
                f"{self.sounds} card(s) had sounds ([sound:…]): Discord cannot play them,"
                " so they were dropped"
            )
        if self.answer_images:
            lines.append(
                f"{self.answer_images} card(s) had images in their answer: a card's image is"
                " shown with its question, so they were dropped"
            )
        for skipped in self.skipped[:MAX_SHOWN_WARNINGS]:
            lines.append(f"left out {skipped}")
        if len(self.skipped) > MAX_SHOWN_WARNINGS:
            lines.append(f"… and {len(self.skipped) - MAX_SHOWN_WARNINGS} more left out")
        return [f"{self.path}: {line}" for line in lines]


class _Images:
    """The package's images that cards show, read once each, within MAX_MEDIA_BYTES."""

    def __init__(self, package: Package, media_list: dict[str, MediaRef], folder: str) -> None:
        self.package, self.media_list, self.folder = package, media_list, folder
        self.files: dict[str, bytes] = {}  # file name in the media folder -> bytes
        self._named: dict[str, str] = {}  # name in the package -> file name
        self._total = 0
        self.missing = 0

    def image(self, source: str) -> tuple[str | None, str | None]:
        """The card's `image:` for an <img src>, and why it is left out (or None)."""
        if rules.check_image(source) is None:
            return source, None  # a web image: Discord fetches it
        if source in self._named:
            return f"{self.folder}/{self._named[source]}", None
        file_name = media_file_name(source)
        if file_name is None:
            return None, f"{shown(source)} is not an image file"
        ref = self.media_list.get(source)
        try:
            data = None if ref is None else self.package.read_media(ref)
        except PackageError as error:
            return None, str(error)
        if data is None:
            self.missing += 1
            return None, None
        if self._total + len(data) > MAX_MEDIA_BYTES:
            return None, f"the deck's images pass {MAX_MEDIA_BYTES // MIB} MiB"
        self._total += len(data)
        self._named[source] = file_name
        self.files[file_name] = data
        return f"{self.folder}/{file_name}", None


@dataclass(frozen=True, slots=True)
class _Parsed:
    note: Note
    images: list[str]
    where: str
    subdeck: str = ""


def _card_label(note: Note, card: Card) -> str:
    # "note 1 card 2" as before for a note's first card; a typed note's others by their suffix.
    return card.id[len(note.id) + 1 :] if card.id != note.id else "1"


def _text(html: str, *, keep_cloze: bool = False) -> str:
    """Anki field HTML as Discord markdown; a cloze text keeps its {{c…}} markup for its cards."""
    # Anki shows a field's line breaks only as <br>; a raw newline is a space in its HTML.
    unmarked = drop_sounds(html) if keep_cloze else strip_anki_markup(html)
    return normalize_text(html_to_markdown(unmarked.replace("\n", " ")).strip())


def media_file_name(source: str) -> str | None:
    """A safe file name for a media file of the package: no folders, no dot files, only
    letters, digits, '.', '_' and '-'; a renamed file gets a hash of its name, so two names
    that clean up alike stay apart. None if it is no image."""
    base = PurePosixPath(source.replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in _IMAGE_SUFFIXES:
        return None
    stem = unicodedata.normalize("NFKD", base[: -len(suffix)]).encode("ascii", "ignore").decode()
    clean = _MEDIA_NAME_JUNK.sub("-", stem).strip("-._")[:_MAX_MEDIA_NAME] or "image"
    if f"{clean}{suffix}" != source:
        digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        clean = f"{clean}-{digest}"
    return f"{clean}{suffix}"


def reimport_package(
    existing: Deck, imported: Deck, *, name: str | None = None
) -> tuple[Deck, CardMatching]:
    """`imported` (from a package) as the new version of `existing`. A card whose id the
    existing deck has keeps it (the same Anki note and card: its id says so); only the rest are
    matched by content (bot.decks.matching), so a deck first imported from a text export keeps
    its ids too. The deck's name (unless `name`), description and tags stay."""
    old_ids = {card.id for card in existing.cards}
    new_ids = {card.id for card in imported.cards}
    old_rest = [card for card in existing.cards if card.id not in new_ids]
    new_rest = [card for card in imported.cards if card.id not in old_ids]
    rest = match_cards(old_rest, new_rest)
    by_old_id = {card.id: card for card in existing.cards}
    rest_cards = iter(rest.cards)
    rest_kept = {kept.card.id: kept for kept in rest.kept}
    cards: list[Card] = []
    kept: list[KeptCard] = []
    for card in imported.cards:
        if card.id in old_ids:
            old = by_old_id[card.id]
            card = replace(card, hint=card.hint or old.hint, image=card.image or old.image)
            kept.append(KeptCard(old, card, _reason(old, card)))
        else:
            card = next(rest_cards)
            if card.id in rest_kept:
                kept.append(rest_kept[card.id])
        cards.append(card)
    deck = new_version(existing, imported, tuple(cards), name=name)
    return deck, CardMatching(deck.cards, tuple(kept), rest.added, rest.retired)


def _reason(old: Card, new: Card) -> MatchReason:
    # The id already says it is the same Anki card; the reason tells what of its text is left.
    if old.question == new.question and old.answer == new.answer:
        return MatchReason.UNCHANGED
    if old.question == new.question:
        return MatchReason.SAME_QUESTION
    if old.answer == new.answer:
        return MatchReason.SAME_ANSWER
    return MatchReason.SIMILAR

"""Reading an Anki collection file: note types, deck names and the cards of each note.

This is a foreign file format that happens to be SQLite, not Flashdrop's storage, so it is the
one module outside bot/storage that uses sqlite3 (tests/test_architecture.py names it). The
file is a private temporary copy, opened read-only and immutable, with untrusted schema
features off; only plain tables are read (a "notes" that is a view could run any query), and a
progress handler stops any statement that runs past the time limit.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Final

from bot.decks.importers.anki import protobuf
from bot.decks.importers.anki.package import PackageError

MAX_NOTES: Final = 20_000
MAX_CARDS: Final = 20_000
# A note whose fields hold more than this is no card Discord can show (1,800 characters a
# side); it is left out rather than read.
MAX_NOTE_CHARS: Final = 20_000
QUERY_SECONDS: Final = 20.0
_REQUIRED_TABLES: Final = ("col", "notes", "cards")
# A damaged file: SQLite's own errors (their message, quoting a broken schema, may not even be
# UTF-8), and values of the wrong type where a number or text belongs.
_DAMAGE: Final = (sqlite3.Error, UnicodeDecodeError, ValueError, TypeError, OverflowError)


class Kind(Enum):
    NORMAL = 0
    CLOZE = 1


@dataclass(frozen=True, slots=True)
class Template:
    ord: int
    front: str
    back: str


@dataclass(frozen=True, slots=True)
class NoteType:
    name: str
    kind: Kind
    fields: tuple[str, ...]
    templates: tuple[Template, ...]


@dataclass(frozen=True, slots=True)
class CardRow:
    """One card of the collection with its note: Anki's own identity is (guid, ord)."""

    note_id: int
    guid: str
    notetype_id: int
    tags: str
    fields: tuple[str, ...] | None  # None: the note is over MAX_NOTE_CHARS
    ord: int
    deck_id: int


class Collection:
    def __init__(self, path: Path) -> None:
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        try:
            self.db = sqlite3.connect(uri, uri=True, isolation_level=None)
        except sqlite3.Error as error:
            raise PackageError(f"the collection cannot be opened ({error})") from error
        # Text that is not UTF-8 must not raise in the middle of a row.
        self.db.text_factory = lambda data: data.decode("utf-8", "replace")
        deadline = time.monotonic() + QUERY_SECONDS
        self.db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            self.db.execute("PRAGMA trusted_schema = OFF")
            self.db.execute("PRAGMA query_only = ON")
            tables = {
                name
                for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except _DAMAGE as error:
            self.db.close()
            raise _failure(error) from error
        missing = [table for table in _REQUIRED_TABLES if table not in tables]
        if missing:
            self.db.close()
            raise PackageError(f"not an Anki collection: no {', '.join(missing)} table")
        self.schema18 = "notetypes" in tables and "decks" in tables

    def close(self) -> None:
        self.db.close()

    def _rows(self, sql: str, *params: Any) -> list[Any]:
        with _reading():
            return self.db.execute(sql, params).fetchall()

    def counts(self) -> tuple[int, int]:
        """(notes, cards)."""
        with _reading():
            [(notes,)] = self._rows("SELECT count(*) FROM notes")
            [(cards,)] = self._rows("SELECT count(*) FROM cards")
            return int(notes), int(cards)

    def note_types(self) -> dict[int, NoteType]:
        with _reading():
            return self._note_types_18() if self.schema18 else self._note_types_11()

    def deck_names(self) -> dict[int, str]:
        with _reading():
            return self._deck_names()

    def _deck_names(self) -> dict[int, str]:
        if self.schema18:
            rows = self._rows("SELECT id, name FROM decks")
            return {int(i): str(name).replace("\x1f", "::") for i, name in rows}
        decks = _json_object(self._col_value("decks"), "decks")
        names: dict[int, str] = {}
        for key, deck in decks.items():
            if isinstance(deck, dict) and isinstance(deck.get("name"), str):
                names[_int(key)] = deck["name"]
        return names

    def used_deck_ids(self) -> set[int]:
        with _reading():
            rows = self._rows("SELECT DISTINCT CASE WHEN odid THEN odid ELSE did END FROM cards")
            return {int(did) for (did,) in rows}

    def cards(self) -> Iterator[CardRow]:
        """Every card with its note, in note order (creation order) then card order."""
        sql = (
            "SELECT n.id, n.guid, n.mid, n.tags,"
            f" CASE WHEN length(n.flds) > {MAX_NOTE_CHARS} THEN NULL ELSE n.flds END,"
            " c.ord, CASE WHEN c.odid THEN c.odid ELSE c.did END"
            " FROM cards c JOIN notes n ON n.id = c.nid ORDER BY n.id, c.ord"
        )
        with _reading():
            for nid, guid, mid, tags, flds, ord_, did in self.db.execute(sql):
                fields = None if flds is None else tuple(str(flds).split("\x1f"))
                yield CardRow(
                    int(nid), str(guid), int(mid), str(tags or ""), fields, int(ord_), int(did)
                )

    def _col_value(self, column: str) -> str:
        rows = self._rows(f"SELECT {column} FROM col LIMIT 1")
        if not rows:
            raise PackageError("not an Anki collection: its col table is empty")
        return str(rows[0][0] or "")

    def _note_types_11(self) -> dict[int, NoteType]:
        models = _json_object(self._col_value("models"), "note types")
        found: dict[int, NoteType] = {}
        for key, model in models.items():
            if not isinstance(model, dict):
                continue
            fields = tuple(
                str(f.get("name", "")) for f in model.get("flds") or [] if isinstance(f, dict)
            )
            templates = tuple(
                Template(_int(t.get("ord", i)), str(t.get("qfmt", "")), str(t.get("afmt", "")))
                for i, t in enumerate(model.get("tmpls") or [])
                if isinstance(t, dict)
            )
            kind = Kind.CLOZE if model.get("type") == 1 else Kind.NORMAL
            found[_int(key)] = NoteType(str(model.get("name", "")), kind, fields, templates)
        return found

    def _note_types_18(self) -> dict[int, NoteType]:
        fields: dict[int, list[tuple[int, str]]] = {}
        for ntid, ord_, name in self._rows("SELECT ntid, ord, name FROM fields"):
            fields.setdefault(int(ntid), []).append((int(ord_), str(name)))
        templates: dict[int, list[Template]] = {}
        try:
            for ntid, ord_, config in self._rows("SELECT ntid, ord, config FROM templates"):
                # CardTemplateConfig { string q_format = 1; string a_format = 2; ... }
                data = bytes(config or b"")
                template = Template(
                    int(ord_), protobuf.first_text(data, 1), protobuf.first_text(data, 2)
                )
                templates.setdefault(int(ntid), []).append(template)
            found: dict[int, NoteType] = {}
            for ntid, name, config in self._rows("SELECT id, name, config FROM notetypes"):
                # NotetypeConfig { Kind kind = 1; ... } with KIND_CLOZE = 1
                kind = Kind.CLOZE if protobuf.first_int(bytes(config or b""), 1) else Kind.NORMAL
                found[int(ntid)] = NoteType(
                    str(name),
                    kind,
                    tuple(name for _, name in sorted(fields.get(int(ntid), []))),
                    tuple(sorted(templates.get(int(ntid), []), key=lambda t: t.ord)),
                )
        except ValueError as error:
            raise PackageError(f"a note type's settings are damaged ({error})") from error
        return found


@contextmanager
def _reading() -> Iterator[None]:
    try:
        yield
    except PackageError:
        raise
    except _DAMAGE as error:
        raise _failure(error) from error


def _failure(error: Exception) -> PackageError:
    if not isinstance(error, sqlite3.Error):
        return PackageError("the collection is damaged: a value has the wrong type or encoding")
    text = str(error)
    if "interrupted" in text:
        return PackageError(
            f"reading the collection took over {QUERY_SECONDS:.0f} s; gave up: export it in parts"
        )
    if "not a database" in text:
        return PackageError("the collection is not an SQLite database")
    return PackageError(f"the collection is damaged or not an Anki collection ({text})")


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except (ValueError, RecursionError) as error:
        raise PackageError(f"the collection's {what} are not valid JSON") from error
    if not isinstance(value, dict):
        raise PackageError(f"the collection's {what} are not valid JSON")
    return value


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1

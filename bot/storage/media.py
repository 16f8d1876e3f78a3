"""The media files of guilds' decks (the images of an uploaded Anki package), content-addressed.

A file's bytes are stored once, keyed by their SHA-256 (`media`), however many decks or names
refer to them; each deck of a guild names its files (`deck_media`: owner, deck id, the name
after "<deck id>.media/"). Library decks keep their media as files beside the deck file and are
not stored here. Saving adds or renames files and never drops one, so media saved before a deck
that then fails to save are only unreferenced names, never a deck's lost image; `retain` forgets
the names a deck no longer uses once the deck itself is stored, and `forget_unused` those of
removed decks (and of an import that crashed before storing its deck), so the per-guild media
limit counts what is really kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Collection, Iterable, Mapping

import aiosqlite

from bot.storage.database import Database, change, change_many, fetch_all, fetch_one


def media_digest(data: bytes) -> str:
    """The key a file's bytes are stored under: their SHA-256, hex."""
    return hashlib.sha256(data).hexdigest()


class MediaStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def save(self, owner: int, deck_id: str, files: Mapping[str, bytes]) -> None:
        """Add `files` (name -> bytes) to the media of guild `owner`'s deck `deck_id`; a name
        it has already now means these bytes. Bytes already stored are not stored again."""
        if not files:
            return
        named = await asyncio.to_thread(_digests, files)
        blobs = {digest: files[name] for name, digest in named.items()}
        async with self._database.transaction() as db:
            rows = await fetch_all(
                db,
                "SELECT name, digest FROM deck_media WHERE owner = ? AND deck_id = ?",
                (owner, deck_id),
            )
            replaced = {row["digest"] for row in rows if row["name"] in named}
            await change_many(
                db,
                "INSERT INTO media (digest, size, data) VALUES (?, ?, ?)"
                " ON CONFLICT (digest) DO NOTHING",
                [(digest, len(data), data) for digest, data in blobs.items()],
            )
            await change_many(
                db,
                "INSERT INTO deck_media (owner, deck_id, name, digest) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (owner, deck_id, name) DO UPDATE SET digest = excluded.digest",
                [(owner, deck_id, name, digest) for name, digest in named.items()],
            )
            await _drop_unreferenced(db, replaced - set(blobs))

    async def retain(self, owner: int, deck_id: str, names: Collection[str]) -> None:
        """Forget the deck's files not in `names`, and the bytes no deck refers to any more."""
        keep = set(names)
        async with self._database.transaction() as db:
            rows = await fetch_all(
                db,
                "SELECT name, digest FROM deck_media WHERE owner = ? AND deck_id = ?",
                (owner, deck_id),
            )
            gone = [row for row in rows if row["name"] not in keep]
            await change_many(
                db,
                "DELETE FROM deck_media WHERE owner = ? AND deck_id = ? AND name = ?",
                [(owner, deck_id, row["name"]) for row in gone],
            )
            await _drop_unreferenced(db, {row["digest"] for row in gone})

    async def files(self, owner: int, deck_id: str) -> dict[str, bytes]:
        """Every file of the deck, by name."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                "SELECT dm.name, m.data FROM deck_media dm JOIN media m ON m.digest = dm.digest"
                " WHERE dm.owner = ? AND dm.deck_id = ? ORDER BY dm.name",
                (owner, deck_id),
            )
        return {row["name"]: bytes(row["data"]) for row in rows}

    async def names(self, owner: int, deck_id: str) -> set[str]:
        """The names of the deck's files (their bytes not read)."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                "SELECT name FROM deck_media WHERE owner = ? AND deck_id = ?",
                (owner, deck_id),
            )
        return {row["name"] for row in rows}

    async def load(self, owner: int, deck_id: str, name: str) -> bytes | None:
        """The bytes of the deck's file `name`; None if the deck has no such file."""
        async with self._database.reading() as db:
            row = await fetch_one(
                db,
                "SELECT m.data FROM deck_media dm JOIN media m ON m.digest = dm.digest"
                " WHERE dm.owner = ? AND dm.deck_id = ? AND dm.name = ?",
                (owner, deck_id, name),
            )
        return bytes(row["data"]) if row else None

    async def total_bytes(self, owner: int, *, besides: Collection[str] = ()) -> int:
        """The bytes the media of the guild's live decks take, leaving out the decks
        `besides`; a file that several of its decks hold counts once."""
        async with self._database.reading() as db:
            row = await fetch_one(
                db,
                "SELECT coalesce(sum(m.size), 0) AS n FROM media m WHERE m.digest IN ("
                " SELECT dm.digest FROM deck_media dm JOIN decks d"
                " ON d.owner = dm.owner AND d.deck_id = dm.deck_id AND d.retired = 0"
                " WHERE dm.owner = ? AND dm.deck_id NOT IN"
                " (SELECT value FROM json_each(?)))",
                (owner, json.dumps(sorted(besides))),
            )
        return int(row["n"]) if row else 0

    async def forget_unused(self, owner: int | None = None) -> int:
        """Forget the names of the guild's (or every guild's) decks that are not live (a
        removed deck, or media saved by an import that never stored its deck) and the bytes
        nothing refers to then, so removing decks frees what the media limit counts; how many
        names were forgotten. Call it where no import of that guild is between saving its
        media and its deck (the catalog's lock, or at start)."""
        async with self._database.transaction() as db:
            forgotten = await change(
                db,
                "DELETE FROM deck_media WHERE owner = coalesce(?, owner) AND NOT EXISTS"
                " (SELECT 1 FROM decks d WHERE d.owner = deck_media.owner"
                " AND d.deck_id = deck_media.deck_id AND d.retired = 0)",
                (owner,),
            )
            await change(
                db,
                "DELETE FROM media WHERE NOT EXISTS"
                " (SELECT 1 FROM deck_media dm WHERE dm.digest = media.digest)",
            )
        return forgotten


def _digests(files: Mapping[str, bytes]) -> dict[str, str]:
    return {name: media_digest(data) for name, data in files.items()}


async def _drop_unreferenced(db: aiosqlite.Connection, digests: Iterable[str]) -> None:
    """Delete the bytes of `digests` that no deck's file refers to any more."""
    for digest in digests:
        await change(
            db,
            "DELETE FROM media WHERE digest = ? AND NOT EXISTS"
            " (SELECT 1 FROM deck_media dm WHERE dm.digest = media.digest)",
            (digest,),
        )

"""The decks in the database: the library's mirrored from the deck files, and the guilds' own.

A card's identity is (owner, deck id, card id): owner 0 is the shared library (the decks folder,
synced at start-up), any other owner is the guild a deck was uploaded to, whose source (the deck
YAML the bot wrote) is kept here. A card's content is kept only as a hash, to report edits.
Cards that disappear are retired, never deleted: their ratings and schedules stay, and they
come back as they were if the card returns. A library sync never touches a guild's deck.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import aiosqlite

from bot.core.models import Card, CardRef, Deck
from bot.storage.database import Database, change, change_many, fetch_all, fetch_one


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """What `sync_decks` changed; each tuple sorted."""

    added: tuple[CardRef, ...] = ()  # new, or back after being retired
    changed: tuple[CardRef, ...] = ()  # question, answer, hint, tags or image edited
    retired: tuple[CardRef, ...] = ()


LIBRARY = 0  # the owner of the decks folder's decks


def owner_of(guild: str, deck: str) -> str:
    """SQL for the owner of the deck `deck` names as guild `guild` sees it: the guild's own deck
    of that id if it has one, else the library's (NULL if neither). Both arguments are SQL
    expressions (column names or `?`), never data."""
    return (
        f"(SELECT max(od.owner) FROM decks od WHERE od.deck_id = {deck}"
        f" AND od.owner IN (0, {guild}) AND od.retired = 0)"
    )


@dataclass(frozen=True, slots=True)
class StoredDeck:
    """A guild's deck as stored: its id and the deck YAML it was saved from."""

    guild_id: int
    deck_id: str
    source: str


class DeckStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def sync_decks(
        self, decks: Iterable[Deck], *, unavailable: Collection[str] = ()
    ) -> SyncSummary:
        """Make the cards table match `decks`.

        `unavailable`: ids of decks whose file exists but failed to load this time; their cards
        are left alone rather than retired over a typo.
        """
        decks = list(decks)
        async with self._database.transaction() as db:
            return await _sync(db, LIBRARY, decks, [(deck, None) for deck in decks], unavailable)

    async def save_guild_deck(self, guild_id: int, deck: Deck, source: str) -> SyncSummary:
        """Store `deck` as guild `guild_id`'s own, from `source` (its deck YAML), replacing the
        guild's deck of that id: its cards missing from `deck` are retired, history kept."""
        if guild_id == LIBRARY:
            raise ValueError("a guild deck needs a guild id")
        async with self._database.transaction() as db:
            others = [d for d in await _owned_deck_ids(db, guild_id) if d != deck.id]
            return await _sync(db, guild_id, [deck], [(deck, source)], others)

    async def retire_guild_deck(self, guild_id: int, deck_id: str) -> None:
        """Retire a guild's deck and its cards; their history stays, and saving the deck again
        brings back the cards it still has."""
        if guild_id == LIBRARY:
            raise ValueError("a guild deck needs a guild id")
        async with self._database.transaction() as db:
            await change(
                db,
                "UPDATE cards SET retired = 1 WHERE owner = ? AND deck_id = ?",
                (guild_id, deck_id),
            )
            await change(
                db,
                "UPDATE decks SET retired = 1 WHERE owner = ? AND deck_id = ?",
                (guild_id, deck_id),
            )

    async def guild_decks(self) -> list[StoredDeck]:
        """Every guild's decks (not the retired ones), by guild and deck id."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                "SELECT owner, deck_id, source FROM decks"
                " WHERE owner != 0 AND retired = 0 ORDER BY owner, deck_id",
            )
        return [StoredDeck(row["owner"], row["deck_id"], row["source"]) for row in rows]

    async def guild_card_count(self, guild_id: int, *, besides: str | None = None) -> int:
        """How many live cards the guild's own decks hold, leaving out deck `besides`."""
        async with self._database.reading() as db:
            row = await fetch_one(
                db,
                "SELECT count(*) AS n FROM cards WHERE owner = ? AND retired = 0"
                " AND deck_id IS NOT ?",
                (guild_id, besides),
            )
        return int(row["n"]) if row else 0


async def _sync(
    db: aiosqlite.Connection,
    owner: int,
    decks: list[Deck],
    rows: list[tuple[Deck, str | None]],
    unavailable: Collection[str],
) -> SyncSummary:
    """Make `owner`'s cards match `decks`; decks of `owner` not named (nor `unavailable`) retire."""
    wanted = _wanted_cards(decks)
    known = await _known_cards(db, owner)
    await change_many(
        db,
        "INSERT INTO decks (owner, deck_id, name, source) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (owner, deck_id) DO UPDATE SET name = excluded.name,"
        " source = excluded.source, retired = 0",
        [(owner, deck.id, deck.name, source) for deck, source in rows],
    )
    await change_many(
        db,
        "INSERT INTO cards (owner, deck_id, card_id, position, content_hash)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner, deck_id, card_id) DO UPDATE SET"
        " position = excluded.position, content_hash = excluded.content_hash, retired = 0",
        [(owner, ref.deck_id, ref.card_id, pos, digest) for ref, (pos, digest) in wanted.items()],
    )
    gone = sorted(
        ref
        for ref, (_, retired) in known.items()
        if not retired and ref not in wanted and ref.deck_id not in unavailable
    )
    await change_many(
        db,
        "UPDATE cards SET retired = 1 WHERE owner = ? AND deck_id = ? AND card_id = ?",
        [(owner, ref.deck_id, ref.card_id) for ref in gone],
    )
    await _retire_missing_decks(db, owner, {deck.id for deck in decks} | set(unavailable))
    return SyncSummary(
        added=tuple(sorted(ref for ref in wanted if ref not in known or known[ref][1])),
        changed=tuple(
            sorted(ref for ref, (_, digest) in wanted.items() if _edited(known, ref, digest))
        ),
        retired=tuple(gone),
    )


def content_hash(card: Card) -> str:
    content = [card.question, card.answer, card.hint, list(card.tags), card.image]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def _wanted_cards(decks: list[Deck]) -> dict[CardRef, tuple[int, str]]:
    wanted: dict[CardRef, tuple[int, str]] = {}
    for deck in decks:
        for position, card in enumerate(deck.cards):
            ref = CardRef(deck.id, card.id)
            if ref in wanted:
                raise ValueError(f"deck {deck.id!r} has card id {card.id!r} twice")
            wanted[ref] = (position, content_hash(card))
    return wanted


def _edited(known: dict[CardRef, tuple[str, bool]], ref: CardRef, digest: str) -> bool:
    return ref in known and not known[ref][1] and known[ref][0] != digest


async def _known_cards(db: aiosqlite.Connection, owner: int) -> dict[CardRef, tuple[str, bool]]:
    rows = await fetch_all(
        db, "SELECT deck_id, card_id, content_hash, retired FROM cards WHERE owner = ?", (owner,)
    )
    return {
        CardRef(row["deck_id"], row["card_id"]): (row["content_hash"], bool(row["retired"]))
        for row in rows
    }


async def _owned_deck_ids(db: aiosqlite.Connection, owner: int) -> list[str]:
    rows = await fetch_all(db, "SELECT deck_id FROM decks WHERE owner = ?", (owner,))
    return [row["deck_id"] for row in rows]


async def _retire_missing_decks(db: aiosqlite.Connection, owner: int, present: set[str]) -> None:
    rows = await fetch_all(
        db, "SELECT deck_id FROM decks WHERE owner = ? AND retired = 0", (owner,)
    )
    for row in rows:
        if row["deck_id"] not in present:
            await change(
                db,
                "UPDATE decks SET retired = 1 WHERE owner = ? AND deck_id = ?",
                (owner, row["deck_id"]),
            )

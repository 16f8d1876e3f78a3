"""Mirroring the deck files in the database, so ratings and schedules can refer to cards.

Runs at start-up. A card's identity is (deck id, card id) from the file; its content is kept
only as a hash, to report edits. Cards that disappear are retired, never deleted: their
ratings and schedules stay, and they come back as they were if the card returns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import aiosqlite

from bot.core.models import Card, CardRef, Deck
from bot.storage.database import Database, change, change_many, fetch_all


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """What `sync_decks` changed; each tuple sorted."""

    added: tuple[CardRef, ...] = ()  # new, or back after being retired
    changed: tuple[CardRef, ...] = ()  # question, answer, hint, tags or image edited
    retired: tuple[CardRef, ...] = ()


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
        wanted = _wanted_cards(decks)
        async with self._database.transaction() as db:
            known = await _known_cards(db)
            await _save_decks(db, decks)
            await change_many(
                db,
                "INSERT INTO cards (deck_id, card_id, position, content_hash) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (deck_id, card_id) DO UPDATE SET position = excluded.position,"
                " content_hash = excluded.content_hash, retired = 0",
                [(ref.deck_id, ref.card_id, pos, digest) for ref, (pos, digest) in wanted.items()],
            )
            gone = sorted(
                ref
                for ref, (_, retired) in known.items()
                if not retired and ref not in wanted and ref.deck_id not in unavailable
            )
            await change_many(
                db,
                "UPDATE cards SET retired = 1 WHERE deck_id = ? AND card_id = ?",
                [(ref.deck_id, ref.card_id) for ref in gone],
            )
            await _retire_missing_decks(db, {deck.id for deck in decks} | set(unavailable))
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


async def _known_cards(db: aiosqlite.Connection) -> dict[CardRef, tuple[str, bool]]:
    rows = await fetch_all(db, "SELECT deck_id, card_id, content_hash, retired FROM cards")
    return {
        CardRef(row["deck_id"], row["card_id"]): (row["content_hash"], bool(row["retired"]))
        for row in rows
    }


async def _save_decks(db: aiosqlite.Connection, decks: list[Deck]) -> None:
    await change_many(
        db,
        "INSERT INTO decks (deck_id, name) VALUES (?, ?)"
        " ON CONFLICT (deck_id) DO UPDATE SET name = excluded.name, retired = 0",
        [(deck.id, deck.name) for deck in decks],
    )


async def _retire_missing_decks(db: aiosqlite.Connection, present: set[str]) -> None:
    rows = await fetch_all(db, "SELECT deck_id FROM decks WHERE retired = 0")
    for row in rows:
        if row["deck_id"] not in present:
            await change(db, "UPDATE decks SET retired = 1 WHERE deck_id = ?", (row["deck_id"],))

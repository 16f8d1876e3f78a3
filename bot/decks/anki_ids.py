"""Anki's identity of a note, its guid, as a Flashdrop note id and back. Pure.

A deck entry (a `Note`) read from an Anki package takes its id from the note's guid, so an updated
export of the same notes keeps every card's id whatever was edited; the cards' ids then follow
from the note's (bot.core.card_types: `<id>`, `<id>-reverse`, `<id>-c<n>`, and `<id>-t<n>` for
the further cards of a custom note type).

Both ways, so a deck exported to Anki and imported back keeps its ids, and a deck that came from
Anki goes back as the same notes (Anki updates them instead of adding copies):

- a guid Flashdrop wrote, `flashdrop:<deck id>/<note id>`, gives that note id back when read
  into that deck (into another, it is kept whole like any other guid);
- any other guid of at most `_MAX_ENCODED_BYTES` bytes (Anki's own are 10 characters) is kept
  whole: `a-` and its UTF-8 bytes in hex, which `guid_for` decodes;
- a longer guid gives `a-h` and a hash: stable, but it cannot be given back, so such a note
  goes back to Anki under a Flashdrop guid.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from bot.decks import rules

GUID_PREFIX: Final = "flashdrop:"
_ENCODED_PREFIX: Final = "a-"
_HASHED_PREFIX: Final = "a-h"
# Room for the longest suffix a card id gets ("-reverse"), within the card id limit (64).
_MAX_ENCODED_BYTES: Final = 24
_ENCODED: Final = re.compile(r"a-((?:[0-9a-f]{2})+)")


def note_id(guid: str, deck_id: str) -> str:
    """The Flashdrop note id of the Anki note `guid`, read into the deck `deck_id`. A
    Flashdrop guid gives its note id back only into the deck it names: two exported decks
    merged in Anki may both hold a note `q1`."""
    if guid.startswith(GUID_PREFIX):
        deck, _, own = guid[len(GUID_PREFIX) :].rpartition("/")
        valid = rules.check_card_id(own) is None and len(own) <= _MAX_ENCODED_BYTES * 2
        if deck == deck_id and valid:
            return own
    raw = guid.encode("utf-8", "surrogatepass")
    if 0 < len(raw) <= _MAX_ENCODED_BYTES:
        return _ENCODED_PREFIX + raw.hex()
    return _HASHED_PREFIX + hashlib.sha256(raw).hexdigest()[:16]


def guid_for(deck_id: str, note_id_: str) -> str:
    """The guid a note of deck `deck_id` is written to Anki with: the one it came from, when its
    id holds it, else a Flashdrop guid naming the deck and the note."""
    if (match := _ENCODED.fullmatch(note_id_)) is not None:
        try:
            return bytes.fromhex(match.group(1)).decode("utf-8")
        except UnicodeDecodeError:
            pass
    return f"{GUID_PREFIX}{deck_id}/{note_id_}"

"""One read Anki package as one deck per sub-deck ("A::B"), as a member may choose. Pure.

read_package gives one deck whose cards are tagged with their Anki deck; split_subdecks gives
instead one deck per Anki deck the notes are in:

- ids `<deck id>-<slug of the sub-deck>`: when every Anki deck is under one top deck, the
  sub-deck's path below it ("Biology::Cells" -> `<deck id>-cells`), and the top deck's own
  notes keep `<deck id>`; else the whole path ("Spanish::Verbs" -> `<deck id>-spanish-verbs`);
- names readable, `A / B`, under the deck's name when there is one top deck ("Bio / Cells");
- the deck tag the reader gave a card is dropped (its deck says it); other tags stay;
- each deck gets the media files its cards show, in its own media folder; the reader's
  warnings go with the first deck (they are the package's, shown once).

A note is in its first card's deck. Card ids do not change: a card keeps its schedule whether
its package is imported whole or split.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from bot.core.card_types import expand
from bot.core.models import MAX_DECK_NAME_CHARS, MAX_TAG_CHARS, Card, Deck
from bot.decks import rules
from bot.decks.importers.anki.result import AnkiImport, media_folder
from bot.decks.importers.common import slugify

_SEPARATOR: Final = "::"
_SHOWN_SEPARATOR: Final = " / "


def split_subdecks(imported: AnkiImport) -> list[AnkiImport]:
    """One AnkiImport per Anki deck the notes are in, in the order of their first cards; the
    import as it is when its cards are all in one deck."""
    if not imported.subdecks:
        return [imported]
    groups: dict[str, list[Card]] = {}
    for card in imported.deck.cards:
        groups.setdefault(imported.subdecks.get(card.note_id, ""), []).append(card)
    if len(groups) == 1:
        [path] = groups
        return [replace(imported, deck=_retagged(imported, imported.deck.id, path), subdecks={})]
    tops = {path.split(_SEPARATOR)[0] for path in groups if path}
    top = tops.pop() if len(tops) == 1 else None
    used: set[str] = set()
    result: list[AnkiImport] = []
    for index, path in enumerate(groups):
        below = _below(path, top)
        deck_id = _deck_id(imported.deck.id, below, index, used)
        used.add(deck_id)
        parts = [imported.deck.name, *below] if top is not None else below or [imported.deck.name]
        deck = _retagged(imported, deck_id, path, groups[path])
        deck = replace(deck, name=_name(parts))
        media = {
            name: data
            for name, data in imported.media.items()
            if f"{media_folder(deck_id)}/{name}" in {card.image for card in deck.cards}
        }
        warnings = imported.warnings if not result else ()
        result.append(AnkiImport(deck, media, warnings))
    return result


def _below(path: str, top: str | None) -> list[str]:
    parts = [part.strip() for part in path.split(_SEPARATOR) if part.strip()] if path else []
    return parts[1:] if top is not None and parts and parts[0] == top else parts


def _deck_id(base: str, below: list[str], index: int, used: set[str]) -> str:
    if not below:
        candidate = base
    else:
        slug = slugify("-".join(below)) or f"d{index + 1}"
        candidate = f"{base}-{slug}"[: rules.MAX_DECK_ID_CHARS].rstrip("-_")
    number = 1
    unique = candidate
    while unique in used:
        number += 1
        suffix = f"-{number}"
        unique = candidate[: rules.MAX_DECK_ID_CHARS - len(suffix)] + suffix
    return unique


def _name(parts: list[str]) -> str:
    name = " ".join(_SHOWN_SEPARATOR.join(parts).split())  # one line
    if len(name) > MAX_DECK_NAME_CHARS:
        name = name[: MAX_DECK_NAME_CHARS - 1].rstrip() + "…"
    return name


def _retagged(
    imported: AnkiImport, deck_id: str, path: str, cards: list[Card] | None = None
) -> Deck:
    """The deck `deck_id` of `cards` (else all): their deck tag dropped, their media files in
    its folder. A typed note's cards are made again from the note, as its entry is written."""
    old_folder = media_folder(imported.deck.id) + "/"
    new_folder = media_folder(deck_id) + "/"
    deck_tag = path[:MAX_TAG_CHARS].strip()

    def moved(image: str | None) -> str | None:
        if image is not None and image.startswith(old_folder):
            return new_folder + image[len(old_folder) :]
        return image

    def tags(tags_: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(tag for tag in tags_ if tag != deck_tag)

    result: list[Card] = []
    done: set[str] = set()
    for card in imported.deck.cards if cards is None else cards:
        if card.note is None:
            result.append(replace(card, tags=tags(card.tags), image=moved(card.image)))
        elif card.note.id not in done:
            done.add(card.note.id)
            note = card.note
            result.extend(expand(replace(note, tags=tags(note.tags), image=moved(note.image))))
    return replace(imported.deck, id=deck_id, cards=tuple(result))

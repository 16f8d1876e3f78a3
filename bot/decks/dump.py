"""Write a Deck as deck-file YAML that parse_deck reads back to an equal Deck.

Multi-line texts use block literals (`|`) so the file reads like the card; PyYAML falls back to
a quoted style by itself whenever a literal could not hold the text exactly (trailing spaces,
control characters), and quotes strings YAML would otherwise read as numbers or booleans.

A deck is written as its entries: the cards of one reversed or cloze note are one entry with
its `type`, written where the note's first card is, so parsing the file gives the same cards
with the same ids.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.core.models import Card, CardKind, Deck, Note
from bot.decks.yamlsafe import STR_TAG

# Wide enough that no line is ever folded: a folded line is harder to diff and to edit.
_NO_FOLDING = 1_000_000


class _FlowList(list[str]):
    """A list written inline, `[a, b]`: tags read better that way."""


class _DeckDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        # Deck files refuse anchors and aliases, so never write them, even for shared values.
        return True


# YAML reads these as line breaks wherever they appear raw; only a double-quoted escape keeps them.
_UNUSUAL_BREAKS = frozenset("\x85\u2028\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None
    if not _UNUSUAL_BREAKS.isdisjoint(value):
        style = '"'
    elif "\n" in value:
        style = "|"
    return dumper.represent_scalar(STR_TAG, value, style=style)


def _represent_flow_list(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_DeckDumper.add_representer(str, _represent_str)
_DeckDumper.add_representer(_FlowList, _represent_flow_list)


def _dump(data: object) -> str:
    return yaml.dump(
        data, Dumper=_DeckDumper, sort_keys=False, allow_unicode=True, width=_NO_FOLDING
    )


def _card_data(card: Card) -> dict[str, object]:
    data: dict[str, object] = {"id": card.id, "question": card.question, "answer": card.answer}
    return _with_extras(data, card.hint, card.tags, card.image)


def _note_data(note: Note) -> dict[str, object]:
    data: dict[str, object] = {"id": note.id}
    if note.kind is not CardKind.BASIC:
        data["type"] = note.kind.value
    data["question"] = note.question
    if note.answer is not None:
        data["answer"] = note.answer
    return _with_extras(data, note.hint, note.tags, note.image)


def _with_extras(
    data: dict[str, object], hint: str | None, tags: tuple[str, ...], image: str | None
) -> dict[str, object]:
    if hint is not None:
        data["hint"] = hint
    if tags:
        data["tags"] = _FlowList(tags)
    if image is not None:
        data["image"] = image
    return data


def deck_entries(deck: Deck) -> list[dict[str, object]]:
    """The deck's entries in card order: a card without a note as itself, a note once."""
    written: set[str] = set()
    found: list[dict[str, object]] = []
    for card in deck.cards:
        if card.note is None:
            found.append(_card_data(card))
        elif card.note.id not in written:
            written.add(card.note.id)
            found.append(_note_data(card.note))
    return found


def dump_deck(deck: Deck) -> str:
    """The deck as YAML text, cards separated by blank lines. The deck id is not written:
    it is the name of the file the text is saved to."""
    head, cards = deck_file_parts(deck)
    return head + "\n".join(cards)


def deck_file_parts(deck: Deck) -> tuple[str, list[str]]:
    """dump_deck's text in pieces: everything before the first entry, then each entry's text
    (a card's, or a reversed or cloze note's). The file is `head + "\n".join(entries)`; the
    pieces let a caller try a prefix of the entries without dumping them again."""
    head: dict[str, object] = {"name": deck.name}
    if deck.description is not None:
        head["description"] = deck.description
    if deck.tags:
        head["tags"] = _FlowList(deck.tags)
    # Each entry is dumped on its own so a blank line can separate them without touching
    # anything inside a scalar.
    return f"{_dump(head)}cards:\n", [_dump([entry]) for entry in deck_entries(deck)]

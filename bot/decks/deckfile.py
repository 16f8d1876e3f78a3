"""Parse and validate one deck file (YAML) into a Deck, reporting every problem with its line.

Validation walks the composed node tree rather than constructed values, so every message can
name the line of the offending value. Scalars are taken as YAML types them: `answer: yes` is a
boolean, not the text "yes", and is reported as such (with a hint to quote it) instead of being
silently turned into "True".

An entry's `type` (basic, reversed, cloze) says how many cards it makes; `bot.core.card_types`
makes them. Entry ids and the ids derived from them (`<id>-reverse`, `<id>-c1`) share one
namespace, so a clash between them is a duplicate id on the later line.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.core.card_types import ClozeError, expand
from bot.core.models import (
    MAX_ANSWER_CHARS,
    MAX_CARD_ID_CHARS,
    MAX_DECK_NAME_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_HINT_CHARS,
    MAX_QUESTION_CHARS,
    Card,
    CardKind,
    Deck,
    Note,
)
from bot.decks import rules
from bot.decks.errors import MAX_SHOWN_CHARS, DeckError, Problem, shown
from bot.decks.files import MAX_FILE_BYTES, decode, too_large_message
from bot.decks.yamlsafe import YamlError, compose, describe, is_null, is_str, node_line

DECK_KEYS: Final = ("name", "description", "tags", "cards")
CARD_KEYS: Final = ("id", "question", "answer", "hint", "tags", "image", "type")
CARD_TYPES: Final = tuple(kind.value for kind in CardKind)
# A reversed entry's texts are each the question of one card and the answer of the other.
_REVERSED_LIMIT: Final = min(MAX_QUESTION_CHARS, MAX_ANSWER_CHARS)


def parse_deck(source: str | bytes, path: str | os.PathLike[str]) -> Deck:
    """Parse a deck file's content; the deck id is the file name's stem. Raises DeckError."""
    shown = str(path)
    text = _source_text(source, shown)
    checker = _DeckChecker(shown)
    deck_id = Path(path).stem
    if (message := rules.check_deck_id(deck_id)) is not None:
        checker.problems.append(Problem(shown, None, f"{message}; the id is the file name"))
    try:
        root = compose(text)
    except YamlError as error:
        raise DeckError([*checker.problems, Problem(shown, error.line, error.message)]) from error
    deck = checker.deck(root, deck_id)
    if checker.problems or deck is None:
        # Problems were collected in walk order; show them top to bottom like a compiler.
        raise DeckError(sorted(checker.problems, key=lambda p: p.line or 0))
    return deck


def _source_text(source: str | bytes, shown: str) -> str:
    if isinstance(source, bytes):
        if len(source) > MAX_FILE_BYTES:
            raise DeckError.single(shown, None, too_large_message())
        return decode(source, shown)
    if len(source) > MAX_FILE_BYTES or len(source.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise DeckError.single(shown, None, too_large_message())
    return source.removeprefix("\ufeff")


@dataclass
class _DeckChecker:
    """Walks a deck's node tree, building the Deck and collecting every problem on the way."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def report(self, node: Node | None, message: str) -> None:
        self.problems.append(Problem(self.path, None if node is None else node_line(node), message))

    def deck(self, root: Node | None, deck_id: str) -> Deck | None:
        if root is None:
            self.report(None, "file is empty; a deck needs a name and cards")
            return None
        if not isinstance(root, MappingNode):
            got = describe(root)
            self.report(root, f"top level must be a mapping with name and cards, got {got}")
            return None
        fields = self.mapping(root, DECK_KEYS, "")
        name = self.text(root, fields, "name", MAX_DECK_NAME_CHARS, "", single_line=True)
        description = self.optional_text(fields, "description", MAX_DESCRIPTION_CHARS, "")
        tags = self.tags(fields, "")
        cards = self.cards(root, fields)
        if name is None or cards is None:
            return None
        return Deck(deck_id, name, cards, description, tags, source=self.path)

    def mapping(self, node: MappingNode, allowed: tuple[str, ...], where: str) -> dict[str, Node]:
        """The mapping's values by key; reports odd, duplicate and unknown keys."""
        fields: dict[str, Node] = {}
        key_lines: dict[str, int | None] = {}
        for key_node, value_node in node.value:
            if not is_str(key_node):
                self.report(key_node, f"{where}keys must be strings, got {describe(key_node)}")
                continue
            key = str(key_node.value)
            if key in fields:
                first = key_lines[key]
                message = f"duplicate key {shown(key)} (first on line {first})"
                self.report(key_node, where + message)
            elif key not in allowed:
                self.report(key_node, f"{where}unknown key {shown(key)}{_suggestion(key, allowed)}")
            else:
                fields[key] = value_node
                key_lines[key] = node_line(key_node)
        return fields

    def string(self, fields: dict[str, Node], key: str, where: str) -> str | None:
        """The key's string value; None, with a problem reported, if it is of another type."""
        node = fields[key]
        if is_str(node):
            return str(node.value)
        self.report(node, f"{where}{key} must be a string, got {describe(node)}{_quote_hint(node)}")
        return None

    def text(
        self,
        owner: Node,
        fields: dict[str, Node],
        key: str,
        limit: int,
        where: str,
        *,
        single_line: bool = False,
    ) -> str | None:
        """A required text: present, a string, not blank, short enough for Discord."""
        if key not in fields:
            self.report(owner, f"{where}missing {key}")
            return None
        if is_null(fields[key]):
            self.report(fields[key], f"{where}{key} is empty")
            return None
        value = self.string(fields, key, where)
        if value is None:
            return None
        if (message := rules.check_text(key, value, limit, single_line=single_line)) is not None:
            self.report(fields[key], where + message)
            return None
        return value

    def optional_text(
        self, fields: dict[str, Node], key: str, limit: int, where: str
    ) -> str | None:
        if key not in fields or is_null(fields[key]):
            return None
        return self.text(fields[key], fields, key, limit, where)

    def tags(self, fields: dict[str, Node], where: str) -> tuple[str, ...]:
        node = fields.get("tags")
        if node is None or is_null(node):
            return ()
        if not isinstance(node, SequenceNode):
            self.report(node, f"{where}tags must be a list of strings, got {describe(node)}")
            return ()
        tags: list[str] = []
        for index, item in enumerate(node.value, start=1):
            if not is_str(item):
                self.report(item, f"{where}tag #{index} must be a string, got {describe(item)}")
            elif (message := rules.check_tag(str(item.value))) is not None:
                self.report(item, where + message)
            else:
                tags.append(str(item.value))
        return tuple(tags)

    def cards(self, root: MappingNode, fields: dict[str, Node]) -> tuple[Card, ...] | None:
        node = fields.get("cards")
        if node is None:
            self.report(root, "missing cards")
            return None
        if not isinstance(node, SequenceNode):
            self.report(node, f"cards must be a list of cards, got {describe(node)}")
            return None
        if not node.value:
            self.report(node, "cards is empty; a deck needs at least one card")
            return None
        # Where each entry id and derived card id was first used: "line 3", or "line 3, as the
        # reverse card of 'x'".
        first_uses: dict[str, str] = {}
        entries = [self.card(item, index, first_uses) for index, item in enumerate(node.value, 1)]
        return tuple(card for cards in entries for card in cards)

    def card(self, node: Node, index: int, first_uses: dict[str, str]) -> tuple[Card, ...]:
        """The cards of one entry; () when it has a problem (reported)."""
        if not isinstance(node, MappingNode):
            message = f"card #{index} must be a mapping with id, question and answer"
            self.report(node, f"{message}, got {describe(node)}")
            return ()
        where = _card_label(node, index)
        fields = self.mapping(node, CARD_KEYS, where)
        kind = self.kind(fields, where)
        card_id = self.card_id(node, fields, where, first_uses)
        if kind is CardKind.CLOZE:
            question = self.text(node, fields, "question", MAX_QUESTION_CHARS, where)
            answer = self.optional_text(fields, "answer", MAX_ANSWER_CHARS, where)
        else:
            reversed_ = kind is CardKind.REVERSED
            question_limit = _REVERSED_LIMIT if reversed_ else MAX_QUESTION_CHARS
            answer_limit = _REVERSED_LIMIT if reversed_ else MAX_ANSWER_CHARS
            question = self.text(node, fields, "question", question_limit, where)
            answer = self.text(node, fields, "answer", answer_limit, where)
        hint = self.optional_text(fields, "hint", MAX_HINT_CHARS, where)
        tags = self.tags(fields, where)
        image = self.image(fields, where)
        if kind is None or card_id is None or question is None:
            return ()
        if answer is None and kind is not CardKind.CLOZE:
            return ()
        try:
            cards = expand(Note(card_id, kind, question, answer, hint, tags, image))
        except ClozeError as error:
            self.report(fields["question"], f"{where}question: {error}")
            return ()
        if not self.cloze_answers_fit(fields, cards, where) or not self.derived_ids(
            fields["id"], card_id, cards, where, first_uses
        ):
            return ()
        return cards

    def kind(self, fields: dict[str, Node], where: str) -> CardKind | None:
        """The entry's `type` (basic when left out); None, reported, if it is not one."""
        if "type" not in fields or is_null(fields["type"]):
            return CardKind.BASIC
        value = self.string(fields, "type", where)
        if value is None:
            return None
        if value not in CARD_TYPES:
            message = f"type {shown(value)} is not a card type{_suggestion(value, CARD_TYPES)}"
            self.report(fields["type"], where + message)
            return None
        return CardKind(value)

    def cloze_answers_fit(
        self, fields: dict[str, Node], cards: tuple[Card, ...], where: str
    ) -> bool:
        """A cloze card's answer is the whole text plus the entry's answer: each must fit."""
        for card in cards:
            if card.kind is CardKind.CLOZE and len(card.answer) > MAX_ANSWER_CHARS:
                message = (
                    f"the answer of card {card.id!r} (the text, then the answer) is too long "
                    f"for Discord ({len(card.answer)} characters, limit {MAX_ANSWER_CHARS})"
                )
                self.report(fields.get("answer", fields["question"]), where + message)
                return False
        return True

    def derived_ids(
        self,
        id_node: Node,
        note_id: str,
        cards: tuple[Card, ...],
        where: str,
        first_uses: dict[str, str],
    ) -> bool:
        """Check and claim the ids an entry's cards derive from its own (`<id>-reverse`…)."""
        line = node_line(id_node)
        fine = True
        for card in cards:
            if card.id == note_id:
                continue
            label = _derived_label(note_id, card)
            if rules.check_card_id(card.id) is not None:
                message = (
                    f"id is too long for a {card.kind} card: the id {card.id!r} of its "
                    f"{label} would be over {MAX_CARD_ID_CHARS} characters"
                )
                self.report(id_node, where + message)
                fine = False
            elif card.id in first_uses:
                message = (
                    f"the id {card.id!r} of its {label} is already used ({first_uses[card.id]})"
                )
                self.report(id_node, where + message)
                fine = False
            else:
                first_uses[card.id] = f"line {line}, as the {label} of {note_id!r}"
        return fine

    def card_id(
        self,
        node: MappingNode,
        fields: dict[str, Node],
        where: str,
        first_uses: dict[str, str],
    ) -> str | None:
        if "id" not in fields:
            self.report(node, f"{where}missing id")
            return None
        card_id = self.string(fields, "id", where)
        if card_id is None:
            return None
        if (message := rules.check_card_id(card_id)) is not None:
            self.report(fields["id"], where + message)
            return None
        if card_id in first_uses:
            message = f"duplicate id (first used on {first_uses[card_id]})"
            self.report(fields["id"], where + message)
            return None
        first_uses[card_id] = f"line {node_line(fields['id'])}"
        return card_id

    def image(self, fields: dict[str, Node], where: str) -> str | None:
        if "image" not in fields or is_null(fields["image"]):
            return None
        url = self.string(fields, "image", where)
        if url is None:
            return None
        if (message := rules.check_image(url)) is not None:
            self.report(fields["image"], where + message)
            return None
        return url


def _derived_label(note_id: str, card: Card) -> str:
    """How messages name a card an entry derives: "reverse card", "cloze card c2"."""
    if card.kind is CardKind.CLOZE:
        return f"cloze card {card.id.removeprefix(note_id + '-')}"
    return "reverse card"


def _card_label(node: MappingNode, index: int) -> str:
    """How messages name a card: by its id when it has a usable one, else by its position."""
    ids = [value for key, value in node.value if is_str(key) and key.value == "id"]
    if ids and is_str(ids[0]) and rules.check_card_id(str(ids[0].value)) is None:
        return f"card {ids[0].value!r}: "
    return f"card #{index}: "


def _quote_hint(node: Node) -> str:
    """How to make a scalar a string (`answer: yes`); none for a value that a one-line message
    cannot repeat (several lines, control characters, too long)."""
    if not isinstance(node, ScalarNode) or not node.value:
        return ""
    if len(node.value) > MAX_SHOWN_CHARS or not node.value.isprintable():
        return ""
    return f' (write it in quotes: "{node.value}")'


def _suggestion(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f"; expected one of: {', '.join(allowed)}"

"""The deck parser run with libyaml and with PyYAML's pure-Python parser, as comparable values."""

from __future__ import annotations

import functools
import os
from unittest import mock

import pytest
from yaml.nodes import MappingNode, Node, ScalarNode

from bot.core.models import Deck
from bot.decks import DeckError, deckfile, parse_deck
from bot.decks.yamlsafe import LIBYAML, YamlError, compose, node_line

needs_libyaml = pytest.mark.skipif(not LIBYAML, reason="PyYAML is built without libyaml here")

Shape = tuple[object, ...] | None


def shape(node: Node | None) -> Shape:
    """A node tree as nested tuples of kind, tag, line and value: what validation reads.

    Presentation details are left out: libyaml and PyYAML disagree on the style they record
    for plain scalars ("" or None) and indentless lists (False or None), which nothing reads.
    """
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        return ("scalar", node.tag, node_line(node), node.value)
    if isinstance(node, MappingNode):
        pairs = tuple((shape(key), shape(value)) for key, value in node.value)
        return ("mapping", node.tag, node_line(node), pairs)
    return ("sequence", node.tag, node_line(node), tuple(shape(item) for item in node.value))


def composed(text: str, *, libyaml: bool) -> Shape:
    """compose()'s outcome: the tree's shape, or ("error", message, line)."""
    try:
        return shape(compose(text, libyaml=libyaml))
    except YamlError as error:
        return ("error", error.message, error.line)


def parsed(source: str | bytes, path: str | os.PathLike[str], *, libyaml: bool) -> Deck | str:
    """parse_deck()'s outcome with the chosen parser: the deck, or the error as printed."""
    with mock.patch.object(deckfile, "compose", functools.partial(compose, libyaml=libyaml)):
        try:
            return parse_deck(source, path)
        except DeckError as error:
            return str(error)

"""The guarded YAML composer: lines on every node, no anchors or aliases, capped size."""

from __future__ import annotations

import pytest
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from bot.decks import DeckError, parse_deck
from bot.decks.yamlsafe import YamlError, compose, describe, node_line

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_compose_keeps_the_line_of_every_node() -> None:
    root = compose("name: DL\ncards:\n- id: a\n  answer: |\n    x\n")
    assert isinstance(root, MappingNode)
    (_, name), (_, cards) = root.value
    assert isinstance(cards, SequenceNode)
    (card,) = cards.value
    (_, card_id), (_, answer) = card.value
    assert [node_line(node) for node in (name, cards, card_id, answer)] == [1, 3, 3, 4]
    assert isinstance(answer, ScalarNode) and answer.value == "x\n"


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_compose_returns_none_without_a_value(text: str) -> None:
    assert compose(text) is None


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        pytest.param(BILLION_LAUGHS, "anchors (&a) are not allowed here", 1, id="billion laughs"),
        pytest.param("a: *x\n", "aliases (*x) are not allowed here", 1, id="undefined alias"),
        pytest.param("a: 1\nb: &x [1]\n", "anchors (&x) are not allowed here", 2, id="anchor"),
        pytest.param(
            "a: 1\n---\nb: 2\n",
            "invalid YAML: expected a single document in the stream, but found another document",
            2,
            id="two documents",
        ),
        pytest.param(
            "a: [1, 2\nb: 3\n",
            "invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence"
            " on line 1)",
            2,
            id="unclosed list",
        ),
        pytest.param(
            "a: 1\n\tb: 2\n",
            "invalid YAML: found character '\\t' that cannot start any token"
            " (while scanning for the next token)",
            2,
            id="tab",
        ),
    ],
)
def test_compose_raises_yaml_error_with_line(text: str, message: str, line: int) -> None:
    with pytest.raises(YamlError) as info:
        compose(text)
    assert (info.value.message, info.value.line) == (message, line)
    assert str(info.value) == f"line {line}: {message}"


def test_parse_deck_rejects_billion_laughs_at_its_first_anchor() -> None:
    with pytest.raises(DeckError) as info:
        parse_deck(BILLION_LAUGHS, "decks/lol.yaml")
    assert str(info.value) == "decks/lol.yaml:1: anchors (&a) are not allowed here"


def test_compose_refuses_deep_nesting() -> None:
    with pytest.raises(YamlError) as info:
        compose("[" * 100_000)
    assert info.value.message == "nested more than 50 levels deep"


def test_compose_refuses_too_many_values() -> None:
    with pytest.raises(YamlError) as info:
        compose("[" + "1," * 200 + "1]", max_nodes=100)
    assert info.value.message == "too many values (more than 100); split the file"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", "a string"),
        ("'1'", "a string"),
        ("1", "a number"),
        ("1.5", "a number"),
        ("no", "true/false"),
        ("~", "nothing (null)"),
        ("2024-01-01", "a date"),
        ("[1]", "a list"),
        ("{a: 1}", "a mapping"),
        ("!custom x", "a value tagged !custom"),
    ],
)
def test_describe_names_the_yaml_type(text: str, expected: str) -> None:
    node = compose(text)
    assert node is not None
    assert describe(node) == expected

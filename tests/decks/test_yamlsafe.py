"""The guarded YAML composer: lines on every node, no anchors or aliases, capped size, with
libyaml or PyYAML's pure-Python parser alike."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from bot.decks import DeckError, parse_deck, yamlsafe
from bot.decks.yamlsafe import MAX_DEPTH, MAX_NODES, YamlError, compose, describe, node_line
from tests.decks.yamlparsers import composed, needs_libyaml

ROOT = Path(__file__).resolve().parents[2]

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


# --- libyaml and the pure-Python parser ------------------------------------------------------


def deep_block(levels: int) -> str:
    return "".join(" " * (2 * i) + "a:\n" for i in range(levels)) + " " * (2 * levels) + "x\n"


GUARDED = [
    pytest.param(BILLION_LAUGHS, {}, "anchors (&a) are not allowed here", 1, id="billion laughs"),
    pytest.param("a: 1\nb: [1, *x]\n", {}, "aliases (*x) are not allowed here", 2, id="alias"),
    pytest.param("a: 1\nb: &x [1]\n", {}, "anchors (&x) are not allowed here", 2, id="anchor"),
    pytest.param(
        "a: 1\nb: " + "[" * 60 + "]" * 60 + "\n",
        {},
        "nested more than 50 levels deep",
        2,
        id="deep brackets",
    ),
    pytest.param(deep_block(60), {}, "nested more than 50 levels deep", 50, id="deep block"),
    pytest.param(
        "a: 1\nb: [" + "1," * 200 + "1]\n",
        {"max_nodes": 100},
        "too many values (more than 100); split the file",
        2,
        id="too many values",
    ),
]


@needs_libyaml
@pytest.mark.parametrize(("text", "limits", "message", "line"), GUARDED)
def test_compose_with_libyaml_refuses_at_the_guard_itself(
    text: str, limits: dict[str, int], message: str, line: int
) -> None:
    # compose() asks the pure-Python parser for the final word on any refusal, so call the
    # libyaml path alone: the guards must stop libyaml's events too, at the same place.
    limits = {"max_depth": MAX_DEPTH, "max_nodes": MAX_NODES} | limits
    with pytest.raises(YamlError) as info:
        yamlsafe._compose_with_libyaml(text, limits["max_depth"], limits["max_nodes"], None)
    assert (info.value.message, info.value.line) == (message, line)


@pytest.mark.parametrize("libyaml", [pytest.param(True, marks=needs_libyaml), False])
@pytest.mark.parametrize(("text", "limits", "message", "line"), GUARDED)
def test_compose_refuses_the_same_with_either_parser(
    text: str, limits: dict[str, int], message: str, line: int, libyaml: bool
) -> None:
    with pytest.raises(YamlError) as info:
        compose(text, libyaml=libyaml, **limits)
    assert (info.value.message, info.value.line) == (message, line)


@needs_libyaml
def test_compose_with_libyaml_stops_early_on_a_100k_bracket_file() -> None:
    # libyaml refuses past its own depth limit (1,000) before the guard sees 50 levels; the
    # pure-Python parser then gives the guard's message (test_compose_refuses_deep_nesting).
    start = time.perf_counter()
    with pytest.raises((YamlError, yaml.YAMLError)):
        yamlsafe._compose_with_libyaml("[" * 100_000, MAX_DEPTH, MAX_NODES, None)
    assert time.perf_counter() - start < 5  # a sanity bound: milliseconds in practice


@pytest.fixture
def python_parser_unused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails the test if compose() falls back on the pure-Python parser."""

    def refuse(*args: object) -> None:
        raise AssertionError("the pure-Python parser was used")

    monkeypatch.setattr(yamlsafe, "_compose_with_python", refuse)


# Line breaks of every kind (CR LF; NEL and U+2028, which PyYAML alone counts), characters
# outside ASCII and the BMP before later nodes, and an empty value at the end of a file with no
# final line break (where libyaml's own marks are a line further on).
LINES = 'name: "é🃏 a\x85b\u2028c"\r\ncards:\r\n- id: x\r\n  answer: |\r\n    x\r\n  hint:'


@needs_libyaml
def test_compose_with_libyaml_counts_lines_like_an_editor(python_parser_unused: None) -> None:
    root = compose(LINES, libyaml=True)
    assert isinstance(root, MappingNode)
    (name_key, name), (cards_key, cards) = root.value
    assert isinstance(cards, SequenceNode)
    (card,) = cards.value
    (id_key, card_id), (answer_key, answer), (hint_key, hint) = card.value
    nodes = (name_key, name, cards_key, cards, id_key, card_id, answer_key, answer, hint_key, hint)
    assert [node_line(node) for node in nodes] == [1, 1, 2, 3, 3, 3, 4, 4, 6, 6]
    assert hint.tag == "tag:yaml.org,2002:null"


@needs_libyaml
def test_compose_with_libyaml_puts_an_empty_value_at_the_end_on_the_last_line(
    python_parser_unused: None,
) -> None:
    # libyaml ends an unended last line itself: its mark for the missing value is on line 3.
    root = compose("a: 1\n? b", libyaml=True)
    assert isinstance(root, MappingNode)
    _, (key, value) = root.value
    assert (key.value, value.tag) == ("b", "tag:yaml.org,2002:null")
    assert node_line(value) == 2


@pytest.mark.parametrize("text", [LINES, "a: 1\n? b", "a: 1\n? b\n"])
def test_compose_gives_the_same_lines_with_either_parser(text: str) -> None:
    assert composed(text, libyaml=True) == composed(text, libyaml=False)


@needs_libyaml
def test_parse_deck_uses_libyaml_for_an_ordinary_deck(python_parser_unused: None) -> None:
    text = "name: DL  # comment\ncards:\n- id: a\n  question: 'Why?'\n  answer: |\n    So.\n"
    deck = parse_deck(text + "  tags: [x, y]\n", "decks/dl.yaml")
    assert (deck.name, deck.cards[0].question, deck.cards[0].answer) == ("DL", "Why?", "So.\n")
    assert deck.cards[0].tags == ("x", "y")


@needs_libyaml
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "a: 1\nb: x\ty\n",
            ("error", "invalid YAML: found character '\\t' that cannot start any token", 2),
            id="tab in a value",
        ),
        pytest.param(
            "tags: [why?]\n",
            ("error", "invalid YAML: expected ',' or ']', but got '?'", 1),
            id="question mark in brackets",
        ),
        pytest.param(
            "a: |#\n  x\n",
            (
                "error",
                "invalid YAML: expected chomping or indentation indicators, but found '#'",
                1,
            ),
            id="comment on a block scalar's indicator",
        ),
        pytest.param(
            "a: !a:!b x\n",
            ("error", "invalid YAML: expected '!', but found ':'", 1),
            id="malformed tag",
        ),
        pytest.param("a: !\n", "tag:yaml.org,2002:null", id="lone exclamation mark"),
        pytest.param("a: 1\n\ufeffb: 2\n", "\ufeffb", id="byte order mark on a line"),
        pytest.param("a: {?\n}\n", 1, id="empty key in braces"),
    ],
)
def test_compose_leaves_what_libyaml_reads_differently_to_pyyaml(
    text: str, expected: object
) -> None:
    # libyaml alone would accept the first four and read the last three differently.
    outcome = composed(text, libyaml=True)
    assert outcome == composed(text, libyaml=False)
    if isinstance(expected, tuple):
        kind, message, line = expected
        assert outcome is not None
        assert (outcome[0], str(outcome[1]).split(" (")[0], outcome[2]) == (kind, message, line)
        return
    root = compose(text, libyaml=True)
    assert isinstance(root, MappingNode)
    key, value = root.value[-1]
    if isinstance(value, MappingNode):  # {?\n}: the empty key's line
        ((empty_key, _),) = value.value
        assert node_line(empty_key) == expected
    elif expected == "\ufeffb":
        assert key.value == expected
    else:
        assert value.tag == expected


def test_compose_without_libyaml_uses_the_python_parser(tmp_path: Path) -> None:
    # A PyYAML built without libyaml: its C module cannot be imported.
    code = (
        "import sys\n"
        "sys.modules['yaml._yaml'] = None\n"
        "import yaml\n"
        "from bot.decks import parse_deck, yamlsafe\n"
        "deck = parse_deck('name: N\\ncards:\\n- {id: a, question: Q, answer: A}\\n', 'n.yaml')\n"
        "print(yaml.__with_libyaml__, yamlsafe.LIBYAML, yamlsafe.PARSER, deck.cards[0].answer)\n"
        "try:\n"
        "    yamlsafe.compose('a: 1', libyaml=True)\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "False False PyYAML's pure-Python parser (no libyaml) A",
        "PyYAML was built without libyaml",
    ]

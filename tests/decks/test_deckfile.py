"""Deck file parsing: each problem is reported as `path:line: message`, all of them at once."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.models import (
    MAX_DESCRIPTION_CHARS,
    MAX_HINT_CHARS,
    MAX_QUESTION_CHARS,
    Card,
    CardKind,
    Deck,
)
from bot.decks import DeckError, check_paths, parse_deck
from bot.decks.files import MAX_FILE_BYTES

PATH = "decks/dl.yaml"

GOOD = """\
name: Deep learning
description: Lecture 9
tags: [ml]
cards:
- id: cnn-1
  question: What is a CNN?
  answer: |
    A network
    with convolutions.
  hint: Think of images.
  tags: [cnn, vision]
  image: https://example.com/cnn.png
- id: cnn-2
  question: "Pooling: what for?"
  answer: Less variability.
"""


def problems_of(text: str | bytes, path: str = PATH) -> list[str]:
    with pytest.raises(DeckError) as info:
        parse_deck(text, path)
    return [str(problem) for problem in info.value.problems]


def deck_yaml(cards: str, head: str = "name: DL\n") -> str:
    """A deck whose cards start on line 3 (head is one line)."""
    return head + "cards:\n" + textwrap.dedent(cards)


def test_parse_deck_reads_every_field() -> None:
    deck = parse_deck(GOOD, PATH)
    assert deck == Deck(
        id="dl",
        name="Deep learning",
        description="Lecture 9",
        tags=("ml",),
        cards=(
            Card(
                "cnn-1",
                "What is a CNN?",
                "A network\nwith convolutions.\n",
                hint="Think of images.",
                tags=("cnn", "vision"),
                image="https://example.com/cnn.png",
            ),
            Card("cnn-2", "Pooling: what for?", "Less variability."),
        ),
    )
    assert deck.source == PATH


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode(), id="utf-8 bytes"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="bom bytes"),
        pytest.param(lambda text: "\ufeff" + text, id="bom str"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
    ],
)
def test_parse_deck_accepts_bom_and_crlf(encode: Callable[[str], str | bytes]) -> None:
    assert parse_deck(encode(GOOD), PATH) == parse_deck(GOOD, PATH)


CASES = [
    pytest.param(
        deck_yaml("""\
            - id: cnn-1
              question: What is a CNN?
            """),
        "decks/dl.yaml:3: card 'cnn-1': missing answer",
        id="missing answer",
    ),
    pytest.param(
        deck_yaml("""\
            - id: cnn-1
              answer: A network.
            """),
        "decks/dl.yaml:3: card 'cnn-1': missing question",
        id="missing question",
    ),
    pytest.param(
        deck_yaml("""\
            - id: cnn-1
              question: What is a CNN?
              answer: "  "
            """),
        "decks/dl.yaml:5: card 'cnn-1': answer is empty",
        id="blank answer",
    ),
    pytest.param(
        deck_yaml("""\
            - id: cnn-1
              question: What is a CNN?
              answer:
            """),
        "decks/dl.yaml:5: card 'cnn-1': answer is empty",
        id="null answer",
    ),
    pytest.param(
        deck_yaml("""\
            - id: a
              question: Q1
              answer: A1
            - id: a
              question: Q2
              answer: A2
            """),
        "decks/dl.yaml:6: card 'a': duplicate id (first used on line 3)",
        id="duplicate id",
    ),
    pytest.param(
        deck_yaml("""\
            - question: Q
              answer: A
            """),
        "decks/dl.yaml:3: card #1: missing id",
        id="missing id",
    ),
    pytest.param(
        deck_yaml("""\
            - id: 1
              question: Q
              answer: A
            """),
        'decks/dl.yaml:3: card #1: id must be a string, got a number (write it in quotes: "1")',
        id="int id",
    ),
    pytest.param(
        deck_yaml("""\
            - id: two words
              question: Q
              answer: A
            """),
        "decks/dl.yaml:3: card #1: id 'two words' may only contain letters, digits, '.', '_'"
        " and '-', 1-64 characters",
        id="bad id",
    ),
    pytest.param(
        deck_yaml("""\
            - id: c
              question: Is it?
              answer: yes
            """),
        "decks/dl.yaml:5: card 'c': answer must be a string, got true/false"
        ' (write it in quotes: "yes")',
        id="bool answer",
    ),
    pytest.param(
        deck_yaml("""\
            - id: c
              question: [a, b]
              answer: A
            """),
        "decks/dl.yaml:4: card 'c': question must be a string, got a list",
        id="list question",
    ),
    pytest.param(
        deck_yaml("""\
            - id: c
              question: Q
              anwser: A
            """),
        "decks/dl.yaml:3: card 'c': missing answer\n"
        "decks/dl.yaml:5: card 'c': unknown key 'anwser' (did you mean 'answer'?)",
        id="misspelt card key",
    ),
    pytest.param(
        deck_yaml(
            """\
            - id: c
              question: Q
              answer: A
            """,
            head="name: DL\ndescripton: x\n",
        ),
        "decks/dl.yaml:2: unknown key 'descripton' (did you mean 'description'?)",
        id="misspelt top key",
    ),
    pytest.param(
        deck_yaml(
            """\
            - id: c
              question: Q
              answer: A
            """,
            head="name: DL\nfoo: x\n",
        ),
        "decks/dl.yaml:2: unknown key 'foo'; expected one of: name, description, tags, cards",
        id="unknown top key",
    ),
    pytest.param(
        deck_yaml("""\
            - id: c
              question: Q
              answer: A
              answer: B
            """),
        "decks/dl.yaml:6: card 'c': duplicate key 'answer' (first on line 5)",
        id="duplicate key",
    ),
    pytest.param(
        deck_yaml(f"""\
            - id: c
              question: {"x" * (MAX_QUESTION_CHARS + 1)}
              answer: A
            """),
        f"decks/dl.yaml:4: card 'c': question is too long for Discord"
        f" ({MAX_QUESTION_CHARS + 1} characters, limit {MAX_QUESTION_CHARS})",
        id="question too long",
    ),
    pytest.param(
        deck_yaml(f"""\
            - id: c
              question: Q
              answer: A
              hint: {"x" * (MAX_HINT_CHARS + 1)}
            """),
        f"decks/dl.yaml:6: card 'c': hint is too long for Discord"
        f" ({MAX_HINT_CHARS + 1} characters, limit {MAX_HINT_CHARS})",
        id="hint too long",
    ),
    pytest.param(
        deck_yaml(
            """\
            - id: c
              question: Q
              answer: A
            """,
            head=f"name: DL\ndescription: {'x' * (MAX_DESCRIPTION_CHARS + 1)}\n",
        ),
        f"decks/dl.yaml:2: description is too long for Discord"
        f" ({MAX_DESCRIPTION_CHARS + 1} characters, limit {MAX_DESCRIPTION_CHARS})",
        id="description too long",
    ),
    pytest.param(
        deck_yaml("""\
            - id: c
              question: Q
              answer: A
              image: ftp://example.com/a.png
            """),
        "decks/dl.yaml:6: card 'c': image 'ftp://example.com/a.png' must be an http:// or"
        " https:// URL or a file of the deck's media folder (<deck id>.media/<file>)",
        id="image not http",
    ),
    pytest.param(
        deck_yaml("""\
            - id: c
              question: Q
              answer: A
              tags: vision
            """),
        "decks/dl.yaml:6: card 'c': tags must be a list of strings, got a string",
        id="tags not a list",
    ),
    pytest.param(
        deck_yaml("""\
            - id: c
              question: Q
              answer: A
              tags: [ok, 3, ""]
            """),
        "decks/dl.yaml:6: card 'c': tag #2 must be a string, got a number\n"
        "decks/dl.yaml:6: card 'c': tag '' is empty",
        id="bad tags",
    ),
    pytest.param(
        "cards:\n- id: c\n  question: Q\n  answer: A\n",
        "decks/dl.yaml:1: missing name",
        id="missing name",
    ),
    pytest.param(
        "name: |\n  two\n  lines\ncards:\n- id: c\n  question: Q\n  answer: A\n",
        "decks/dl.yaml:1: name must be a single line",
        id="multi-line name",
    ),
    pytest.param("name: DL\n", "decks/dl.yaml:1: missing cards", id="missing cards"),
    pytest.param(
        "name: DL\ncards: []\n",
        "decks/dl.yaml:2: cards is empty; a deck needs at least one card",
        id="no cards",
    ),
    pytest.param(
        "name: DL\ncards:\n- just text\n",
        "decks/dl.yaml:3: card #1 must be a mapping with id, question and answer, got a string",
        id="card not a mapping",
    ),
    pytest.param(
        "name: DL\n1: x\ncards:\n- id: c\n  question: Q\n  answer: A\n",
        "decks/dl.yaml:2: keys must be strings, got a number",
        id="number key",
    ),
    pytest.param(
        "- name: DL\n",
        "decks/dl.yaml:1: top level must be a mapping with name and cards, got a list",
        id="top level list",
    ),
    pytest.param("", "decks/dl.yaml: file is empty; a deck needs a name and cards", id="empty"),
    pytest.param(
        "# just a comment\n\n",
        "decks/dl.yaml: file is empty; a deck needs a name and cards",
        id="comments only",
    ),
    pytest.param(
        "name: DL\ncards:\n- id: c\n  question: a: b\n",
        "decks/dl.yaml:4: invalid YAML: mapping values are not allowed here",
        id="syntax error",
    ),
    pytest.param(
        "name: DL\ncards:\n- id: c\n  question: &q Q\n  answer: *q\n",
        "decks/dl.yaml:4: anchors (&q) are not allowed here",
        id="anchor",
    ),
    pytest.param(
        "name: DL\ncards:\n- id: c\n  question: Q\n  answer: *q\n",
        "decks/dl.yaml:5: aliases (*q) are not allowed here",
        id="alias",
    ),
    pytest.param(
        "name: DL\ncards:\n- id: c\n  question: Q\n  answer: !!python/object:os.system A\n",
        "decks/dl.yaml:5: card 'c': answer must be a string,"
        ' got a value tagged tag:yaml.org,2002:python/object:os.system (write it in quotes: "A")',
        id="python tag",
    ),
    pytest.param(
        "name: DL\ncards:\n- id: c\n  question: Q\n  answer: A\x07\n",
        "decks/dl.yaml:5: character U+0007 is not allowed in YAML",
        id="control character",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_deck_reports_problem_with_line(text: str, expected: str) -> None:
    assert "\n".join(problems_of(text)) == expected


def test_parse_deck_reports_every_problem_at_once_in_line_order() -> None:
    text = deck_yaml(
        """\
        - id: a
          question: Q1
        - id: a
          question: ""
          answer: A2
        - id: 7
          question: Q3
          answer: A3
        """,
        head="nam: DL\n",
    )
    assert problems_of(text) == [
        "decks/dl.yaml:1: unknown key 'nam' (did you mean 'name'?)",
        "decks/dl.yaml:1: missing name",
        "decks/dl.yaml:3: card 'a': missing answer",
        "decks/dl.yaml:5: card 'a': duplicate id (first used on line 3)",
        "decks/dl.yaml:6: card 'a': question is empty",
        'decks/dl.yaml:8: card #3: id must be a string, got a number (write it in quotes: "7")',
    ]


def test_deck_error_str_is_one_problem_per_line() -> None:
    with pytest.raises(DeckError) as info:
        parse_deck("name: DL\ncards: []\nfoo: 1\n", PATH)
    assert str(info.value).splitlines() == [
        "decks/dl.yaml:2: cards is empty; a deck needs at least one card",
        "decks/dl.yaml:3: unknown key 'foo'; expected one of: name, description, tags, cards",
    ]


def test_parse_deck_rejects_bad_deck_id_from_file_name() -> None:
    assert problems_of(GOOD, "decks/Deep Learning.yaml") == [
        "decks/Deep Learning.yaml: deck id 'Deep Learning' may only contain lowercase letters,"
        " digits, '-' and '_', 1-64 characters; the id is the file name"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b"name: DL\ncards:\n- id: c\n  question: caf\xe9\n",
            "decks/dl.yaml:4: not valid UTF-8 (byte 0xe9); save the file as UTF-8",
            id="latin-1",
        ),
        pytest.param(
            b"\xff\xfen\x00a\x00",
            "decks/dl.yaml:1: not valid UTF-8 (byte 0xff); save the file as UTF-8",
            id="utf-16",
        ),
    ],
)
def test_parse_deck_rejects_non_utf8(data: bytes, expected: str) -> None:
    assert problems_of(data) == [expected]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b"#" * (MAX_FILE_BYTES + 1), id="bytes"),
        pytest.param("#" * (MAX_FILE_BYTES + 1), id="str"),
        pytest.param("é" * (MAX_FILE_BYTES // 2 + 1), id="str of 2-byte characters"),
    ],
)
def test_parse_deck_rejects_oversized_source(source: str | bytes) -> None:
    assert problems_of(source) == [
        "decks/dl.yaml: file is larger than 1024 KiB; split it into smaller decks"
    ]


def test_parse_deck_keeps_yaml_typed_strings_exact() -> None:
    text = deck_yaml("""\
        - id: "1"
          question: "yes"
          answer: "0x1F"
          hint: "  spaced"
        """)
    card = parse_deck(text, PATH).cards[0]
    assert (card.id, card.question, card.answer, card.hint) == ("1", "yes", "0x1F", "  spaced")


# -- card types ---------------------------------------------------------------------------------


def test_parse_deck_expands_a_reversed_entry_into_two_cards() -> None:
    text = deck_yaml("""\
        - id: dk
          type: reversed
          question: Capital of Denmark?
          answer: Copenhagen
          hint: C…
        """)
    forward, reverse = parse_deck(text, PATH).cards
    assert (forward.id, forward.question, forward.answer, forward.hint) == (
        "dk",
        "Capital of Denmark?",
        "Copenhagen",
        "C…",
    )
    assert (reverse.id, reverse.question, reverse.answer, reverse.hint) == (
        "dk-reverse",
        "Copenhagen",
        "Capital of Denmark?",
        None,
    )
    assert {(card.note_id, card.kind) for card in (forward, reverse)} == {("dk", CardKind.REVERSED)}


@pytest.mark.parametrize("written", ["type: basic\n  ", "type:\n  ", ""])
def test_parse_deck_basic_is_the_default_type(written: str) -> None:
    text = f"name: DL\ncards:\n- id: c\n  {written}question: Q\n  answer: A\n"
    assert parse_deck(text, PATH).cards == (Card("c", "Q", "A"),)


def test_parse_deck_expands_a_cloze_entry_into_one_card_per_number() -> None:
    text = deck_yaml("""\
        - id: dk
          type: cloze
          question: "{{c1::Copenhagen}} is the capital of {{c2::Denmark::a country}}."
          answer: Since the 15th century.
        - id: water
          type: cloze
          question: Water boils at {{c1::100 °C}}.
        """)
    cards = parse_deck(text, PATH).cards
    assert [(card.id, card.note_id, card.kind) for card in cards] == [
        ("dk-c1", "dk", CardKind.CLOZE),
        ("dk-c2", "dk", CardKind.CLOZE),
        ("water-c1", "water", CardKind.CLOZE),
    ]
    assert cards[1].question == "Copenhagen is the capital of [a country]."
    assert cards[1].answer == (
        "Copenhagen is the capital of **Denmark**.\n\nSince the 15th century."
    )
    assert cards[2].answer == "Water boils at **100 °C**."


TYPE_CASES = [
    pytest.param(
        "- id: c\n  type: revers\n  question: Q\n  answer: A\n",
        "decks/dl.yaml:4: card 'c': type 'revers' is not a card type (did you mean 'reversed'?)",
        id="unknown type",
    ),
    pytest.param(
        "- id: c\n  type: [cloze]\n  question: Q\n  answer: A\n",
        "decks/dl.yaml:4: card 'c': type must be a string, got a list",
        id="type not a string",
    ),
    pytest.param(
        "- id: c\n  type: reversed\n  question: Q\n",
        "decks/dl.yaml:3: card 'c': missing answer",
        id="reversed without answer",
    ),
    pytest.param(
        "- id: c\n  type: cloze\n  question: No deletion.\n",
        "decks/dl.yaml:5: card 'c': question: cloze text has no deletion:"
        " write {{c1::…}} around the part to hide",
        id="cloze without deletion",
    ),
    pytest.param(
        "- id: c\n  type: cloze\n  question: A {{c1::b and more\n",
        "decks/dl.yaml:5: card 'c': question: '{{c1::b and more' is not closed:"
        " end the deletion with }}",
        id="unbalanced braces",
    ),
    pytest.param(
        "- id: c\n  type: cloze\n  question: A {{c0::b}}\n",
        "decks/dl.yaml:5: card 'c': question: '{{c0::b}}': cloze numbers go from c1 to c999",
        id="c0",
    ),
    pytest.param(
        "- id: dk\n  type: reversed\n  question: Q\n  answer: A\n"
        "- id: dk-reverse\n  question: Q2\n  answer: A2\n",
        "decks/dl.yaml:7: card 'dk-reverse': duplicate id"
        " (first used on line 3, as the reverse card of 'dk')",
        id="explicit id after a derived one",
    ),
    pytest.param(
        "- id: dk-c2\n  question: Q2\n  answer: A2\n"
        "- id: dk\n  type: cloze\n  question: '{{c1::a}} {{c2::b}}'\n",
        "decks/dl.yaml:6: card 'dk': the id 'dk-c2' of its cloze card c2 is already used (line 3)",
        id="derived id after an explicit one",
    ),
    pytest.param(
        f"- id: {'x' * 60}\n  type: reversed\n  question: Q\n  answer: A\n",
        f"decks/dl.yaml:3: card '{'x' * 60}': id is too long for a reversed card: the id"
        f" '{'x' * 60}-reverse' of its reverse card would be over 64 characters",
        id="derived id too long",
    ),
    pytest.param(
        f"- id: c\n  type: cloze\n  question: '{{{{c1::{'x' * 1000}}}}}'\n  answer: {'y' * 1000}\n",
        "decks/dl.yaml:6: card 'c': the answer of card 'c-c1' (the text, then the answer)"
        " is too long for Discord (2006 characters, limit 1800)",
        id="cloze answer too long",
    ),
]


@pytest.mark.parametrize(("cards", "expected"), TYPE_CASES)
def test_parse_deck_reports_card_type_problems_with_line(cards: str, expected: str) -> None:
    assert "\n".join(problems_of(f"name: DL\ncards:\n{cards}")) == expected


def test_parse_deck_cloze_answer_is_optional_but_not_empty() -> None:
    text = "name: DL\ncards:\n- id: c\n  type: cloze\n  question: '{{c1::a}}'\n  answer: ''\n"
    assert problems_of(text) == ["decks/dl.yaml:6: card 'c': answer is empty"]


def test_check_decks_passes_typed_entries_and_reports_a_bad_cloze_by_line(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "name: G\ncards:\n- id: a\n  type: reversed\n  question: Q\n  answer: A\n"
        "- id: b\n  type: cloze\n  question: '{{c1::x}} and {{c2::y}}'\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: B\ncards:\n- id: b\n  type: cloze\n  question: x}}\n", encoding="utf-8")

    assert check_paths([good]) == []
    assert [str(problem) for problem in check_paths([tmp_path])] == [
        f"{bad}:5: card 'b': question: cloze text has no deletion:"
        " write {{c1::…}} around the part to hide"
    ]

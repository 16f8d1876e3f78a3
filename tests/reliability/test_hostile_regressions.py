"""Inputs that broke the deck layer while it was fuzzed, kept as plain regression tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.decks import DeckError, Problem, import_text, load_decks, parse_deck
from bot.decks.importers.htmltext import html_to_markdown

ROOT = Path(__file__).resolve().parents[2]
CARD = "name: N\ncards:\n  - id: a\n    question: {question}\n    answer: A.\n"


def error_of(source: str | bytes, path: str = "decks/x.yaml") -> str:
    with pytest.raises(DeckError) as info:
        parse_deck(source, path)
    return str(info.value)


def import_error_of(text: str, fmt: str = "auto") -> str:
    with pytest.raises(DeckError) as info:
        import_text(text, fmt, path="export.txt")
    return str(info.value)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param(
            "!foo |\n      a\n      b",
            "decks/x.yaml:4: card 'a': question must be a string, got a value tagged !foo",
            id="tagged block literal",
        ),
        pytest.param(
            '!!int "1\\n2"',
            "decks/x.yaml:4: card 'a': question must be a string, got a number",
            id="quoted multi-line number",
        ),
    ],
)
def test_parse_deck_keeps_a_multi_line_wrong_value_out_of_the_message(
    question: str, expected: str
) -> None:
    # The "write it in quotes" hint used to repeat the value, line breaks and all.
    assert error_of(CARD.format(question=question)) == expected


def test_parse_deck_escapes_a_tag_holding_a_line_break() -> None:
    assert error_of("name: !<%0A> N\ncards: []\n").splitlines()[0] == (
        "decks/x.yaml:1: name must be a string, got a value tagged '\\n'"
        ' (write it in quotes: "N")'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            f"? {'k' * 5000}\n: 1\n" + CARD.format(question="Q?"),
            f"decks/x.yaml:1: unknown key '{'k' * 60}…'; expected one of: name,",
            id="key",
        ),
        pytest.param(
            CARD.format(question="Q?").replace("id: a", f"id: {'i' * 10_000}"),
            f"decks/x.yaml:3: card #1: id '{'i' * 60}…' may only contain",
            id="card id",
        ),
        pytest.param(
            CARD.format(question="Q?") + f"    image: javascript:{'a' * 100_000}\n",
            f"decks/x.yaml:6: card 'a': image 'javascript:{'a' * 49}…' must be an http",
            id="image",
        ),
    ],
)
def test_parse_deck_shortens_a_huge_value_in_its_message(text: str, expected: str) -> None:
    message = error_of(text)
    assert message.startswith(expected)
    assert len(message) < 200


def test_parse_deck_rejects_an_image_url_too_long_for_discord() -> None:
    url = "https://example.com/" + "a" * 2029
    text = CARD.format(question="Q?") + f"    image: {url}\n"
    assert error_of(text) == (
        "decks/x.yaml:6: card 'a': image URL is too long for Discord (2049 characters, limit 2048)"
    )
    assert parse_deck(text.replace(url, url[:-1]), "decks/x.yaml").cards[0].image == url[:-1]


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_parse_deck_counts_lines_like_an_editor(separator: str) -> None:
    # PyYAML (YAML 1.1) also ends a line at NEL, U+2028 and U+2029; editors do not.
    text = f'name: "a{separator}b{separator}c"\ncards:\n  - id: a\n    question: Q?\n'
    assert error_of(text) == "decks/x.yaml:3: card 'a': missing answer"


def test_parse_deck_counts_carriage_return_lines_in_bad_bytes() -> None:
    assert error_of(b"name: N\rcards:\r  - id: caf\xe9\r") == (
        "decks/x.yaml:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    )


def test_parse_deck_counts_carriage_return_lines_for_a_bad_character() -> None:
    assert error_of("name: N\rcards: \x01\r") == (
        "decks/x.yaml:2: character U+0001 is not allowed in YAML"
    )


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        pytest.param("decks/new\nline.yaml", "decks/new\\nline.yaml", id="line break"),
        pytest.param("decks/caf\udce9.yaml", "decks/caf\\udce9.yaml", id="not UTF-8"),
    ],
)
def test_problem_str_is_one_printable_line_whatever_the_file_name(path: str, shown: str) -> None:
    assert str(Problem(path, 2, "bad\u2028thing")) == f"{shown}:2: bad\\u2028thing"


def test_check_decks_prints_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / os.fsdecode(b"caf\xe9.yaml")).write_text(CARD.format(question="Q?"), "utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DISCORD_")}
    env |= {"PYTHONIOENCODING": "utf-8:strict", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check-decks", str(decks)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stdout.startswith(f"{decks}/caf\\udce9.yaml: deck id 'caf\\udce9' may only")


def test_load_decks_reports_a_file_name_with_a_line_break_on_one_line(tmp_path: Path) -> None:
    (tmp_path / "new\nline.yaml").write_text(CARD.format(question="Q?"), "utf-8")
    (error,) = load_decks(tmp_path).errors
    assert str(error).startswith(f"{tmp_path}/new\\nline.yaml: deck id 'new\\nline' may only")


@pytest.mark.parametrize("html", ["<b>x</b><![ifQ y", "<![<!Q&#xD800;2]<br>", "a<![foo]>b"])
def test_html_to_markdown_keeps_an_unknown_marked_section_as_text(html: str) -> None:
    # Python's HTML parser raised AssertionError here, out of import_text.
    assert "<![" in html_to_markdown(html)


def test_import_text_survives_an_unknown_marked_section() -> None:
    deck = import_text("q,<b>a</b><![ifQ z\n", path="export.csv")
    assert deck.cards[0].answer == "**a**<![ifQ z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('q1,a1\nq2,"a2\nq3,a3\n', "export.txt:2: ", id="csv"),
        pytest.param('q1\t"a1\nq2\ta2\n', "export.txt:1: ", id="tsv"),
        pytest.param('q1,a1\nq2,a2\n"', "export.txt:3: ", id="lone quote at the end"),
    ],
)
def test_delimited_import_reports_a_quote_left_open_to_the_end(text: str, expected: str) -> None:
    # It used to read every row after the quote into one answer, silently.
    assert import_error_of(text) == expected + (
        'a quote (") opened in this row is never closed: the rest of the file is in it'
    )


@pytest.mark.parametrize(
    ("text", "cards"),
    [
        pytest.param('a,"multi\nline"\nc,d\n', [("a", "multi\nline"), ("c", "d")], id="multi-line"),
        pytest.param('"Paris" (France),capital\n', [("Paris (France)", "capital")], id="sloppy"),
    ],
)
def test_delimited_import_still_reads_closed_and_sloppy_quotes(
    text: str, cards: list[tuple[str, str]]
) -> None:
    deck = import_text(text, "csv", path="export.csv")
    assert [(card.question, card.answer) for card in deck.cards] == cards


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        pytest.param(
            (1, 3, 4),
            "export.txt:9: card 1: found card 3 where card 2 should be;"
            " are cards missing or out of order?",
            id="missing",
        ),
        pytest.param(
            (1, 2, 1),
            "export.txt:15: card 2: found card 1 where card 3 should be;"
            " are cards missing or out of order?",
            id="repeated",
        ),
    ],
)
def test_brainscape_import_reports_card_numbers_out_of_order(
    numbers: tuple[int, ...], expected: str
) -> None:
    # It used to make card 1's answer of every card after the gap, silently.
    cards = "".join(f"{n}\nQ\nq{n}\nA\na{n}\n\n" for n in numbers)
    assert import_error_of(f"Bio Flashcards\n\n{cards}") == expected

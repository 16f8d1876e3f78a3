"""Format detection and import_file: reading bytes, naming decks, refusing what cannot work."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.decks import DeckError, detect_format, dump_deck, import_file, import_text, parse_deck
from bot.decks.files import MAX_FILE_BYTES
from bot.decks.importers import Format, slugify

BRAINSCAPE = "Bio Flashcards\n\n1\nQ\n\nWhat is a cell?\n\nA\n\nA unit.\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(BRAINSCAPE, Format.BRAINSCAPE, id="brainscape"),
        pytest.param(
            "\ufeff" + BRAINSCAPE.replace("\n", "\r\n"), Format.BRAINSCAPE, id="brainscape bom crlf"
        ),
        pytest.param("1\nQ\nquestion\nA\nanswer\n", Format.BRAINSCAPE, id="brainscape untitled"),
        pytest.param("Biology Flashcards\n", Format.BRAINSCAPE, id="brainscape title only"),
        pytest.param("cell\tunit\natom\tsmall\n", Format.TSV, id="quizlet tsv"),
        pytest.param("a\tb, c\nd\te, f\n", Format.TSV, id="tabs beat commas"),
        pytest.param("#separator:tab\n#html:true\na\tb\n", Format.TSV, id="anki tab"),
        pytest.param("#separator:Semicolon\na;b\n", Format.CSV, id="anki semicolon"),
        pytest.param("#html:true\na\tb\n", Format.TSV, id="anki default separator"),
        pytest.param("question,answer\ncell,unit\n", Format.CSV, id="csv"),
        pytest.param("cell;unit\natom;small\n", Format.CSV, id="semicolon csv"),
        pytest.param('cell,"one\nline, two"\n', Format.CSV, id="csv quoted newline"),
    ],
)
def test_detect_format_recognises(text: str, expected: Format) -> None:
    assert detect_format(text) == expected


@pytest.mark.parametrize("text", ["just some words\nand more words\n", "x", "\n\n"])
def test_detect_format_refuses_unknown_text(text: str) -> None:
    with pytest.raises(DeckError) as info:
        detect_format(text, "notes.txt")
    assert str(info.value) == (
        "notes.txt: cannot tell the format: expected a Brainscape export, CSV or TSV"
    )


def test_import_file_reads_utf8_bom_bytes(tmp_path: Path) -> None:
    path = tmp_path / "My Bio Export.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "célula\tunidad\r\n".encode())
    deck = import_file(path)
    assert (deck.id, deck.name, deck.cards[0].question) == (
        "my-bio-export",
        "My Bio Export",
        "célula",
    )
    assert deck.source == str(path)


def test_import_file_rejects_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("cell\tunit\ncélula\tunidad\n".encode("latin-1"))
    with pytest.raises(DeckError) as info:
        import_file(path)
    assert str(info.value) == f"{path}:2: not valid UTF-8 (byte 0xe9); save the file as UTF-8"


def test_import_file_rejects_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "big.tsv"
    path.write_bytes(b"cell\tunit\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(DeckError) as info:
        import_file(path)
    assert str(info.value) == f"{path}: file is larger than 1024 KiB; split it into smaller decks"


def test_import_file_uses_name_and_deck_id(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text("cell\tunit\n", encoding="utf-8")
    assert import_file(path, "tsv", "Cell Biology").id == "cell-biology"
    assert import_file(path, Format.TSV, deck_id="bio").id == "bio"


def test_import_file_refuses_unknown_format_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'anki'"):
        import_file(tmp_path / "missing.txt", "anki")


def test_import_text_refuses_bad_deck_id() -> None:
    with pytest.raises(DeckError) as info:
        import_text("cell\tunit\n", path="x.tsv", deck_id="Not OK")
    assert str(info.value) == (
        "x.tsv: deck id 'Not OK' may only contain lowercase letters, digits, '-' and '_',"
        " 1-64 characters"
    )


def test_import_text_needs_a_sluggable_name() -> None:
    with pytest.raises(DeckError) as info:
        import_text("cell\tunit\n", path="日本.tsv")
    assert str(info.value) == (
        "日本.tsv: cannot make a deck id from the file name '日本': it has no letters a-z or"
        " digits 0-9 (a deck id may only hold a-z, 0-9, '-' and '_'); give the deck a name"
        " with some, or write the deck to a file whose name is the id"
    )


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        (
            "Kursusgang 9 (Deep learning and transfer learning)",
            "kursusgang-9-deep-learning-and-transfer-learning",
        ),
        ("Café Crème", "cafe-creme"),
        ("__init__", "init"),
        ("snake_case name", "snake_case-name"),
        ("x" * 100, "x" * 64),
        ("!!!", ""),
    ],
)
def test_slugify_makes_deck_ids(text: str, slug: str) -> None:
    assert slugify(text) == slug


# Importers face whatever users upload: random text must give a Deck or a DeckError, and a
# Deck must survive being written as a deck file and read back.
# Lone surrogates only reach the importers through import_text's str, but they can.
any_char = st.characters() | st.characters(categories=["Cs"])
any_export = st.one_of(
    st.text(any_char, max_size=300),
    st.lists(
        st.sampled_from(
            [
                "1",
                "2",
                "Q",
                "A",
                "",
                "x",
                "Bio Flashcards",
                "How well did you know this?",
                "Perfectly",
                "a\tb",
                "a,b",
                '"',
                "#separator:tab",
                "#html:true",
                "#tags column:3",
                "<b>x</b>",
                "{{c1::x::y}}",
                "[sound:a]",
                " ",
                "\t",
                ";",
                "é",
            ]
        ),
        max_size=40,
    ).map("\n".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_export, fmt=st.sampled_from(list(Format)))
def test_import_text_gives_deck_or_deck_error(text: str, fmt: Format) -> None:
    try:
        deck = import_text(text, fmt, path="fuzz.txt")
    except DeckError:
        return
    assert parse_deck(dump_deck(deck), "fuzz.yaml") == deck


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(any_char, max_size=300), st.binary(max_size=300)))
def test_parse_deck_gives_deck_or_deck_error(source: str | bytes) -> None:
    with contextlib.suppress(DeckError):
        parse_deck(source, "fuzz.yaml")

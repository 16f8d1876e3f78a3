"""bot.decks.exporters: a deck out as YAML, CSV or an Anki package, and back in unchanged."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.models import Card, Deck
from bot.decks import parse_deck
from bot.decks.anki_ids import guid_for, note_id
from bot.decks.exporters import ExportFormat, export_deck
from bot.decks.exporters.anki_html import markdown_to_html
from bot.decks.exporters.apkg import (
    BASIC_MODEL_ID,
    CLOZE_MODEL_ID,
    REVERSED_MODEL_ID,
    anki_deck_id,
)
from bot.decks.importers import import_bytes, read_package
from bot.decks.importers.htmltext import html_to_markdown
from bot.decks.matching import reimport
from tests.decks.anki_fixtures import IMAGE

NOW = datetime(2026, 12, 2, 19, 30, tzinfo=UTC)
WEB_IMAGE = "https://example.org/heart.png"
BIOLOGY = f"""\
name: Biology
description: Cells and such
cards:
  - id: powerhouse
    question: What is the **powerhouse** of the cell?
    answer: |-
      The *mitochondrion*
      it makes ATP
    hint: an organelle
    tags: [cells, energy]
  - id: zelle
    type: reversed
    question: Zelle
    answer: cell
    tags: [german]
  - id: ribosomes
    type: cloze
    question: "{{{{c1::Ribosomes}}}} make {{{{c2::proteins}}}}"
    answer: Found in every cell
  - id: diagram
    question: Name this part
    answer: the nucleus
    image: biology.media/cell.png
  - id: heart
    question: Which organ is this?
    answer: the heart
    image: {WEB_IMAGE}
"""
MEDIA = {"cell.png": IMAGE}


@pytest.fixture
def deck() -> Deck:
    return parse_deck(BIOLOGY, "decks/biology.yaml")


def write(tmp_path: Path, deck: Deck, fmt: ExportFormat) -> Path:
    exported = export_deck(deck, fmt, MEDIA, NOW)
    path = tmp_path / exported.filename
    path.write_bytes(exported.data)
    return path


def sides(cards: tuple[Card, ...]) -> list[tuple[str, str]]:
    return [(card.question, card.answer) for card in cards]


def test_export_deck_names_the_file_after_the_deck(deck: Deck) -> None:
    for fmt in ExportFormat:
        assert export_deck(deck, fmt, MEDIA, NOW).filename == f"biology.{fmt.value}"


def test_export_yaml_parses_back_to_the_same_deck(deck: Deck) -> None:
    data = export_deck(deck, ExportFormat.YAML).data
    again = parse_deck(data, "decks/biology.yaml")
    assert again == deck
    assert [card.id for card in again.cards] == [card.id for card in deck.cards]


def test_export_csv_reads_back_as_the_same_cards(deck: Deck) -> None:
    data = export_deck(deck, ExportFormat.CSV).data
    assert data.startswith(b"#separator:comma\n#html:false\n#tags column:3\n")
    again = import_bytes(data, "biology.csv")
    assert sides(again.cards) == sides(deck.cards)
    assert [card.tags for card in again.cards] == [card.tags for card in deck.cards]


def test_export_csv_keeps_a_less_than_sign_and_splits_no_tag() -> None:
    deck = Deck("maths", "Maths", (Card("lt", "Is 1 < 2 <b>?", "yes, a, b", tags=("two words",)),))
    again = import_bytes(export_deck(deck, ExportFormat.CSV).data, "maths.csv")
    assert sides(again.cards) == [("Is 1 < 2 <b>?", "yes, a, b")]
    assert again.cards[0].tags == ("two_words",)


def test_export_csv_reimported_with_replace_keeps_every_card_id(deck: Deck) -> None:
    imported = import_bytes(export_deck(deck, ExportFormat.CSV).data, "biology.csv")
    assert [c.id for c in imported.cards] != [c.id for c in deck.cards]  # content ids
    kept, _ = reimport(deck, imported)
    assert [card.id for card in kept.cards] == [card.id for card in deck.cards]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("**bold** and *italic*", "<b>bold</b> and <i>italic</i>"),
        ("_italic_ but snake_case_name", "<i>italic</i> but snake_case_name"),
        ("__under__", "<u>under</u>"),
        ("line\nbreak", "line<br>break"),
        (
            "[Wikipedia](https://en.wikipedia.org/wiki/Cell)",
            '<a href="https://en.wikipedia.org/wiki/Cell">Wikipedia</a>',
        ),
        ("`a**b**c`", "<code>a**b**c</code>"),
        ("1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"),
        ("{{c1::Paris::city}} is **big**", "{{c1::Paris::city}} is <b>big</b>"),
        ("2 * 3 * 4", "2 * 3 * 4"),
    ],
)
def test_markdown_to_html(markdown: str, expected: str) -> None:
    assert markdown_to_html(markdown) == expected


@pytest.mark.parametrize(
    "markdown",
    [
        "**bold** and *italic*",
        "__under__ `code`",
        "a\nb",
        "[Cell](https://example.org/cell)",
        "1 < 2",
    ],
)
def test_markdown_to_html_reads_back_through_the_importer(markdown: str) -> None:
    assert html_to_markdown(markdown_to_html(markdown)) == markdown


def package_rows(path: Path, tmp_path: Path, query: str) -> list[tuple[object, ...]]:
    with zipfile.ZipFile(path) as archive:
        archive.extract("collection.anki2", tmp_path)
    connection = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def test_export_apkg_writes_one_note_per_entry_with_its_note_type(
    deck: Deck, tmp_path: Path
) -> None:
    path = write(tmp_path, deck, ExportFormat.APKG)
    notes = package_rows(path, tmp_path, "select guid, mid, tags from notes order by id")
    assert [(guid, mid) for guid, mid, _ in notes] == [
        ("flashdrop:biology/powerhouse", BASIC_MODEL_ID),
        ("flashdrop:biology/zelle", REVERSED_MODEL_ID),
        ("flashdrop:biology/ribosomes", CLOZE_MODEL_ID),
        ("flashdrop:biology/diagram", BASIC_MODEL_ID),
        ("flashdrop:biology/heart", BASIC_MODEL_ID),
    ]
    assert str(notes[0][2]).split() == ["cells", "energy"]
    cards = package_rows(path, tmp_path, "select count(*), count(distinct did) from cards")
    assert cards == [(7, 1)]  # 1 + 2 + 2 + 1 + 1, in one deck
    decks = package_rows(path, tmp_path, "select decks from col")
    assert str(anki_deck_id("biology")) in str(decks[0][0])


def test_export_apkg_sends_a_note_from_anki_back_under_its_guid(tmp_path: Path) -> None:
    from_anki = Card(note_id("Xq8~3k!b%Z", "capitals"), "Capital of France?", "Paris")
    deck = Deck("capitals", "Capitals", (from_anki,))
    path = write(tmp_path, deck, ExportFormat.APKG)
    notes = package_rows(path, tmp_path, "select guid from notes")
    assert notes == [("Xq8~3k!b%Z",)]
    assert guid_for("capitals", from_anki.id) == "Xq8~3k!b%Z"


def test_export_apkg_reads_back_as_the_same_texts_tags_and_media(
    deck: Deck, tmp_path: Path
) -> None:
    package = read_package(write(tmp_path, deck, ExportFormat.APKG), deck_id="biology")
    again = package.deck
    assert again.name == "Biology"
    assert sorted(sides(again.cards)) == sorted(sides(deck.cards))
    by_question = {card.question: card for card in again.cards}
    assert by_question["What is the **powerhouse** of the cell?"].tags == ("cells", "energy")
    assert by_question["Name this part"].image == "biology.media/cell.png"
    assert by_question["Which organ is this?"].image == WEB_IMAGE
    assert package.media == MEDIA


def test_export_apkg_reads_back_with_the_same_card_ids(deck: Deck, tmp_path: Path) -> None:
    again = read_package(write(tmp_path, deck, ExportFormat.APKG), deck_id="biology").deck
    assert sorted(card.id for card in again.cards) == sorted(card.id for card in deck.cards)
    assert {c.id: (c.question, c.answer) for c in again.cards} == {
        c.id: (c.question, c.answer) for c in deck.cards
    }


def test_export_apkg_leaves_out_an_image_it_is_not_given(deck: Deck, tmp_path: Path) -> None:
    exported = export_deck(deck, ExportFormat.APKG, {}, NOW)
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        assert archive.read("media") == b"{}"


def test_export_apkg_is_imported_by_anki(deck: Deck, tmp_path: Path) -> None:
    from anki.collection import Collection, ImportAnkiPackageRequest

    path = write(tmp_path, deck, ExportFormat.APKG)
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path)))
        notes = {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}
        assert set(notes) == {
            f"flashdrop:biology/{n}"
            for n in ("powerhouse", "zelle", "ribosomes", "diagram", "heart")
        }
        assert len(col.find_cards("")) == 7
        powerhouse = notes["flashdrop:biology/powerhouse"]
        assert powerhouse["Front"] == "What is the <b>powerhouse</b> of the cell?"
        assert powerhouse["Back"] == "The <i>mitochondrion</i><br>it makes ATP"
        assert powerhouse["Hint"] == "an organelle"
        assert powerhouse.tags == ["cells", "energy"]
        zelle = notes["flashdrop:biology/zelle"]
        assert [card.question() for card in zelle.cards()][1].endswith("cell")
        ribosomes = notes["flashdrop:biology/ribosomes"]
        assert len(ribosomes.cards()) == 2
        assert "[...]" in ribosomes.cards()[0].question()
        diagram = notes["flashdrop:biology/diagram"]
        assert diagram["Front"] == 'Name this part<br><img src="cell.png">'
        assert (Path(col.media.dir()) / "cell.png").read_bytes() == IMAGE
        assert col.decks.by_name("Biology") is not None
    finally:
        col.close()

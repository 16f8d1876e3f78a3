"""`import_bytes` and `import_upload`: an uploaded file's content as a deck, deck files,
exports and Anki packages alike."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from bot.decks import DeckError, import_bytes
from bot.decks.files import MAX_FILE_BYTES
from bot.decks.importers import import_upload
from tests.decks.anki_fixtures import IMAGE, Packages

DECK = b"name: Chem\ncards:\n  - id: h\n    question: 'H?'\n    answer: Hydrogen\n"


def test_import_bytes_deck_file_keeps_its_card_ids() -> None:
    deck = import_bytes(DECK, "chem.yaml")
    assert (deck.id, deck.name, [c.id for c in deck.cards]) == ("chem", "Chem", ["h"])


def test_import_bytes_name_gives_the_id_and_the_name() -> None:
    deck = import_bytes(DECK, "chem.yaml", name="Chemistry 101")
    assert (deck.id, deck.name) == ("chemistry-101", "Chemistry 101")


def test_import_bytes_file_name_that_is_no_deck_id_is_slugified() -> None:
    assert import_bytes(DECK, "My Chem.YML").id == "my-chem"


def test_import_bytes_export_format_is_detected() -> None:
    deck = import_bytes(b"Q one\tA one\nQ two\tA two\n", "quizlet.txt")
    assert (deck.id, [c.question for c in deck.cards]) == ("quizlet", ["Q one", "Q two"])


@pytest.mark.parametrize(
    ("data", "filename", "problem"),
    [
        (b"x" * (MAX_FILE_BYTES + 1), "big.csv", "big.csv: file is larger than 1024 KiB"),
        (b"name: X\ncards: []\n", "x.yaml", "x.yaml:"),
        (DECK, "!!!.yaml", "!!!.yaml: cannot make a deck id from the file name '!!!'"),
    ],
    ids=["too-large", "no-cards", "no-id"],
)
def test_import_bytes_refuses_with_the_file_s_name(
    data: bytes, filename: str, problem: str
) -> None:
    with pytest.raises(DeckError) as caught:
        import_bytes(data, filename)
    assert str(caught.value).startswith(problem)


def test_import_upload_of_a_text_export_has_no_media_nor_warnings() -> None:
    upload = import_upload(b"Q one\tA one\n", "quizlet.txt")
    assert (upload.deck.id, upload.media, upload.warnings) == ("quizlet", {}, ())


def test_import_upload_reads_a_package_with_its_image_and_warnings(
    anki_packages: Packages,
) -> None:
    upload = import_upload(anki_packages.current.read_bytes(), "My Biology.apkg")

    deck = upload.deck
    assert (deck.id, deck.name, deck.source) == ("my-biology", "Biology", "My Biology.apkg")
    [(name, data)] = upload.media.items()
    assert data == IMAGE
    [card] = [c for c in deck.cards if c.image is not None]
    assert card.image == f"my-biology.media/{name}"
    # Warnings name the upload, never the temporary file it was read from.
    assert upload.warnings and all(w.startswith("My Biology.apkg: ") for w in upload.warnings)
    assert any("sounds" in w for w in upload.warnings)


def test_import_upload_name_gives_the_package_s_id_and_name(anki_packages: Packages) -> None:
    upload = import_upload(anki_packages.genanki.read_bytes(), "x.apkg", name="World Capitals")
    assert (upload.deck.id, upload.deck.name) == ("world-capitals", "World Capitals")
    questions = [c.question for c in upload.deck.cards]
    assert questions == ["Capital of **France**?", "Capital of Italy?"]


def test_import_upload_tells_a_package_by_its_bytes_whatever_its_name(
    anki_packages: Packages,
) -> None:
    upload = import_upload(anki_packages.legacy.read_bytes(), "biology.zip")
    assert upload.deck.id == "biology" and upload.media


def test_import_upload_reads_a_collection_package(anki_packages: Packages) -> None:
    upload = import_upload(anki_packages.colpkg.read_bytes(), "all.colpkg")
    assert upload.deck.id == "all" and len(upload.deck.cards) > 5


@pytest.mark.parametrize(
    ("data", "filename", "problem"),
    [
        (b"not a zip at all", "x.apkg", "x.apkg: not an Anki package: the file is not a zip"),
        (b"PK\x03\x04broken", "cards.csv", "cards.csv: "),
        (b"PK\x03\x04", "!!!.apkg", "!!!.apkg: cannot make a deck id from the file name '!!!'"),
        (b"x", "../../../etc/evil.apkg", "../../../etc/evil.apkg: not an Anki package"),
    ],
    ids=["not-a-zip", "zip-magic-only", "no-id", "path-in-the-name"],
)
def test_import_upload_refuses_a_broken_package_naming_the_upload(
    data: bytes, filename: str, problem: str
) -> None:
    with pytest.raises(DeckError) as caught:
        import_upload(data, filename)
    assert str(caught.value).startswith(problem)
    assert "flashdrop-upload-" not in str(caught.value)


def test_import_upload_leaves_no_temporary_file(anki_packages: Packages) -> None:
    before = set(Path(tempfile.gettempdir()).glob("flashdrop-upload-*"))
    import_upload(anki_packages.genanki.read_bytes(), "caps.apkg")
    with pytest.raises(DeckError):
        import_upload(b"junk", "junk.apkg")
    assert set(Path(tempfile.gettempdir()).glob("flashdrop-upload-*")) == before


def test_import_upload_keeps_the_package_s_sub_decks(anki_packages: Packages) -> None:
    upload = import_upload(anki_packages.current.read_bytes(), "biology.apkg")
    assert set(upload.subdecks.values()) == {"Biology", "Biology::Cells"}

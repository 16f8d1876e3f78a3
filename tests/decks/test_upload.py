"""`import_bytes`: an uploaded file's content as a deck, deck files and exports alike."""

from __future__ import annotations

import pytest

from bot.decks import DeckError, import_bytes
from bot.decks.files import MAX_FILE_BYTES

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

"""The Brainscape text-export importer: the real export's quirks and its ambiguous spots."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.decks import DeckError, import_text
from bot.decks.importers import Format

BLOCK = "How well did you know this?\n1\nNot at all\n2\n3\n4\n5\nPerfectly\n"


def export(*cards: tuple[str, str], block: bool = True, title: str = "Bio Flashcards") -> str:
    parts = [f"{title}\n\n"]
    for number, (question, answer) in enumerate(cards, start=1):
        parts.append(f"{number}\nQ\n\n{question}\n\nA\n\n{answer}\n\n")
        if block:
            parts.append(BLOCK)
    return "".join(parts)


def qa(text: str, fmt: Format | str = "brainscape") -> list[tuple[str, str]]:
    deck = import_text(text, fmt, path="bio.txt")
    return [(card.question, card.answer) for card in deck.cards]


def test_brainscape_import_names_the_deck_after_the_title() -> None:
    deck = import_text(export(("Q1", "A1")), path="exports/bio.txt")
    assert (deck.id, deck.name) == ("bio", "Bio")


def test_brainscape_import_gives_stable_content_ids() -> None:
    first = import_text(export(("What is DNA?", "A molecule.")), path="bio.txt")
    again = import_text(export(("What is  DNA?", " A molecule."), block=False), path="x.txt")
    assert first.cards[0].id == again.cards[0].id
    assert first.cards[0].id.startswith("c-") and len(first.cards[0].id) == 14


@pytest.mark.parametrize(
    ("cards", "block"),
    [
        pytest.param([("What is 1+1?", "2")], True, id="answer is the next card number"),
        pytest.param([("First letter?", "A")], True, id="answer is the A marker"),
        pytest.param([("Which marker asks?", "Q")], True, id="answer is the Q marker"),
        pytest.param(
            [("What is 1+1?", "2"), ("And 1+2?", "3")], False, id="bare numbers, no block"
        ),
        pytest.param([("Count", "1\n2\n3")], True, id="answer is a list of numbers"),
        pytest.param([("Steps?", "Step 1\n\n- mix\n- bake\n\n\nDone")], True, id="blank lines"),
        pytest.param([("Two\nline question?", "Answer")], False, id="multi-line question"),
        pytest.param(
            [("Q1", "ends with\nHow well did you know this?\nmaybe")],
            True,
            id="answer mentions the block header",
        ),
    ],
)
def test_brainscape_import_keeps_answers_that_look_like_markers(
    cards: list[tuple[str, str]], block: bool
) -> None:
    cards_with_next = [*cards, ("Last?", "Yes")]
    assert qa(export(*cards_with_next, block=block)) == cards_with_next


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda text: text, id="lf"),
        pytest.param(lambda text: text.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda text: "\ufeff" + text, id="bom"),
        pytest.param(lambda text: "\ufeff" + text.replace("\n", "\r\n"), id="bom crlf"),
        pytest.param(lambda text: text.replace("\n", "  \n"), id="trailing spaces"),
        pytest.param(lambda text: text.rstrip("\n"), id="no final newline"),
    ],
)
def test_brainscape_import_reads_line_ending_variants(transform: Callable[[str], str]) -> None:
    text = export(("Q1", "A1\n\nmore"), ("Q2", "A2"))
    assert qa(transform(text), "auto") == [("Q1", "A1\n\nmore"), ("Q2", "A2")]


def test_brainscape_import_drops_a_cut_short_rating_block() -> None:
    text = "Bio Flashcards\n\n1\nQ\nQ1\nA\nA1\nHow well did you know this?\n1\nNot at all\n"
    assert qa(text) == [("Q1", "A1")]


def test_brainscape_import_numbers_repeated_cards() -> None:
    deck = import_text(export(("Same?", "Yes"), ("Same?", "Yes")), path="bio.txt")
    first, second = (card.id for card in deck.cards)
    assert second == f"{first}-2"


def test_brainscape_import_keeps_title_without_suffix() -> None:
    deck = import_text(export(("Q1", "A1"), title="Biology"), "brainscape", path="bio.txt")
    assert deck.name == "Biology"


def test_brainscape_import_uses_given_name_and_id() -> None:
    deck = import_text(export(("Q1", "A1")), path="bio.txt", name="Cell Biology 101")
    assert (deck.id, deck.name) == ("cell-biology-101", "Cell Biology 101")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "1\nQ\nQ1\nA\nA1\n",
            "bio.txt:1: no title line: a Brainscape export starts with '<deck> Flashcards'",
            id="no title",
        ),
        pytest.param(
            "Bio Flashcards\n\n",
            "bio.txt:1: no cards after the title:"
            " expected a card number on a line, then a line 'Q'",
            id="title only",
        ),
        pytest.param(
            "Bio Flashcards\n\nIntro text\n1\nQ\nQ1\nA\nA1\n",
            "bio.txt:3: expected the first card here: a card number on a line, then a line 'Q'",
            id="text before card 1",
        ),
        pytest.param(
            "Bio Flashcards\n\n1\nQ\nQ1\nno marker\n2\nQ\nQ2\nA\nA2\n",
            "bio.txt:3: card 1: no line 'A' marking the answer",
            id="missing A",
        ),
        pytest.param(
            "Bio Flashcards\n\n1\nQ\n\nA\nA1\n",
            "bio.txt:4: card 1: question is empty",
            id="empty question",
        ),
        pytest.param(
            "Bio Flashcards\n\n1\nQ\nQ1\nA\n\n" + BLOCK,
            "bio.txt:6: card 1: answer is empty",
            id="empty answer",
        ),
        pytest.param("", "bio.txt: file is empty", id="empty file"),
    ],
)
def test_brainscape_import_reports_broken_exports(text: str, expected: str) -> None:
    with pytest.raises(DeckError) as info:
        import_text(text, "brainscape", path="bio.txt")
    assert str(info.value) == expected


def test_brainscape_import_reports_every_broken_card() -> None:
    text = "Bio Flashcards\n\n1\nQ\nQ1\nA\n\n2\nQ\n\nA\nA2\n3\nQ\nQ3\nA\nA3\n"
    with pytest.raises(DeckError) as info:
        import_text(text, "brainscape", path="bio.txt")
    assert str(info.value).splitlines() == [
        "bio.txt:6: card 1: answer is empty",
        "bio.txt:9: card 2: question is empty",
    ]


def test_brainscape_import_reports_too_long_answer_with_card_line() -> None:
    text = export(("Q1", "A1"), ("Q2", "x" * 1801))
    with pytest.raises(DeckError) as info:
        import_text(text, "brainscape", path="bio.txt")
    line = text.splitlines().index("Q", 4)  # the line above card 2's Q
    assert str(info.value) == (
        f"bio.txt:{line}: card 2: answer is too long for Discord (1801 characters, limit 1800)"
    )

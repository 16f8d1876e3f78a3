"""An import gives a deck that check-decks accepts, or refuses up front: the same limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.decks import DeckError, dump_deck, import_text, parse_deck
from bot.decks.files import MAX_FILE_BYTES
from bot.decks.yamlsafe import MAX_NODES


def brainscape(count: int) -> str:
    cards = "".join(f"{n}\nQ\n\nquestion {n}\n\nA\n\nanswer {n}\n\n" for n in range(1, count + 1))
    return f"Big Flashcards\n\n{cards}"


def many_lines_csv(count: int) -> str:
    # Each answer line costs 2 bytes here and 6 in the deck file (indented block literal).
    answer = "x\n" * 800
    return "".join(f'q{n},"{answer}"\n' for n in range(count))


def fitting(error: DeckError) -> int:
    match = re.search(r"at most (\d+) of these cards fit", str(error))
    assert match is not None, str(error)
    return int(match[1])


@pytest.mark.parametrize(
    ("make", "fmt", "cards", "reason"),
    [
        pytest.param(
            brainscape,
            "brainscape",
            7_500,
            f"too many values (more than {MAX_NODES})",
            id="7,500-card brainscape: the value limit",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            many_lines_csv,
            "csv",
            400,
            f"file is larger than {MAX_FILE_BYTES // 1024} KiB",
            id="long multi-line answers: the size limit",
        ),
    ],
)
def test_import_refuses_a_deck_check_decks_would_refuse_and_says_how_many_fit(
    make: Callable[[int], str], fmt: str, cards: int, reason: str
) -> None:
    with pytest.raises(DeckError) as info:
        import_text(make(cards), fmt, path="big.txt")
    (problem,) = info.value.problems
    assert problem.path == "big.txt" and problem.line is None
    assert problem.message.startswith(
        f"{cards} cards are too many for one deck file: check-decks would refuse it ({reason})"
    )
    most = fitting(info.value)
    assert problem.message.endswith(f"split the export into parts of at most {most} cards")
    # Exactly: that many are imported (and pass check-decks' parser), one more is refused.
    deck = import_text(make(most), fmt, path="big.txt")
    assert parse_deck(dump_deck(deck), "big.yaml") == deck
    with pytest.raises(DeckError):
        import_text(make(most + 1), fmt, path="big.txt")


def test_cli_import_of_an_oversize_export_writes_nothing(tmp_path: Path) -> None:
    from tests.test_cli import run

    source = tmp_path / "big.txt"
    source.write_text(brainscape(10_000), encoding="utf-8")
    out = tmp_path / "big.yaml"
    result = run("import", str(source), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {source}: 10000 cards are too many for one deck file")
    assert not out.exists()

"""Loading deck files from disk: one bad deck never stops the others."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.decks import DeckError, Problem, check_paths, load_deck, load_decks
from bot.decks.files import MAX_FILE_BYTES
from bot.decks.yamlsafe import LIBYAML

GOOD = "name: Good\ncards:\n- id: a\n  question: Q\n  answer: A\n"
BAD = "name: Bad\ncards:\n- id: a\n  question: Q\n"


def write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_load_deck_reads_a_file(tmp_path: Path) -> None:
    deck = load_deck(write(tmp_path, "good.yaml", GOOD))
    assert (deck.id, deck.name, len(deck.cards)) == ("good", "Good", 1)
    assert deck.source == str(tmp_path / "good.yaml")


def test_load_deck_rejects_oversized_file_before_parsing(tmp_path: Path) -> None:
    # Valid YAML all the way: only the size can be the reason for the refusal.
    path = write(tmp_path, "big.yaml", GOOD + "#" * MAX_FILE_BYTES)
    with pytest.raises(DeckError) as info:
        load_deck(path)
    assert str(info.value) == (f"{path}: file is larger than 1024 KiB; split it into smaller decks")


def test_load_deck_rejects_non_utf8_with_line(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.yaml", "name: Café\n".encode("latin-1") + b"cards: []\n")
    with pytest.raises(DeckError) as info:
        load_deck(path)
    assert str(info.value) == f"{path}:1: not valid UTF-8 (byte 0xe9); save the file as UTF-8"


def test_load_deck_reports_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as info:
        load_deck(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: cannot read: No such file or directory"


def test_load_decks_loads_good_deck_despite_bad_one(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", BAD)
    result = load_decks(tmp_path)
    assert list(result.decks) == ["good"]
    assert [str(error) for error in result.errors] == [f"{bad}:3: card 'a': missing answer"]


def test_load_decks_returns_problems_and_leaves_reporting_to_the_caller(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # check-decks prints them and the bot logs them: logging here too said everything twice.
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "bad.yaml", BAD)
    with caplog.at_level(logging.INFO, logger="bot.decks"):
        load_decks(tmp_path)
        load_decks(tmp_path / "nope")
        check_paths([tmp_path])
    assert caplog.records == []


def test_bot_start_logs_each_invalid_deck_problem_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.app import open_services
    from bot.config import Config
    from bot.infra.clock import SystemClock

    write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", BAD)
    config = Config(database_path=tmp_path / "db.sqlite3", decks_dir=tmp_path)

    async def start() -> None:
        services = await open_services(config, SystemClock())
        await services.close()

    with caplog.at_level(logging.WARNING):
        asyncio.run(start())
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w for w in warnings if "missing answer" in w] == [
        f"deck not loaded: {bad}:3: card 'a': missing answer"
    ]


def test_load_decks_says_which_yaml_parser_it_uses(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "good.yaml", GOOD)
    with caplog.at_level(logging.DEBUG, logger="bot.decks.loading"):
        load_decks(tmp_path)
    expected = "libyaml" if LIBYAML else "PyYAML's pure-Python parser (no libyaml)"
    assert f"parsing 1 deck file(s) with {expected}" in caplog.messages


def test_load_decks_ignores_other_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", GOOD)
    write(tmp_path, "notes.txt", "not a deck")
    write(tmp_path, "b.yaml.bak", BAD)
    write(tmp_path, ".#a.yaml", BAD)
    (tmp_path / "sub.yaml").mkdir()
    result = load_decks(tmp_path)
    assert (list(result.decks), result.errors) == (["a"], [])


def test_load_decks_rejects_second_file_with_same_id(tmp_path: Path) -> None:
    write(tmp_path, "deck.yaml", GOOD)
    write(tmp_path, "deck.yml", GOOD)
    result = load_decks(tmp_path)
    assert list(result.decks) == ["deck"]
    assert [str(error) for error in result.errors] == [
        f"{tmp_path / 'deck.yml'}: deck id 'deck' is already used by {tmp_path / 'deck.yaml'}"
    ]


def test_load_decks_reports_missing_directory(tmp_path: Path) -> None:
    result = load_decks(tmp_path / "nope")
    assert result.decks == {}
    assert [str(error) for error in result.errors] == [
        f"{tmp_path / 'nope'}: cannot read deck directory: No such file or directory"
    ]


def test_check_paths_takes_files_and_directories(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    write(decks, "good.yaml", GOOD)
    bad = write(decks, "bad.yaml", BAD)
    lone = write(tmp_path, "lone.yaml", "name: Lone\n")
    other = write(tmp_path, "notes.txt", "x")
    assert check_paths([decks, lone, other, tmp_path / "gone.yaml"]) == [
        Problem(str(bad), 3, "card 'a': missing answer"),
        Problem(str(lone), 1, "missing cards"),
        Problem(str(other), None, "not a deck file: deck files end in .yaml or .yml"),
        Problem(str(tmp_path / "gone.yaml"), None, "no such file or directory"),
    ]


def test_check_paths_is_empty_for_good_decks(tmp_path: Path) -> None:
    assert check_paths([write(tmp_path, "good.yaml", GOOD), tmp_path]) == []

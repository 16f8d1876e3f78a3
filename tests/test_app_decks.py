"""Loading the decks into a running bot's services: a vanished deck folder retires nothing.

Cards are retired when their deck file is gone. A folder that cannot be read (renamed,
unmounted, a typo) or that holds no deck file at all says nothing about any deck, so the
stored cards and the decks already loaded are kept as they are.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import Services, open_services, reload_decks
from bot.config import ConfigError, build_config
from tests.support.clock import FakeClock

START = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
DECK = """\
name: Capitals
cards:
- id: dk
  question: What is the capital of Denmark?
  answer: Copenhagen
- id: se
  question: What is the capital of Sweden?
  answer: Stockholm
"""


async def _services(tmp_path: Path) -> Services:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "capitals.yaml").write_text(DECK, encoding="utf-8")
    config = build_config(
        {"database": {"path": str(tmp_path / "db.sqlite3")}, "decks": {"dir": str(decks)}}, {}
    )
    return await open_services(config, FakeClock(START))


def _cards(database: Path) -> dict[str, int]:
    """card id -> retired (0 or 1), read from the database file itself."""
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT card_id, retired FROM cards").fetchall())


@pytest.mark.parametrize("how", ["removed", "replaced-by-a-file", "emptied"])
async def test_reload_decks_keeps_cards_when_the_folder_vanishes(tmp_path: Path, how: str) -> None:
    services = await _services(tmp_path)
    try:
        assert _cards(tmp_path / "db.sqlite3") == {"dk": 0, "se": 0}
        folder = tmp_path / "decks"
        shutil.rmtree(folder)
        if how == "replaced-by-a-file":
            folder.write_text("", encoding="utf-8")
        elif how == "emptied":
            folder.mkdir()

        await reload_decks(services)

        assert _cards(tmp_path / "db.sqlite3") == {"dk": 0, "se": 0}
        assert list(services.decks) == ["capitals"]
    finally:
        await services.close()


async def test_reload_decks_still_retires_a_removed_deck_file(tmp_path: Path) -> None:
    services = await _services(tmp_path)
    try:
        (tmp_path / "decks" / "capitals.yaml").rename(tmp_path / "decks" / "capitals.yaml.off")
        (tmp_path / "decks" / "other.yaml").write_text(
            DECK.replace("Capitals", "Other"), encoding="utf-8"
        )
        await reload_decks(services)
        assert list(services.decks) == ["other"]
        with sqlite3.connect(tmp_path / "db.sqlite3") as db:
            rows = db.execute("SELECT deck_id, card_id, retired FROM cards ORDER BY 1, 2")
            assert rows.fetchall() == [
                ("capitals", "dk", 1),
                ("capitals", "se", 1),
                ("other", "dk", 0),
                ("other", "se", 0),
            ]
    finally:
        await services.close()


async def test_open_services_refuses_a_missing_decks_folder(tmp_path: Path) -> None:
    config = build_config(
        {"database": {"path": str(tmp_path / "db.sqlite3")}, "decks": {"dir": str(tmp_path / "x")}},
        {},
    )
    with pytest.raises(ConfigError, match=r"^decks\.dir: no such folder: "):
        await open_services(config, FakeClock(START))
    assert not (tmp_path / "db.sqlite3").exists()

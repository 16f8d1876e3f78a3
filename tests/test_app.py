"""The bot object itself: what constructing it says and sets up."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest

from bot.app import Flashdrop, open_services
from bot.config import build_config
from tests.support.clock import FakeClock


async def test_constructing_the_bot_logs_no_voice_library_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # discord.py warns once per process; make this construction the first one.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    config = build_config(
        {"database": {"path": str(tmp_path / "db.sqlite3")}, "decks": {"dir": str(tmp_path)}}, {}
    )
    services = await open_services(config, FakeClock(datetime(2026, 12, 2, tzinfo=UTC)))
    try:
        with caplog.at_level(logging.WARNING):
            bot = Flashdrop(services)
        await bot.close()
    finally:
        await services.close()

    assert "voice will NOT be supported" not in caplog.text

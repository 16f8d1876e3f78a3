"""Config drops that name something the bot does not have are warned about at start.

A drop in config.yaml is checked against the decks once they load, and against the guilds and
channels once the bot is connected and its guild cache is filled (the guilds intent; there is
no member intent, and none is needed). One warning line per drop that names an unknown
deck, guild or channel; a drop that names only what exists is not mentioned.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.support.bot_fixture import Flashdrops

UNKNOWN_GUILD = 999_000_000_000_000_001
UNKNOWN_CHANNEL = 999_000_000_000_000_002


def drop(flashdrop: Flashdrops, **fields: Any) -> dict[str, Any]:
    entry = {
        "guild_id": flashdrop.world.guild.id,
        "channel_id": flashdrop.world.channel.id,
        "deck": "python",
        "time": "08:00",
    }
    if "decks" in fields:
        del entry["deck"]
    return {**entry, **fields}


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.services.drops" and r.levelno == logging.WARNING
    ]


async def test_config_drops_naming_unknown_places_warn_one_line_each(
    flashdrop: Flashdrops, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    drops = [
        drop(flashdrop),
        drop(flashdrop, decks=["python", "pyhton"]),
        drop(flashdrop, guild_id=UNKNOWN_GUILD),
        drop(flashdrop, channel_id=UNKNOWN_CHANNEL),
        drop(flashdrop, decks=["capitals"]),
    ]

    await flashdrop.start(drops=drops)

    assert warnings(caplog) == [
        "drops[1]: no deck 'pyhton' is loaded (loaded: capitals, python)",
        f"drops[2].guild_id: the bot is in no guild with id {UNKNOWN_GUILD}; the drop cannot post",
        f"drops[3].channel_id: guild 'Study group' has no channel with id {UNKNOWN_CHANNEL}; "
        "the drop cannot post",
    ]


async def test_config_drops_are_checked_again_at_each_start(
    flashdrop: Flashdrops, caplog: pytest.LogCaptureFixture
) -> None:
    drops = [drop(flashdrop, guild_id=UNKNOWN_GUILD)]
    running = await flashdrop.start(drops=drops)
    await running.stop()
    await flashdrop.start(drops=drops)
    assert len(warnings(caplog)) == 2


async def test_config_drops_that_name_what_exists_warn_nothing(
    flashdrop: Flashdrops, caplog: pytest.LogCaptureFixture
) -> None:
    await flashdrop.start(drops=[drop(flashdrop), drop(flashdrop, decks=["python", "capitals"])])
    assert warnings(caplog) == []

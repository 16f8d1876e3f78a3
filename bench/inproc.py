"""Running the real Flashdrop bot inside the benchmark process, as the end-to-end tests do.

Used where the benchmark must reach into the bot (a clock it sets, a tick it calls, a count of
handled events). Memory and cold start run `python -m bot run` as a process instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import Config, build_config

REPO = Path(__file__).resolve().parents[1]
SHIPPED_DECKS = REPO / "decks"


def bench_config(
    database: Path, decks: Path, api_base: str, gateway_url: str, **overrides: Any
) -> Config:
    """The config `python -m bot run` would build from a config.yaml plus the environment."""
    data: dict[str, Any] = {
        "database": {"path": str(database)},
        "decks": {"dir": str(decks)},
        "log_level": "WARNING",
        **overrides,
    }
    env = {"DISCORD_API_BASE": api_base, "DISCORD_GATEWAY_URL": gateway_url}
    return build_config(data, env)

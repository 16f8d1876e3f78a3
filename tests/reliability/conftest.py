"""Fixtures for the reliability tests.

The end-to-end fixtures (a loopback Discord per test, the in-process Flashdrop launcher) are
re-exported from ``tests/e2e/conftest.py``; ``processes`` cleans up bots run as processes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.conftest import (  # noqa: F401 - fixtures, found by name
    clock,
    discord_endpoints,
    fake_discord,
    flashdrop,
    run_client,
    world,
)
from tests.reliability.procbot import BotProcess


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    """Every bot process a test appends here is killed at teardown if it still runs."""
    started: list[BotProcess] = []
    try:
        yield started
    finally:
        for running in started:
            if running.running:
                running.kill()
                await running.process.wait()
            for reader in running.readers:
                reader.cancel()

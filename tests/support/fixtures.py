"""Fixtures for end-to-end tests: a loopback Discord per test and real discord.py clients.

A pytest plugin, declared in ``tests/conftest.py``, so every test directory finds these by name.

- ``fake_discord``: a started :class:`FakeDiscord`, stopped after the test.
- ``world``: ``fake_discord`` with one guild, a #flashcards channel and members alice and bob.
- ``discord_endpoints``: discord.py pointed at ``fake_discord`` for the test, then restored.
- ``run_client``: ``await run_client(client)`` logs in, connects and waits for ``on_ready``;
  every client started this way is closed after the test.
- ``clock``: a FakeClock at ``bot_fixture.START``.
- ``flashdrop``: a launcher of the real Flashdrop bot on a database and decks in ``tmp_path``
  (see ``bot_fixture.py``); every bot it started is stopped after the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord
import pytest

from tests.support.bot_fixture import START, Flashdrops
from tests.support.clock import FakeClock
from tests.support.fakediscord import FakeDiscord
from tests.support.harness import RunClient, World, close_client, connect_client
from tests.support.harness import discord_endpoints as endpoints


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def world(fake_discord: FakeDiscord) -> World:
    guild = fake_discord.add_guild("Study group")
    channel = fake_discord.add_channel(guild, "flashcards")
    alice = fake_discord.add_member(guild, "alice")
    bob = fake_discord.add_member(guild, "bob")
    return World(fake_discord, guild, channel, alice, bob)


@pytest.fixture
def discord_endpoints(fake_discord: FakeDiscord) -> Iterator[FakeDiscord]:
    with endpoints(fake_discord.api_base, fake_discord.gateway_url):
        yield fake_discord


@pytest.fixture
async def run_client(discord_endpoints: FakeDiscord) -> AsyncIterator[RunClient]:
    started: dict[discord.Client, asyncio.Task[None] | None] = {}

    async def run(client: discord.Client, *, token: str | None = None) -> discord.Client:
        started[client] = None  # closed at teardown even if connecting fails (LoginFailure)
        started[client] = await connect_client(client, token or discord_endpoints.token)
        return client

    try:
        yield run
    finally:
        for client, runner in reversed(list(started.items())):
            await close_client(client, runner)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def flashdrop(
    world: World, discord_endpoints: FakeDiscord, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Flashdrops]:
    launcher = Flashdrops(world, tmp_path, clock)
    try:
        yield launcher
    finally:
        await launcher.stop_all()

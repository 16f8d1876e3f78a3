"""The real Flashdrop bot against the loopback Discord, for end-to-end tests.

A :class:`Flashdrops` launcher (the ``flashdrop`` fixture) writes small decks to ``tmp_path``,
builds the bot's config the way ``python -m bot run`` does (``DISCORD_API_BASE`` and
``DISCORD_GATEWAY_URL`` point it at the loopback server), opens a real SQLite file and starts the
real ``Flashdrop`` bot, its cogs and its slash-command sync, on a :class:`FakeClock`.
``await flashdrop.start()`` returns a :class:`RunningBot` once it is ready and has caught up
with the reactions of recent posts; ``await running.stop()`` then ``flashdrop.start()`` again is
a restart on the same database.

Waiting is on events, never on sleeps: the bot's event handlers run as tasks of their own, so
:meth:`RunningBot.settle` first waits until the bot has *received* the event a test caused and
then until every handler task (and the start-up reconciliation) it spawned has finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import discord

from bot.app import Flashdrop, Services, open_services
from bot.cogs.posted_cards import PostedCards
from bot.config import Config, build_config
from bot.core.reactions import RATING_EMOJI
from bot.runner import point_discord_at
from bot.storage.storage import Storage
from tests.support.clock import FakeClock
from tests.support.fakediscord import FakeDiscord, InteractionRecord, Member, Message
from tests.support.harness import EventRecorder, World, close_client, connect_client

__all__ = [
    "DECKS",
    "EYES",
    "RATE",
    "START",
    "Flashdrops",
    "RunningBot",
    "TestFlashdrop",
    "bot_env",
    "write_setup",
]

# A Monday noon in UTC: study date 2025-03-03 for members of a UTC guild (day starts 04:00).
START = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
EYES = "\N{EYES}"
RATE = {int(rating): emoji for rating, emoji in RATING_EMOJI.items()}  # RATE[3] == "3️⃣"

DECKS = {
    "python": """\
name: Python basics
description: Small Python questions for the end-to-end tests.
tags: [python, programming]
cards:
- id: py-len
  question: What does `len([1, 2, 3])` return?
  answer: "3"
- id: py-def
  question: Which keyword starts a function definition?
  answer: def
  hint: three letters
- id: py-none
  question: What does a function without a return statement return?
  answer: None
""",
    "capitals": """\
name: Capitals
description: One capital city.
cards:
- id: dk
  question: What is the capital of Denmark?
  answer: Copenhagen
""",
}

# Task names of the bot's event work: discord.py's listener tasks, the reconciliation the quiz
# cog starts on READY, slash-command invocations and view (button) callbacks.
_WORK_TASK_PREFIXES = (
    "discord.py: on_",
    "reconcile",
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
)


class TestFlashdrop(Flashdrop):
    """The production bot, minus discord.py's 5 s pause before re-identifying."""

    __test__ = False  # not a pytest test class

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass
class RunningBot:
    """One running Flashdrop process-equivalent: the bot, its services and what it received."""

    bot: Flashdrop
    services: Services
    server: FakeDiscord
    world: World
    recorder: EventRecorder
    runner: asyncio.Task[None]
    stopped: bool = field(default=False)

    @property
    def config(self) -> Config:
        return self.services.config

    @property
    def storage(self) -> Storage:
        return self.services.storage

    @property
    def posted_cards_cog(self) -> PostedCards:
        cog = self.bot.get_cog("PostedCards")
        # load_extension executes the cog's module afresh, so the class is not the one imported.
        assert cog is not None and type(cog).__qualname__ == "PostedCards"
        return cast(PostedCards, cog)

    async def settle(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - one deadline for all
        """Wait until every event handler, command and reconciliation task has finished."""
        await settle_tasks(_WORK_TASK_PREFIXES, timeout)

    async def received(
        self, event: str, check: Callable[[Any], bool], action: Callable[[], object]
    ) -> None:
        """Run ``action`` (which makes the server dispatch ``event``), wait until the bot has
        received one more matching event, then until it has finished handling it."""
        before = sum(1 for payload in self.recorder.all(event) if check(payload))
        action()
        await self.recorder.wait_for(event, check=check, count=before + 1)
        await self.settle()

    # -- members acting ---------------------------------------------------------------------------

    async def react(self, member: Member, message: Message, emoji: str) -> None:
        """``member`` adds a reaction; returns once the bot has handled it."""
        await self.received(
            "raw_reaction_add",
            _reaction_check(member, message, emoji),
            lambda: self.server.react(member, message, emoji),
        )

    async def unreact(self, member: Member, message: Message, emoji: str) -> None:
        """``member`` removes a reaction; returns once the bot has handled it."""
        await self.received(
            "raw_reaction_remove",
            _reaction_check(member, message, emoji),
            lambda: self.server.unreact(member, message, emoji),
        )

    async def command(
        self, member: Member, name: str, options: Mapping[str, Any] | None = None
    ) -> InteractionRecord:
        """``member`` runs a slash command in the world's channel; returns once it is done."""
        record = self.server.invoke_command(member, self.world.channel, name, options)
        await record
        await self.settle()
        return record

    async def quiz(self, member: Member, deck: str | None = None) -> Message:
        """``member`` runs ``/quiz``; returns the card the bot posted in the channel."""
        posted_before = {m.id for m in self.server.channel_messages(self.world.channel)}
        record = await self.command(member, "quiz", {"deck": deck} if deck else None)
        await record.followup(1)
        posted = [
            m
            for m in self.server.channel_messages(self.world.channel)
            if m.id not in posted_before and m.author_id == self.server.bot.id
        ]
        assert len(posted) == 1, f"/quiz posted {len(posted)} messages"
        return posted[0]

    async def stop(self) -> None:
        """Close the connection, then the storage, as the process does on SIGTERM."""
        if self.stopped:
            return
        self.stopped = True
        await close_client(self.bot, self.runner)
        await self.services.close()


def _reaction_check(
    member: Member, message: Message, emoji: str
) -> Callable[[discord.RawReactionActionEvent], bool]:
    def check(payload: discord.RawReactionActionEvent) -> bool:
        return (
            payload.user_id == member.id
            and payload.message_id == message.id
            and str(payload.emoji) == emoji
        )

    return check


class Flashdrops:
    """Starts real Flashdrop bots on one database and deck folder in ``tmp_path``."""

    def __init__(self, world: World, tmp_path: Path, clock: FakeClock) -> None:
        self.world = world
        self.server = world.server
        self.clock = clock
        self.database_path = tmp_path / "data" / "flashdrop.sqlite3"
        self.decks_dir = tmp_path / "decks"
        self.decks_dir.mkdir(parents=True, exist_ok=True)
        for deck_id, text in DECKS.items():
            (self.decks_dir / f"{deck_id}.yaml").write_text(text, encoding="utf-8")
        self.running: list[RunningBot] = []

    def config(self, **overrides: Any) -> Config:
        """The config ``python -m bot run`` would build from a config.yaml plus the env."""
        data: dict[str, Any] = {
            "database": {"path": str(self.database_path)},
            "decks": {"dir": str(self.decks_dir)},
            # Seeded fuzz depends on the (time-based) member ids: off, for exact due dates.
            "scheduling": {"fuzzing": False},
        }
        env = {
            "DISCORD_API_BASE": self.server.api_base,
            "DISCORD_GATEWAY_URL": self.server.gateway_url,
        }
        return build_config(_merge(data, overrides), env)

    async def start(self, **overrides: Any) -> RunningBot:
        """Start a bot (config ``overrides`` as in config.yaml, e.g. ``quiz={...}``) and wait
        until it is ready and has caught up with recent posts."""
        config = self.config(**overrides)
        # Process-global; the discord_endpoints fixture restores the previous values.
        point_discord_at(config.discord)
        services = await open_services(config, self.clock)
        # A short guild-ready wait: discord.py's 2 s default would delay every start.
        bot = TestFlashdrop(services, guild_ready_timeout=0.05)
        recorder = EventRecorder("ready", "resumed", "raw_reaction_add", "raw_reaction_remove")
        recorder.attach(bot)
        try:
            runner = await connect_client(bot, self.server.token)
        except BaseException:
            with contextlib.suppress(Exception):
                await bot.close()
            await services.close()
            raise
        running = RunningBot(bot, services, self.server, self.world, recorder, runner)
        self.running.append(running)
        await running.settle()
        return running

    async def stop_all(self) -> None:
        for running in reversed(self.running):
            await running.stop()


# -- the bot as a separate process (python -m bot run) ------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def write_setup(
    root: Path,
    *,
    log_level: str = "INFO",
    decks: Mapping[str, str] | None = None,
    extra: str = "",
) -> Path:
    """A config.yaml and decks in ``root``, as an admin lays them out; returns the path of the
    database the bot will use."""
    folder = root / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    for deck_id, text in (DECKS if decks is None else decks).items():
        (folder / f"{deck_id}.yaml").write_text(text, encoding="utf-8")
    (root / "config.yaml").write_text(
        f"database:\n  path: data/flashdrop.sqlite3\ndecks:\n  dir: decks\n"
        f"log_level: {log_level}\n{extra}",
        encoding="utf-8",
    )
    return root / "data" / "flashdrop.sqlite3"


def bot_env(server: FakeDiscord | None, token: str) -> dict[str, str]:
    """The process environment: the token, and the server's address unless ``server`` is None
    (the config file names it then)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env.update(
        DISCORD_TOKEN=token,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    if server is not None:
        env.update(DISCORD_API_BASE=server.api_base, DISCORD_GATEWAY_URL=server.gateway_url)
    return env


async def settle_tasks(prefixes: tuple[str, ...], timeout: float) -> None:  # noqa: ASYNC109
    """Wait until no task of this loop whose name starts with one of `prefixes` is pending."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    me = asyncio.current_task()
    while True:
        pending = [
            task
            for task in asyncio.all_tasks()
            if task is not me and not task.done() and task.get_name().startswith(prefixes)
        ]
        if not pending:
            return
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"still busy after {timeout} s: {pending}")
        await asyncio.wait(pending, timeout=remaining)

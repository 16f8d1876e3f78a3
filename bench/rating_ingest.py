"""1. Rating ingest, end to end: members' 1-5 reactions into the database, schedules updated.

A loopback Discord in a process of its own dispatches every member's reaction on every post
(MESSAGE_REACTION_ADD over a real websocket, with the member object, as Discord sends it). The
real Flashdrop bot (discord.py client, cogs, CardPoster, SQLite storage) runs in this process
and records each as a rating, updating the member's schedule of the card. The clock starts at
the first event the client hands to a listener and stops when the last handler has finished.

Baseline, in the same run and against a fresh server with the same world: the same client
class, intents, caches and options, with no cogs and a no-op `on_raw_reaction_add`, i.e. what
discord.py itself costs per event. Both clients carry the same one-line counting listener.
Each round runs the baseline then the bot; the figures are medians over the rounds.

Also reported (`same_loop_*`): one round of each with the server in this process's event loop,
timed from asking the server to dispatch, the set-up DISCORD-TESTING.md measured (4.9-9.1k
no-op events/s). There the server's work of building and encoding every event is paid on the
bot's CPU in both runs, which hides much of the gap between the bot and discord.py alone; the
separate-process figures are the headline.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import discord

from bench.inproc import SHIPPED_DECKS, bench_config
from bench.loopback import InProcessLoopback, LoopbackProcess
from bench.report import Figure, at_least, figure
from bot.app import open_services
from bot.core.posts import Post, PostKind
from tests.support.bot_fixture import START, TestFlashdrop, settle_tasks
from tests.support.clock import FakeClock
from tests.support.harness import close_client, connect_client, discord_endpoints

NAME = "rating_ingest"
START_TASKS = ("discord.py: on_", "reconcile", "CommandTree-invoker")
REACTION_TASKS = ("discord.py: on_raw_reaction_add",)


class NoopFlashdrop(TestFlashdrop):
    """The same client with nothing behind the reactions: no cogs, no command sync."""

    async def setup_hook(self) -> None:
        return None


class _Counter:
    """Counts reaction events handed to listeners; notes when the first one came."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.first: float | None = None
        self.all_in = asyncio.Event()

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if self.first is None:
            self.first = time.perf_counter()
        self.count += 1
        if self.count >= self.expected:
            self.all_in.set()


async def _round(
    tmp: Path, *, noop: bool, members: int, posts: int, seed: int, same_loop: bool = False
) -> dict[str, Any]:
    expected = members * posts
    timeout = 60 + expected / 200
    loopback = InProcessLoopback() if same_loop else LoopbackProcess()
    async with loopback as server:
        world = await server.call("world", members=members, posts=posts)
        database = tmp / f"{'noop' if noop else 'bot'}-{seed}-{same_loop}.sqlite3"
        config = bench_config(
            database,
            SHIPPED_DECKS,
            server.api_base,
            server.gateway_url,
            scheduling={"fuzzing": False},
        )
        with discord_endpoints(server.api_base, server.gateway_url):
            clock = FakeClock(START)
            services = await open_services(config, clock)
            try:
                cards = [(d, c) for d in services.decks.values() for c in d.cards][:posts]
                for message_id, (deck, card) in zip(world["posts"], cards, strict=True):
                    await services.storage.posts.record_post(
                        Post(
                            message_id=message_id,
                            guild_id=world["guild_id"],
                            channel_id=world["channel_id"],
                            deck_id=deck.id,
                            card_id=card.id,
                            kind=PostKind.QUIZ,
                            posted_at=START,
                        )
                    )
                bot = (NoopFlashdrop if noop else TestFlashdrop)(services, guild_ready_timeout=0.05)
                counter = _Counter(expected)
                bot.add_listener(counter.on_raw_reaction_add, "on_raw_reaction_add")
                runner = await connect_client(bot, server.token, timeout=30)
                try:
                    await settle_tasks(START_TASKS, 30)
                    asked = time.perf_counter()
                    await server.call(
                        "react", members=world["members"], posts=world["posts"], seed=seed
                    )
                    await asyncio.wait_for(counter.all_in.wait(), timeout)
                    await settle_tasks(REACTION_TASKS, timeout)
                    assert counter.first is not None
                    # In one loop the server's work counts: from asking it to dispatch.
                    elapsed = time.perf_counter() - (asked if same_loop else counter.first)
                finally:
                    await close_client(bot, runner)
            finally:
                await services.close()
    stored = None if noop else _stored(database)
    if stored is not None and stored != (expected, expected):
        raise RuntimeError(f"expected {expected} ratings and schedules, found {stored}")
    return {"rate": expected / elapsed, "seconds": elapsed}


def _stored(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as db:
        ratings = db.execute("SELECT count(*) FROM ratings").fetchone()[0]
        states = db.execute("SELECT count(*) FROM member_card_state").fetchone()[0]
    return int(ratings), int(states)


async def run(quick: bool) -> list[Figure]:
    members, posts, rounds = (1000, 5, 1) if quick else (2000, 10, 3)
    bot_runs, noop_runs = [], []
    with tempfile.TemporaryDirectory(prefix="flashdrop-bench-") as tmp:
        for seed in range(rounds):
            noop_runs.append(
                await _round(Path(tmp), noop=True, members=members, posts=posts, seed=seed)
            )
            bot_runs.append(
                await _round(Path(tmp), noop=False, members=members, posts=posts, seed=seed)
            )
        same_loop = {
            noop: await _round(
                Path(tmp), noop=noop, members=members, posts=posts, seed=99, same_loop=True
            )
            for noop in (True, False)
        }
    value = statistics.median(r["rate"] for r in bot_runs)
    baseline = statistics.median(r["rate"] for r in noop_runs)
    return [
        figure(
            NAME,
            value,
            "ratings/s",
            baseline=baseline,
            target=[at_least(3000, "ratings/s")],
            ratio_target=at_least(0.5, ""),
            digits=0,
            ratings=members * posts,
            members=members,
            posts=posts,
            rounds=rounds,
            runs=[round(r["rate"]) for r in bot_runs],
            baseline_runs=[round(r["rate"]) for r in noop_runs],
            same_loop_value=round(same_loop[False]["rate"]),
            same_loop_baseline=round(same_loop[True]["rate"]),
        )
    ]

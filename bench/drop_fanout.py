"""3. Drop fan-out: 200 channels with a drop in the same minute, under Discord's rate limits.

The loopback Discord enforces Discord's limits (`RateLimits()`: 5 messages per 5 s per channel,
one reaction per 0.25 s per channel, 50 requests per second globally, fixed windows; 429s as
Discord sends them, with Retry-After and X-RateLimit-* headers). The real bot, configured with
200 drops (3 cards each, same minute, one per channel), runs in this process on a clock the
benchmark sets. Its own ticker is stopped; the benchmark calls `DropRunner.tick` at the drop
minute and, while any run is unfinished, again every TICK_SECONDS as the ticker would. The
figure is the wall time from the first tick to the last run finished (every heading, card and
reveal reaction posted, checked on the server).

Baseline: the floor the limits allow. A drop is 1 + 2 x cards requests (heading, then each card
and its reaction), so R = channels x 7 requests; 50 per 1-s window means the last one cannot
start before (ceil(R / 50) - 1) s after the first. Per channel, 4 messages fit one 5-message
window and 3 reactions need 0.5 s; the floor is the larger of the two.

The bot paces itself under the global limit (bot/ratelimit.py): `paced_requests` is how many of
its requests waited for a slot, `paced_wait_s` their waiting in all.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from bench.inproc import SHIPPED_DECKS, bench_config
from bench.report import Figure, at_most, figure
from bot.app import open_services
from bot.cogs.drops import TICK_SECONDS, Drops
from bot.config import Config
from tests.support.bot_fixture import EYES, START, TestFlashdrop, settle_tasks
from tests.support.clock import FakeClock
from tests.support.fakediscord import FakeDiscord, RateLimits, RequestRecord
from tests.support.harness import close_client, connect_client, discord_endpoints

NAME = "drop_fanout"
CARDS = 3
DROP_AT = "12:01"  # START is 12:00 UTC
DROP_INSTANT = START + timedelta(minutes=1)
MAX_TICKS = 12
START_TASKS = ("discord.py: on_", "reconcile", "CommandTree-invoker")


def floor_seconds(channels: int, cards: int, limits: RateLimits) -> tuple[float, int]:
    """(the least time the limits allow, the number of requests) for one drop per channel."""
    requests = channels * (1 + 2 * cards)
    limit, per = limits.global_limit
    global_floor = (math.ceil(requests / limit) - 1) * per
    messages, message_window = limits.message_create
    react_limit, react_per = limits.reactions
    channel_floor = max(
        (math.ceil((1 + cards) / messages) - 1) * message_window,
        (math.ceil(cards / react_limit) - 1) * react_per,
    )
    return max(global_floor, channel_floor), requests


async def run(quick: bool) -> list[Figure]:
    channels = 100 if quick else 200
    limits = RateLimits()
    floor, needed = floor_seconds(channels, CARDS, limits)
    server = FakeDiscord(rate_limits=limits)
    await server.start()
    try:
        guild = server.add_guild("Drops")
        channel_ids = [server.add_channel(guild, f"drop-{i}").id for i in range(channels)]
        with tempfile.TemporaryDirectory(prefix="flashdrop-bench-") as tmp:
            drops = [
                {
                    "guild_id": guild.id,
                    "channel_id": channel_id,
                    "deck": "python-basics",
                    "time": DROP_AT,
                    "timezone": "UTC",
                    "cards": CARDS,
                }
                for channel_id in channel_ids
            ]
            config = bench_config(
                Path(tmp) / "flashdrop.sqlite3",
                SHIPPED_DECKS,
                server.api_base,
                server.gateway_url,
                drops=drops,
            )
            with discord_endpoints(server.api_base, server.gateway_url):
                measured = await _measure(server, config, channel_ids)
    finally:
        await server.stop()
    elapsed, ticks, window, paced = measured
    statuses = Counter(record.status for record in window)
    return [
        figure(
            NAME,
            elapsed,
            "s",
            baseline=floor,
            ratio_target=at_most(1.2, ""),
            digits=2,
            channels=channels,
            cards_per_drop=CARDS,
            requests_needed=needed,
            requests_ok=sum(n for status, n in statuses.items() if 200 <= status < 300),
            responses_429=statuses.get(429, 0),
            ticks=ticks,
            **paced,
        )
    ]


async def _measure(
    server: FakeDiscord, config: Config, channel_ids: list[int]
) -> tuple[float, list[dict[str, float]], list[RequestRecord], dict[str, Any]]:
    clock = FakeClock(START)
    services = await open_services(config, clock)
    try:
        bot = TestFlashdrop(services, guild_ready_timeout=0.05)
        runner = await connect_client(bot, server.token, timeout=30)
        try:
            await settle_tasks(START_TASKS, 30)
            cog = cast(Drops, bot.get_cog("Drops"))
            cog.ticker.cancel()
            await asyncio.sleep(1.1)  # a fresh global window, as a quiet bot would have
            mark = len(server.requests)
            started = time.perf_counter()
            ticks: list[dict[str, float]] = []
            while True:
                at = time.perf_counter() - started
                clock.set(DROP_INSTANT + timedelta(seconds=at))
                report = await bot.drops.tick(clock.now())
                took = time.perf_counter() - started - at
                ticks.append(
                    {
                        "at_s": round(at, 2),
                        "took_s": round(took, 2),
                        "posted": report.posted,
                        "failed": report.failed,
                    }
                )
                if not await services.storage.drops.unfinished_runs() or len(ticks) >= MAX_TICKS:
                    break
                next_tick = started + len(ticks) * TICK_SECONDS
                await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))
            elapsed = time.perf_counter() - started
            window = server.requests[mark:]
            limiter = bot.global_limiter
            paced = {
                "paced_requests": limiter.delayed if limiter else 0,
                "paced_wait_s": round(limiter.waited, 2) if limiter else 0.0,
            }
            _check_posted(server, channel_ids)
        finally:
            await close_client(bot, runner)
    finally:
        await services.close()
    return elapsed, ticks, window, paced


def _check_posted(server: FakeDiscord, channel_ids: list[int]) -> None:
    incomplete = []
    for channel_id in channel_ids:
        mine = [m for m in server.channel_messages(channel_id) if m.author_id == server.bot.id]
        cards = mine[1:]
        if len(mine) != 1 + CARDS or not all(server.bot.id in m.reactors(EYES) for m in cards):
            incomplete.append(channel_id)
    if incomplete:
        raise RuntimeError(f"{len(incomplete)} channel(s) did not get their whole drop")

"""The bot paces itself under Discord's global limit: a burst of drops gets no 429.

The loopback Discord here enforces Discord's real limits (50 requests per second per bot token,
5 messages per 5 s per channel, reactions 1 per 0.25 s per channel). Without the bot's own pacing
a burst like this one overshoots the global limit at once (bench/README.md, drop fan-out).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.infra.ratelimit import GLOBAL_LIMIT
from tests.support.bot_fixture import EYES, START, Flashdrops
from tests.support.fakediscord import FakeDiscord, RateLimits, RequestRecord

CHANNELS = 12  # 12 drops x 7 requests: 84, well over one second's worth
CARDS = 3
DROP_AT = "12:01"  # START is 12:00 UTC
NO_GLOBAL_LIMIT = ("/interactions/", "/webhooks/")  # what Discord does not count
CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """This module's loopback Discord enforces the real limits (the conftest's enforces none)."""
    server = FakeDiscord(rate_limits=RateLimits())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def counted(record: RequestRecord) -> bool:
    return not record.path.removeprefix("/api/v10").startswith(NO_GLOBAL_LIMIT)


def most_in_any_second(records: list[RequestRecord]) -> int:
    times = sorted(r.time for r in records)
    return max(sum(1 for u in times if t <= u < t + 1.0) for t in times)


async def test_drop_burst_stays_under_global_limit_and_interactions_skip_the_queue(
    flashdrop: Flashdrops,
) -> None:
    server, world = flashdrop.server, flashdrop.world
    channels = [world.channel] + [
        server.add_channel(world.guild, f"drops-{n}") for n in range(CHANNELS - 1)
    ]
    drops: list[dict[str, Any]] = [
        {
            "guild_id": world.guild.id,
            "channel_id": channel.id,
            "deck": "python",
            "time": DROP_AT,
            "timezone": "UTC",
            "cards": CARDS,
        }
        for channel in channels
    ]
    running = await flashdrop.start(drops=drops)
    runner = running.bot.drops
    limiter = running.bot.global_limiter
    assert limiter is not None and limiter.limit == GLOBAL_LIMIT
    mark = len(server.requests)

    at = START + timedelta(minutes=1)
    flashdrop.clock.set(at)
    tick = running.bot.loop.create_task(runner.tick(at))
    # Once the bot has sent a full second's worth, its next requests wait for the limiter;
    # a member's command meanwhile is answered at once: interaction callbacks are not counted.
    await server.wait_for(lambda: sum(map(counted, server.requests[mark:])) >= GLOBAL_LIMIT)
    await server.invoke_command(world.alice, world.channel, "due")
    report = await tick
    await running.settle()

    burst = server.requests[mark:]
    assert report.posted == CHANNELS and report.failed == 0
    assert [r for r in burst if r.status == 429] == []
    bot_requests = [r for r in burst if counted(r)]
    assert len(bot_requests) >= CHANNELS * (1 + 2 * CARDS)
    assert most_in_any_second(bot_requests) == GLOBAL_LIMIT  # the limit was reached, not passed
    assert limiter.delayed >= 1
    # /due's answer got there while the bot's own requests were held back for the next second.
    [callback] = server.requests_to(CALLBACK)
    assert sum(counted(r) for r in burst if r.time < callback.time) == GLOBAL_LIMIT
    for channel in channels:
        mine = [m for m in server.channel_messages(channel) if m.author_id == server.bot.id]
        assert len(mine) == 1 + CARDS
        assert all(server.bot.id in card.reactors(EYES) for card in mine[1:])

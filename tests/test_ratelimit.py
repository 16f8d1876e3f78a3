"""The global-limit pacer on fake time: no network, no real sleeping."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import aiohttp
import pytest
from multidict import CIMultiDict
from yarl import URL

from bot.infra.ratelimit import (
    GLOBAL_LIMIT,
    GLOBAL_WINDOW_SECONDS,
    RollingWindowLimiter,
    counts_against_global_limit,
    pace_requests,
)


class FakeTime:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would


def limiter(fake: FakeTime, limit: int = 5, window: float = 1.0) -> RollingWindowLimiter:
    return RollingWindowLimiter(limit, window, clock=fake.clock, sleep=fake.sleep)


async def grant_times(pacer: RollingWindowLimiter, fake: FakeTime, count: int) -> list[float]:
    """Start ``count`` acquisitions together; the fake time at which each was granted."""
    granted: list[float] = []

    async def one() -> None:
        await pacer.acquire()
        granted.append(fake.now)

    await asyncio.gather(*(one() for _ in range(count)))
    return granted


def most_in_any_window(times: list[float], window: float) -> int:
    """The most grants inside any half-open interval [t, t + window)."""
    ordered = sorted(times)
    return max(sum(1 for u in ordered if t <= u < t + window) for t in ordered)


async def test_limiter_grants_up_to_limit_at_once_without_sleeping() -> None:
    fake = FakeTime()
    assert await grant_times(limiter(fake), fake, 5) == [0.0] * 5
    assert fake.sleeps == []


async def test_limiter_next_grant_waits_until_the_oldest_leaves_the_window() -> None:
    fake = FakeTime()
    pacer = limiter(fake)
    await grant_times(pacer, fake, 5)
    fake.now = 0.3
    await pacer.acquire()
    assert fake.now == pytest.approx(1.0)
    assert fake.sleeps == [pytest.approx(0.7)]
    assert (pacer.delayed, pacer.waited) == (1, pytest.approx(0.7))


async def test_limiter_burst_is_paced_to_the_floor_and_never_over_limit() -> None:
    fake = FakeTime()
    granted = await grant_times(limiter(fake, limit=50, window=1.02), fake, 175)
    assert most_in_any_window(granted, 1.02) == 50
    # As fast as the limit allows: 50 at once, then 50 more every window.
    assert granted == [pytest.approx((i // 50) * 1.02) for i in range(175)]


async def test_limiter_serves_waiters_in_arrival_order() -> None:
    fake = FakeTime()
    pacer = limiter(fake, limit=2)
    order: list[int] = []

    async def one(n: int) -> None:
        await pacer.acquire()
        order.append(n)

    await asyncio.gather(*(one(n) for n in range(7)))
    assert order == list(range(7))


async def test_limiter_spaced_requests_never_wait() -> None:
    fake = FakeTime()
    pacer = limiter(fake, limit=4, window=1.0)
    for _ in range(20):
        await pacer.acquire()
        fake.now += 0.25  # exactly the limit's pace
    assert fake.sleeps == []
    assert pacer.delayed == 0


async def test_limiter_early_wake_up_sleeps_again() -> None:
    fake = FakeTime()

    async def early(seconds: float) -> None:
        fake.sleeps.append(seconds)
        fake.now += seconds * 0.5 if len(fake.sleeps) == 1 else seconds

    pacer = RollingWindowLimiter(1, 1.0, clock=fake.clock, sleep=early)
    await pacer.acquire()
    await pacer.acquire()
    assert fake.now == pytest.approx(1.0)
    assert fake.sleeps == [pytest.approx(1.0), pytest.approx(0.5)]
    assert (pacer.delayed, pacer.waited) == (1, pytest.approx(1.0))


async def test_limiter_cancelled_waiter_takes_no_slot() -> None:
    fake = FakeTime()
    never = asyncio.Event()

    async def stuck(seconds: float) -> None:
        await never.wait()

    pacer = RollingWindowLimiter(1, 1.0, clock=fake.clock, sleep=stuck)
    await pacer.acquire()
    waiter = asyncio.create_task(pacer.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    fake.now = 1.0  # the first grant has left the window: the next caller goes at once
    await asyncio.wait_for(pacer.acquire(), timeout=1)


@pytest.mark.parametrize(("limit", "window"), [(0, 1.0), (5, 0.0), (5, -1.0)])
def test_limiter_rejects_a_limit_that_allows_nothing(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="limit >= 1 and window > 0"):
        RollingWindowLimiter(limit, window)


def test_limiter_defaults_are_discords_global_limit_with_a_margin() -> None:
    assert GLOBAL_LIMIT == 50
    assert 1.0 < GLOBAL_WINDOW_SECONDS <= 1.05


@pytest.mark.parametrize(
    ("headers", "counted"),
    [
        ({"Authorization": "Bot abc.def"}, True),  # every REST call through discord.py's HTTPClient
        ({"User-Agent": "DiscordBot"}, False),  # interaction callbacks, webhook tokens, gateway
        ({"Authorization": "Bearer xyz"}, False),  # an OAuth2 user token: not the bot's limit
    ],
)
def test_counts_against_global_limit_only_with_the_bot_token(
    headers: dict[str, str], counted: bool
) -> None:
    assert counts_against_global_limit(CIMultiDict(headers)) is counted


def request_start(headers: dict[str, str]) -> aiohttp.TraceRequestStartParams:
    url = URL("http://127.0.0.1/api/v10/channels/1/messages")
    return aiohttp.TraceRequestStartParams("POST", url, CIMultiDict(headers))


async def test_pace_requests_waits_for_the_limiter_only_with_the_bot_token() -> None:
    fake = FakeTime()
    pacer = limiter(fake, limit=1)
    trace = pace_requests(pacer)
    [hook] = list(trace.on_request_start)
    session = object.__new__(aiohttp.ClientSession)  # the hook never touches it
    for _ in range(3):
        await hook(session, SimpleNamespace(), request_start({"Authorization": "Bot t"}))
    for _ in range(3):  # e.g. interaction callbacks while the bot's requests queue
        await hook(session, SimpleNamespace(), request_start({}))
    assert fake.now == pytest.approx(2.0)
    assert pacer.delayed == 2


def test_pace_requests_adds_to_a_given_trace_config() -> None:
    own = aiohttp.TraceConfig()

    async def observe(*args: object) -> None:
        return None

    own.on_request_start.append(observe)
    assert pace_requests(limiter(FakeTime()), own) is own
    assert len(own.on_request_start) == 2

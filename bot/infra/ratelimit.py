"""Pacing the bot's own requests under Discord's global rate limit (50 requests/s per bot token).

discord.py paces each route bucket from the X-RateLimit-* headers, but it learns of the global
limit only from a 429: a burst (200 drops at the same minute) sends far more than 50 requests at
once, most come back 429, all of them sleep the same Retry-After and retry together, and a
request refused five times fails. Waiting for a free slot before sending costs nothing when the
bot is quiet and turns the burst into a steady 50 requests a second.

The limiter sits in aiohttp's request-start trace signal, which discord.py exposes as the
``http_trace`` option of ``discord.Client``: every request discord.py sends, first tries and
retries alike, passes it right before it goes out. Only requests that carry the bot token count
against the global limit, so only those wait; interaction callbacks and webhook-token requests
(follow-ups) carry none, are not counted by Discord, and must not queue behind a drop for their
3-second deadline. Neither do the gateway connection or CDN downloads.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from types import SimpleNamespace

import aiohttp

# Discord's documented global limit for a bot token.
GLOBAL_LIMIT = 50
# Discord counts in windows of one second on its side; a slightly longer window here leaves room
# for requests that take a little longer than the one 50 before them to get there.
GLOBAL_WINDOW_SECONDS = 1.02


class RollingWindowLimiter:
    """At most ``limit`` acquisitions in any ``window`` seconds, granted in arrival order.

    ``clock`` (monotonic seconds) and ``sleep`` are injectable so tests can run on fake time.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"a rate limit needs limit >= 1 and window > 0, not {limit}/{window}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        # When the last `limit` acquisitions were granted, oldest first.
        self._granted: deque[float] = deque(maxlen=limit)
        # Held while a caller waits for its slot, so callers are served first come, first served.
        self._turn = asyncio.Lock()
        self.delayed = 0  # acquisitions that had to wait
        self.waited = 0.0  # seconds they slept for a slot (queueing behind others excluded)

    async def acquire(self) -> None:
        """Return when one more acquisition keeps every window within the limit."""
        async with self._turn:
            now = self._clock()
            full = len(self._granted) == self.limit
            if full and now < (free_at := self._granted[0] + self.window):
                asked = now
                # A loop, not one sleep: a timer may fire a hair early.
                while now < free_at:
                    await self._sleep(free_at - now)
                    now = self._clock()
                self.delayed += 1
                self.waited += now - asked
            self._granted.append(now)


def counts_against_global_limit(headers: Mapping[str, str]) -> bool:
    """Whether Discord counts a request against the bot's global limit: it carries the token."""
    return headers.get("Authorization", "").startswith("Bot ")


def pace_requests(
    limiter: RollingWindowLimiter, trace: aiohttp.TraceConfig | None = None
) -> aiohttp.TraceConfig:
    """A trace config (``trace`` if given, to keep its other hooks) that makes every request
    sent with the bot token wait for ``limiter`` before it goes out."""

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        if counts_against_global_limit(params.headers):
            await limiter.acquire()

    trace = trace if trace is not None else aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace

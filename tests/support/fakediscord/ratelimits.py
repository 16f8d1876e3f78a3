"""Rate limits: 429s forced by a test, and Discord's real per-bucket and global limits enforced
with X-RateLimit-* headers when ``FakeDiscord(rate_limits=RateLimits())`` asks for them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

from tests.support.fakediscord.wire import json_response

if TYPE_CHECKING:
    from tests.support.fakediscord.server import FakeDiscord


@dataclass
class RateLimitRule:
    """Forces 429s on a route: for the next ``times`` matching requests, and/or every
    ``every``-th matching request until ``duration`` seconds have passed."""

    route: str  # "METHOD /template" or "*" for every route
    times: int | None = None
    every: int | None = None
    until: float | None = None
    retry_after: float = 0.05
    is_global: bool = False
    scope: str = "user"
    via: bool = True  # without Via discord.py treats the 429 as a Cloudflare ban
    channel_id: int | None = None
    seen: int = 0
    fired: int = 0

    def matches(self, route: str, params: Mapping[str, str], now: float) -> bool:
        if self.route not in ("*", route):
            return False
        if self.channel_id is not None and params.get("channel_id") != str(self.channel_id):
            return False
        return self.until is None or now < self.until

    def fire(self) -> bool:
        """Count a matching request; True if this one must be rate limited."""
        self.seen += 1
        if self.times is not None and self.fired < self.times:
            self.fired += 1
            return True
        if self.every is not None and self.seen % self.every == 0:
            self.fired += 1
            return True
        return False


@dataclass
class RateLimits:
    """Real Discord limits, enforced when passed to ``FakeDiscord(rate_limits=...)``.

    Each entry is (requests, per seconds), fixed window per bucket and major parameter, and
    every response carries X-RateLimit-* headers so discord.py paces itself.
    """

    message_create: tuple[int, float] = (5, 5.0)
    reactions: tuple[int, float] = (1, 0.25)
    default: tuple[int, float] = (50, 1.0)
    global_limit: tuple[int, float] = (50, 1.0)
    per_route: dict[str, tuple[int, float]] = field(default_factory=dict)

    def bucket_for(self, route: str) -> tuple[str, int, float]:
        """(bucket hash, limit, per) for a route template."""
        if route in self.per_route:
            limit, per = self.per_route[route]
            return bucket_hash(route), limit, per
        if route == "POST /channels/{channel_id}/messages":
            return "msgcreate", *self.message_create
        if "/reactions" in route:
            return "reactions", *self.reactions
        return bucket_hash(route), *self.default


def bucket_hash(route: str) -> str:
    return f"{abs(hash(route)) & 0xFFFFFFFF:08x}"


@dataclass
class Window:
    limit: int
    per: float
    started: float | None = None
    used: int = 0

    def hit(self, now: float) -> tuple[bool, int, float]:
        """Take a token. Returns (allowed, remaining, reset_after)."""
        if self.started is None or now >= self.started + self.per:
            self.started, self.used = now, 0
        # Rounded up to the millisecond sent in headers, so a client that waits exactly
        # Reset-After never arrives before the window has really reset.
        reset_after = math.ceil((self.started + self.per - now) * 1000) / 1000
        if self.used >= self.limit:
            return False, 0, reset_after
        self.used += 1
        return True, self.limit - self.used, reset_after


def limited(
    retry_after: float,
    *,
    is_global: bool,
    scope: str,
    bucket: str,
    limit: int,
    via: bool = True,
) -> web.Response:
    if not via:
        # What a Cloudflare ban looks like: no Via header, and not JSON.
        return web.Response(status=429, text="error code: 1015", content_type="text/plain")
    headers = {
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": bucket,
        "X-RateLimit-Scope": scope,
        "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
        "code": 0,
    }
    return json_response(body, 429, headers)


def check(
    server: FakeDiscord, route: str, params: Mapping[str, str], bot_auth: bool
) -> tuple[web.Response | None, dict[str, str]]:
    """Forced rules first, then the enforced limits. Returns (429 or None, headers)."""
    now = time.monotonic()
    for rule in server.rate_limit_rules:
        if rule.matches(route, params, now) and rule.fire():
            return limited(
                rule.retry_after,
                is_global=rule.is_global,
                scope=rule.scope,
                bucket=bucket_hash(route),
                limit=1,
                via=rule.via,
            ), {}
    if server.rate_limits is None:
        return None, {}
    if bot_auth:
        limit, per = server.rate_limits.global_limit
        window = server._windows.setdefault("global", Window(limit, per))
        allowed, _remaining, reset_after = window.hit(now)
        if not allowed:
            return limited(
                reset_after, is_global=True, scope="global", bucket="global", limit=limit
            ), {}
    bucket, limit, per = server.rate_limits.bucket_for(route)
    major = "+".join(
        params[k] for k in ("channel_id", "guild_id", "webhook_id", "token") if k in params
    )
    window = server._windows.setdefault(f"{bucket}:{major}", Window(limit, per))
    allowed, remaining, reset_after = window.hit(now)
    if not allowed:
        return limited(reset_after, is_global=False, scope="user", bucket=bucket, limit=limit), {}
    return None, {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }

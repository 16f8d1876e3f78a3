"""2. Next card for a member: latency of the /review next-card query on a big database.

The database (see `bench.dbgen`): 1M ratings by 10k members of 5k cards, generated once and
cached in the system temp dir. The bot opens it with `Storage.open` and each query goes
through the real storage path (the aiosqlite thread, the store lock, row decoding):
`storage.schedule.next_due(guild, user, today, deck_ids=None, limit=20)`.

Members are drawn in proportion to their number of ratings (busy members ask for cards more
often, and have the most schedule rows to search), after a warm-up; the OS page cache is warm
(the file was just written or read), as it is for a running bot.

Baseline: a primary-key lookup of one of the member's schedule rows through the same path
(`storage.card_state`), so the ratio is what the query costs beyond a round trip to SQLite.
Also reported: the call /review actually makes (`deck_ids` = all 10 decks, limit 100).
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.dbgen import TODAY, Shape, cached_database, deck_ids, members_of
from bench.report import Figure, at_most, figure
from bot.core.models import CardRef
from bot.storage.storage import Storage
from tests.storage.helpers import card_state

NAME = "next_card"
WARM_UP = 300


async def run(quick: bool) -> list[Figure]:
    shape = Shape()
    started = time.perf_counter()
    path, cached = cached_database(shape)
    generation_s = None if cached else round(time.perf_counter() - started, 1)
    samples = 3000 if quick else 10000
    rng = random.Random(7)
    members = members_of(shape)
    drawn = rng.choices(members, weights=[m.ratings for m in members], k=WARM_UP + samples)
    some_card = _one_card_each(path)
    decks = deck_ids(shape)
    timings: dict[str, list[float]] = {"next_due": [], "card_state": [], "review_call": []}
    async with await Storage.open(path) as storage:
        calls: dict[str, Callable[[int, int], Awaitable[object]]] = {
            "next_due": lambda g, u: storage.schedule.next_due(
                g, u, TODAY, deck_ids=None, limit=20
            ),
            "card_state": lambda g, u: card_state(storage, g, u, some_card[(g, u)]),
            "review_call": lambda g, u: storage.schedule.next_due(
                g, u, TODAY, deck_ids=decks, limit=100
            ),
        }
        for i, member in enumerate(drawn):
            # Interleaved, so that all three see the same machine noise.
            for name, call in calls.items():
                began = time.perf_counter()
                await call(member.guild_id, member.user_id)
                if i >= WARM_UP:
                    timings[name].append((time.perf_counter() - began) * 1000)
    p = {name: _percentiles(values) for name, values in timings.items()}
    common: dict[str, Any] = {
        "samples": samples,
        "ratings": shape.ratings,
        "members": shape.members,
        "cards": shape.cards,
        "db_mb": round(path.stat().st_size / 2**20),
        "db_generated_s": generation_s,
    }
    return [
        figure(
            "next_card_p50",
            p["next_due"][0],
            "ms",
            baseline=p["card_state"][0],
            **common,
        ),
        figure(
            "next_card_p99",
            p["next_due"][1],
            "ms",
            baseline=p["card_state"][1],
            target=[at_most(5, "ms")],
            review_call_p50_ms=round(p["review_call"][0], 3),
            review_call_p99_ms=round(p["review_call"][1], 3),
            **common,
        ),
    ]


def _percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98]


def _one_card_each(path: Path) -> dict[tuple[int, int], CardRef]:
    """One schedule row of every member, for the primary-key baseline."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT guild_id, user_id, min(deck_id || '/' || card_id) FROM member_card_state"
            " GROUP BY guild_id, user_id"
        ).fetchall()
    return {(g, u): CardRef(*ref.split("/", 1)) for g, u, ref in rows}

"""`python -m bot run` as a real process against the loopback Discord of the test process.

The reliability tests kill, restart and starve the bot the way production does it, so the bot
runs as its own process: a config.yaml and decks in a directory of ``tmp_path``, the server's
address in DISCORD_API_BASE / DISCORD_GATEWAY_URL and the token in DISCORD_TOKEN. Its output
is collected as it comes and every chunk wakes the waiters, so a test waits on a log line
without polling. The database is another process's file: the helpers here read it through a
read-only connection, the one thing a test has to poll.

The reactions a member left on a post are compared with the ratings the bot stored as sets of
``(message id, user id, rating)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.core.reactions import rating_for
from tests.support.fakediscord import FakeDiscord, Message
from tests.support.process import BotProcess

RECONCILED = "caught up with reactions on recent posts"

Triple = tuple[int, int, int]  # (message id, user id, rating 1-5)


def deck_yaml(deck_id: str, cards: int) -> str:
    """A deck of ``cards`` one-line cards."""
    lines = [f"name: {deck_id.title()}", "cards:"]
    for n in range(cards):
        lines += [f"- id: {deck_id}-{n}", f"  question: Question {n}?", f"  answer: Answer {n}"]
    return "\n".join(lines) + "\n"


# -- the database, read from outside the bot's process -----------------------------------------


@contextlib.contextmanager
def read_only(database: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection: it never takes the write lock, so the bot keeps writing."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10.0)
    try:
        yield db
    finally:
        db.close()


def count_ratings(database: Path) -> int:
    """How many rating rows the bot has committed (0 before the table exists)."""
    if not database.exists():
        return 0
    try:
        with read_only(database) as db:
            return int(db.execute("SELECT count(*) FROM ratings").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # the schema is not there yet


@dataclass(frozen=True)
class RatingsSnapshot:
    """What the database says about ratings on posts, read in one transaction."""

    live: list[Triple]  # every live row, duplicates kept
    effective: set[Triple]  # each member's latest live rating per post
    retracted: int
    integrity: str


def snapshot(database: Path) -> RatingsSnapshot:
    with read_only(database) as db:
        db.execute("BEGIN")
        live = [
            (int(m), int(u), int(r))
            for m, u, r in db.execute(
                "SELECT post_id, user_id, rating FROM ratings"
                " WHERE post_id IS NOT NULL AND retracted = 0"
            )
        ]
        effective = {
            (int(m), int(u), int(r))
            for m, u, r in db.execute(
                "SELECT r.post_id, r.user_id, r.rating FROM ratings r"
                " WHERE r.post_id IS NOT NULL AND r.retracted = 0 AND NOT EXISTS ("
                " SELECT 1 FROM ratings later WHERE later.post_id = r.post_id"
                " AND later.user_id = r.user_id AND later.retracted = 0 AND later.id > r.id)"
            )
        }
        retracted = int(
            db.execute("SELECT count(*) FROM ratings WHERE retracted = 1").fetchone()[0]
        )
        integrity = "\n".join(row[0] for row in db.execute("PRAGMA integrity_check"))
        db.execute("COMMIT")
    return RatingsSnapshot(live, effective, int(retracted), integrity)


async def wait_for_count(
    database: Path,
    condition: Callable[[int], bool],
    what: str,
    *,
    process: BotProcess | None = None,
    timeout: float = 60.0,  # noqa: ASYNC109 - a deadline
) -> int:
    """Poll the rating count until ``condition`` holds (another process's writes send no
    event); fails early if ``process`` exits."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        count = count_ratings(database)
        if condition(count):
            return count
        if process is not None and not process.running:
            raise AssertionError(f"the bot exited before {what} ({count}):\n{process.output}")
        if loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}: {count} ratings stored")
        await asyncio.sleep(0.01)


# -- what Discord holds --------------------------------------------------------------------------


def reactions_on(server: FakeDiscord, messages: Iterable[Message | int]) -> set[Triple]:
    """Every member's 1-5 reaction on ``messages`` as the loopback Discord holds it."""
    held: set[Triple] = set()
    for ref in messages:
        message = server.messages[ref if isinstance(ref, int) else ref.id]
        for emoji, users in message.reactions.items():
            rating = rating_for(emoji)
            if rating is None:
                continue
            held.update((message.id, user, int(rating)) for user in users if user != server.bot.id)
    return held


def duplicates(rows: Iterable[Triple]) -> list[Triple]:
    seen: set[Triple] = set()
    doubled = []
    for row in rows:
        if row in seen:
            doubled.append(row)
        seen.add(row)
    return doubled

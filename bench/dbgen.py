"""A generated Flashdrop database: 1M ratings by 10k members of 5k cards, cached between runs.

Written with plain sqlite3 on the bot's own schema (`bot.storage.migrations`), then opened by
the bot through `Storage.open` like any database it made. Generation only: journal off and no
syncing, one transaction, rows inserted in the order of the indexes they feed.

The shape of the data (seeded, so every run builds the same file):
- 10 guilds of 1,000 members; 10 decks of 500 cards, all in every guild;
- ratings per member follow a power law (rank^-0.6): the busiest member has ~10k ratings,
  the quietest ~40, as in a study group where a few members do most of the reviewing;
- a member has rated ~1 card for every 3.5 ratings; each card's reviews are spread over the
  past 400 days; the first answer to a card came by reaction on a drop post, later ones by
  /review buttons; values 1-5 weighted towards 4;
- each rated card has a schedule row (member_card_state) due between 20 days ago and 40 days
  ahead (never before its last review), so about a third of a member's cards are due "today";
  stability is the interval within +-20 %.
No ANALYZE is run: the bot never runs it either, so the query planner sees what it sees in
production.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.storage.migrations import MIGRATIONS, SCHEMA_VERSION

GENERATOR_VERSION = 2
TODAY = date(2025, 3, 3)
CACHE_DIR = Path(tempfile.gettempdir()) / "flashdrop-bench"
_RATING_WEIGHTS = (8, 10, 20, 42, 20)  # how often members answer 1, 2, 3, 4, 5
_INSTANT = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True, slots=True)
class Shape:
    ratings: int = 1_000_000
    members: int = 10_000
    cards: int = 5_000
    guilds: int = 10
    decks: int = 10
    seed: int = 20250303

    @property
    def file_name(self) -> str:
        return (
            f"ratings{self.ratings}-members{self.members}-cards{self.cards}-g{self.guilds}"
            f"-d{self.decks}-seed{self.seed}-schema{SCHEMA_VERSION}-gen{GENERATOR_VERSION}.sqlite3"
        )


@dataclass(frozen=True, slots=True)
class Member:
    guild_id: int
    user_id: int
    ratings: int


def cached_database(shape: Shape, cache_dir: Path = CACHE_DIR) -> tuple[Path, bool]:
    """The database of `shape`, generated unless a previous run left it. (path, was cached)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / shape.file_name
    if path.exists():
        return path, True
    partial = path.with_suffix(f".{os.getpid()}.partial")
    try:
        generate(partial, shape)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path, False


def deck_ids(shape: Shape) -> list[str]:
    return [f"deck-{d:02d}" for d in range(shape.decks)]


def cards_of(shape: Shape) -> list[tuple[str, str]]:
    per_deck = shape.cards // shape.decks
    return [(deck, f"card-{c:04d}") for deck in deck_ids(shape) for c in range(per_deck)]


def members_of(shape: Shape) -> list[Member]:
    """Every member with their number of ratings, in (guild, user) order."""
    rng = random.Random(shape.seed)
    guilds = sorted(rng.randrange(10**17, 10**18) for _ in range(shape.guilds))
    weights = [(rank + 1) ** -0.6 for rank in range(shape.members)]
    rng.shuffle(weights)
    total = sum(weights)
    counts = [max(1, int(w / total * shape.ratings)) for w in weights]
    for index in rng.sample(range(shape.members), shape.ratings - sum(counts)):
        counts[index] += 1
    users = rng.sample(range(10**17, 10**18), shape.members)
    members = [Member(guilds[i % shape.guilds], users[i], counts[i]) for i in range(shape.members)]
    return sorted(members, key=lambda m: (m.guild_id, m.user_id))


def generate(path: Path, shape: Shape) -> None:
    rng = random.Random(shape.seed + 1)
    cards = cards_of(shape)
    members = members_of(shape)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -500000"):
            db.execute(f"PRAGMA {pragma}")
        for script in MIGRATIONS:
            db.executescript(script)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO decks (deck_id, name) VALUES (?, ?)",
            [(deck, f"Generated deck {deck}") for deck in deck_ids(shape)],
        )
        db.executemany(
            "INSERT INTO cards (deck_id, card_id, position, content_hash) VALUES (?, ?, ?, ?)",
            [
                (deck, card, int(card[5:]), hashlib.sha256(f"{deck}/{card}".encode()).hexdigest())
                for deck, card in cards
            ],
        )
        posts = _posts(db, rng, shape, members, cards)
        _ratings_and_states(db, rng, members, cards, posts)
        db.execute("COMMIT")
    finally:
        db.close()


def _posts(
    db: sqlite3.Connection,
    rng: random.Random,
    shape: Shape,
    members: list[Member],
    cards: list[tuple[str, str]],
) -> dict[tuple[int, int], int]:
    """One drop post of every card in every guild: (guild, card index) -> message id."""
    guilds = sorted({m.guild_id for m in members})
    posts: dict[tuple[int, int], int] = {}
    rows = []
    message_id = 10**18
    for guild_id in guilds:
        channels = [guild_id + 1 + c for c in range(5)]
        for index, (deck, card) in enumerate(cards):
            message_id += 1 + rng.randrange(1000)
            posts[(guild_id, index)] = message_id
            posted = _instant(TODAY - timedelta(days=rng.randrange(1, 401)), rng)
            rows.append(
                (message_id, guild_id, rng.choice(channels), deck, card, "drop", posted, posted)
            )
    db.executemany(
        "INSERT INTO posts (message_id, guild_id, channel_id, deck_id, card_id, kind, posted_at,"
        " revealed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return posts


def _ratings_and_states(
    db: sqlite3.Connection,
    rng: random.Random,
    members: list[Member],
    cards: list[tuple[str, str]],
    posts: dict[tuple[int, int], int],
) -> None:
    ratings: list[tuple[object, ...]] = []
    states: list[tuple[object, ...]] = []
    member_rows: list[tuple[object, ...]] = []
    values = (1, 2, 3, 4, 5)
    for member in members:
        rated = min(len(cards), max(1, round(member.ratings / 3.5)))
        chosen = sorted(rng.sample(range(len(cards)), rated))
        reviews = Counter(chosen)
        reviews.update(rng.choices(chosen, k=member.ratings - rated))
        last_rated = ""
        for index in chosen:
            deck, card = cards[index]
            n = reviews[index]
            days_ago = sorted(
                (rng.sample(range(1, 401), n) if n <= 400 else rng.choices(range(1, 401), k=n)),
                reverse=True,
            )
            answers = rng.choices(values, weights=_RATING_WEIGHTS, k=n)
            for position, (ago, answer) in enumerate(zip(days_ago, answers, strict=True)):
                day = TODAY - timedelta(days=ago)
                rated_at = _instant(day, rng)
                first = position == 0
                ratings.append(
                    (
                        member.guild_id,
                        member.user_id,
                        deck,
                        card,
                        posts[(member.guild_id, index)] if first else None,
                        answer,
                        rated_at,
                        day.isoformat(),
                        "reaction" if first else "button",
                    )
                )
                last_rated = max(last_rated, rated_at)
            last = TODAY - timedelta(days=days_ago[-1])
            due = max(last + timedelta(days=1), TODAY + timedelta(days=rng.randint(-20, 40)))
            interval = (due - last).days
            stability = interval / rng.uniform(0.8, 1.2)
            states.append(
                (
                    member.guild_id,
                    member.user_id,
                    deck,
                    card,
                    2,  # Review
                    stability,
                    rng.uniform(1.0, 10.0),
                    due.isoformat(),
                    last.isoformat(),
                    (TODAY - timedelta(days=days_ago[0])).isoformat(),
                    n,
                    sum(1 for a in answers if a <= 2),
                )
            )
        member_rows.append((member.guild_id, member.user_id, last_rated))
    db.executemany(
        "INSERT INTO ratings (guild_id, user_id, deck_id, card_id, post_id, rating, rated_at,"
        " study_date, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ratings,
    )
    db.executemany(
        "INSERT INTO member_card_state (guild_id, user_id, deck_id, card_id, memory_state,"
        " stability, difficulty, due_date, last_review, introduced_on, reps, lapses)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        states,
    )
    db.executemany(
        "INSERT INTO members (guild_id, user_id, last_rated_at) VALUES (?, ?, ?)", member_rows
    )


def _instant(day: date, rng: random.Random) -> str:
    moment = datetime(day.year, day.month, day.day) + timedelta(seconds=rng.randrange(86400))
    return moment.strftime(_INSTANT)

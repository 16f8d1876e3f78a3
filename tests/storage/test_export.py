from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.models import Rating
from bot.core.ratings import RatingSource, effective_events
from bot.storage import RatingExportRow, ScheduleExportRow, Storage
from bot.storage import export as export_module
from tests.core.factories import GUILD, T0, USER, make_event
from tests.storage.conftest import make_post
from tests.storage.helpers import rating_log


async def ratings_of(storage: Storage, guild_id: int | None = None) -> list[RatingExportRow]:
    return [row async for row in storage.export.export_ratings(guild_id)]


async def schedule_of(storage: Storage, guild_id: int | None = None) -> list[ScheduleExportRow]:
    return [row async for row in storage.export.export_schedule(guild_id)]


async def test_export_ratings_only_effective(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.ratings.record_rating(make_event(2, post_id=1))
    await storage.ratings.record_rating(
        make_event(4, post_id=1, rated_at=T0 + timedelta(seconds=5))
    )
    await storage.ratings.record_rating(make_event(5, post_id=1, user_id=USER + 1))
    await storage.ratings.retract_rating_soon(1, USER + 1, Rating.PERFECTLY)
    await storage.ratings.record_rating(make_event(3, card_id="c2", source=RatingSource.BUTTON))

    rows = await ratings_of(storage)

    assert [row.csv_values() for row in rows] == [
        (GUILD, USER, "dl", "c1", 4, "2026-03-15T07:55:05+00:00", "reaction"),
        (GUILD, USER, "dl", "c2", 3, "2026-03-15T07:55:00+00:00", "button"),
    ]
    assert RatingExportRow.HEADER == (
        "guild_id",
        "user_id",
        "deck",
        "card_id",
        "confidence",
        "rated_at",
        "source",
    )


async def test_export_ratings_filters_guild(storage: Storage) -> None:
    await storage.ratings.record_rating(make_event(4))
    await storage.ratings.record_rating(make_event(4, guild_id=GUILD + 1))
    assert [row.guild_id for row in await ratings_of(storage, GUILD + 1)] == [GUILD + 1]
    assert len(await ratings_of(storage)) == 2


async def test_export_schedule_rows(storage: Storage) -> None:
    update = await storage.ratings.record_rating(make_event(4))
    await storage.ratings.record_rating(make_event(4, guild_id=GUILD + 1))
    rows = await schedule_of(storage, GUILD)
    assert update.state is not None
    assert [row.csv_values() for row in rows] == [
        (
            GUILD,
            USER,
            "dl",
            "c1",
            "2026-03-17",
            update.state.stability,
            update.state.difficulty,
            1,
            0,
        )
    ]
    assert ScheduleExportRow.HEADER[4:] == ("due", "stability", "difficulty", "reps", "lapses")


async def test_exports_page_through_everything(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "_PAGE", 2)
    for user_id in range(5):
        await storage.ratings.record_rating(make_event(4, user_id=user_id))
    assert [row.user_id for row in await ratings_of(storage)] == list(range(5))
    assert [row.user_id for row in await schedule_of(storage)] == list(range(5))


async def test_backup_opens_with_same_data(storage: Storage, tmp_path: Path) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.ratings.record_rating(make_event(4, post_id=1))
    copy = tmp_path / "backup.db"

    await storage.export.backup(copy)

    async with await Storage.open(copy) as restored:
        assert await ratings_of(restored) == await ratings_of(storage)
        assert await schedule_of(restored) == await schedule_of(storage)
        assert await restored.posts.get_post(1) == await storage.posts.get_post(1)
    with closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("seed", range(4))
async def test_export_ratings_keeps_what_effective_events_keeps(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(export_module, "_PAGE", 7)  # superseding events in later pages
    rng = random.Random(seed)
    for post_id in range(1, 4):
        await storage.posts.record_post(make_post(post_id, f"c{post_id}"))
    for step in range(60):
        user_id = rng.choice((USER, USER + 1, USER + 2))
        post_id = rng.choice((1, 2, 3, None))
        rating = Rating(rng.randint(1, 5))
        if post_id is not None and rng.random() < 0.25:
            await storage.ratings.retract_rating_soon(post_id, user_id, rating)
            continue
        await storage.ratings.record_rating(
            make_event(
                rating,
                user_id=user_id,
                card_id=f"c{post_id or 4}",
                post_id=post_id,
                source=rng.choice(list(RatingSource)),
                rated_at=T0 + timedelta(minutes=rng.randint(0, 600), seconds=step),
            )
        )
    log = await rating_log(storage)
    kept = {event.id for event in effective_events(log)}
    assert [
        (row.user_id, row.card_id, row.confidence, row.rated_at, row.source)
        for row in await ratings_of(storage)
    ] == [
        (event.user_id, event.card_id, event.rating, event.rated_at, event.source)
        for event in log
        if event.id in kept
    ]
    assert len(kept) < len(log)  # the data has retracted and replaced events to leave out

"""The writer: order, shared transactions, a failing unit undone alone, draining on close."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.members import GuildSettings, MemberSettings
from bot.core.models import CardRef, Rating
from bot.core.ratings import RatingSource
from bot.core.study_dates import study_date
from bot.storage import Storage
from bot.storage.writer import MAX_BATCH, Writer, WriterClosedError
from tests.core.factories import GUILD, T0, USER, make_event
from tests.storage.conftest import make_post
from tests.storage.helpers import (
    card_state,
    delete_member_data,
    rating_history,
    save_guild_settings,
)

PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = 5000")


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncIterator[Writer]:
    path = tmp_path / "w.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE log (n INTEGER NOT NULL)")
    opened = await Writer.open(path, PRAGMAS)
    yield opened
    await opened.close()


def append(n: int) -> Callable[[sqlite3.Connection], int]:
    def unit(db: sqlite3.Connection) -> int:
        db.execute("INSERT INTO log (n) VALUES (?)", (n,))
        return n

    return unit


def rows(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [n for (n,) in db.execute("SELECT n FROM log ORDER BY rowid")]


async def test_units_apply_in_submission_order(writer: Writer, tmp_path: Path) -> None:
    futures = [writer.submit(append(n)) for n in range(500)]
    assert await asyncio.gather(*futures) == list(range(500))
    await writer.close()
    assert rows(tmp_path / "w.db") == list(range(500))


async def test_units_queued_together_share_a_transaction(writer: Writer, tmp_path: Path) -> None:
    def count_from_outside(db: sqlite3.Connection) -> tuple[bool, int]:
        with sqlite3.connect(tmp_path / "w.db") as reader:
            (count,) = reader.execute("SELECT count(*) FROM log").fetchone()
        return db.in_transaction, count

    # Queued in one go: one batch, nothing committed between its units.
    futures = [writer.submit(append(1)), writer.submit(count_from_outside)]
    _, (in_transaction, seen_from_outside) = await asyncio.gather(*futures)
    assert in_transaction and seen_from_outside == 0
    assert await writer.submit(count_from_outside) == (True, 1)  # committed with its batch
    await writer.close()


async def test_a_failing_unit_is_undone_alone(writer: Writer, tmp_path: Path) -> None:
    def half_then_fail(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO log (n) VALUES (99)")
        raise ValueError("bad rating")

    futures = [writer.submit(append(1)), writer.submit(half_then_fail), writer.submit(append(2))]
    results = await asyncio.gather(*futures, return_exceptions=True)
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], ValueError) and str(results[1]) == "bad rating"
    await writer.close()
    assert rows(tmp_path / "w.db") == [1, 2]  # 99 was rolled back, the others committed


async def test_close_finishes_queued_work_then_refuses_more(writer: Writer, tmp_path: Path) -> None:
    futures = [writer.submit(append(n)) for n in range(50)]
    await writer.close()
    assert all(future.done() for future in futures)
    assert rows(tmp_path / "w.db") == list(range(50))
    with pytest.raises(WriterClosedError):
        writer.submit(append(51))


async def test_a_locked_database_fails_the_batch_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE log (n INTEGER NOT NULL)")
    writer = await Writer.open(path, ("PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = 50"))
    try:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            results = await asyncio.gather(
                writer.submit(append(1)), writer.submit(append(2)), return_exceptions=True
            )
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert all(isinstance(result, sqlite3.OperationalError) for result in results)
        assert await writer.submit(append(3)) == 3  # and it works once the lock is gone
    finally:
        await writer.close()
    assert rows(path) == [3]


async def test_a_drain_cancelled_mid_batch_still_reports_the_batch(
    writer: Writer, tmp_path: Path
) -> None:
    started = threading.Event()
    release = threading.Event()

    def slow(db: sqlite3.Connection) -> str:
        started.set()
        release.wait(5)
        db.execute("INSERT INTO log (n) VALUES (7)")
        return "done"

    future = writer.submit(slow)
    await asyncio.to_thread(started.wait, 5)
    drain = writer._draining  # the loop shutting down cancels every task
    assert drain is not None
    drain.cancel()
    await asyncio.sleep(0.01)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await drain
    assert await future == "done"  # it committed, and its caller is told so
    assert await writer.submit(append(8)) == 8  # a new drain starts for new work
    await writer.close()
    assert rows(tmp_path / "w.db") == [7, 8]


async def test_a_drain_cancelled_before_it_ran_does_not_stall_the_writer(
    writer: Writer, tmp_path: Path
) -> None:
    first = writer.submit(append(1))
    drain = writer._draining
    assert drain is not None
    drain.cancel()  # before its first step: its clean-up never runs
    await asyncio.sleep(0)
    assert drain.cancelled() and not first.done()
    second = writer.submit(append(2))  # starts a new drain, which takes both
    assert await asyncio.wait_for(asyncio.gather(first, second), 5) == [1, 2]
    await writer.close()


async def test_close_finishes_work_a_cancelled_drain_left(writer: Writer, tmp_path: Path) -> None:
    queued = [writer.submit(append(n)) for n in range(3)]
    drain = writer._draining
    assert drain is not None
    drain.cancel()
    await asyncio.sleep(0)
    await writer.close()
    assert [future.result() for future in queued] == [0, 1, 2]
    assert rows(tmp_path / "w.db") == [0, 1, 2]


# --- through Storage ------------------------------------------------------------------------


async def test_rate_post_dates_the_answer_by_the_members_zone(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await save_guild_settings(storage, GuildSettings(GUILD, timezone="Europe/Berlin"))
    await storage.members.save_member_settings(
        MemberSettings(GUILD, USER, timezone="America/New_York")
    )
    late_evening_in_new_york = T0.replace(hour=3)  # 22:00 the day before in New York
    update = await storage.ratings.rate_post_soon(
        1, USER, Rating.MOSTLY, late_evening_in_new_york, RatingSource.REACTION
    )
    assert update is not None and update.event is not None
    assert update.event.study_date == T0.date() - timedelta(days=1)
    assert update.event.card == CardRef("dl", "c1")
    other = await storage.ratings.rate_post_soon(
        1, USER + 1, Rating.MOSTLY, late_evening_in_new_york, RatingSource.REACTION
    )
    assert other is not None and other.event is not None
    berlin = study_date(late_evening_in_new_york, ZoneInfo("Europe/Berlin"))
    assert other.event.study_date == berlin


async def test_rate_post_on_an_unknown_message_stores_nothing(storage: Storage) -> None:
    assert (
        await storage.ratings.rate_post_soon(404, USER, Rating.MOSTLY, T0, RatingSource.REACTION)
        is None
    )
    assert await storage.ratings.live_ratings(404) == frozenset()


async def test_live_ratings_include_answers_queued_before(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    queued = [
        storage.ratings.rate_post_soon(1, user_id, Rating.MOSTLY, T0, RatingSource.REACTION)
        for user_id in range(10)
    ]
    live = await storage.ratings.live_ratings(1)  # not awaited the answers first
    assert live == {(user_id, Rating.MOSTLY) for user_id in range(10)}
    await asyncio.gather(*queued)


async def test_forgetting_a_member_comes_after_their_queued_answers(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    answer = storage.ratings.rate_post_soon(1, USER, Rating.MOSTLY, T0, RatingSource.REACTION)
    deleted = await delete_member_data(storage, GUILD, USER)
    assert (await answer) is not None
    assert (deleted.ratings, deleted.card_states) == (1, 1)
    assert await card_state(storage, GUILD, USER, CardRef("dl", "c1")) is None
    assert await rating_history(storage, GUILD, USER, CardRef("dl", "c1")) == []


async def test_a_rating_for_the_wrong_card_fails_alone(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    # Gathered: both are queued before the writer runs, so they share one batch.
    wrong, right = await asyncio.gather(
        storage.ratings.record_rating(make_event(4, post_id=1, card_id="c2")),
        storage.ratings.record_rating(make_event(4, post_id=1, user_id=USER + 1)),
        return_exceptions=True,
    )
    assert isinstance(wrong, ValueError) and "does not match post 1" in str(wrong)
    assert not isinstance(right, BaseException) and right.changed
    assert await storage.ratings.live_ratings(1) == {(USER + 1, Rating.MOSTLY)}


@pytest.mark.parametrize("path", [":memory:", ""])
async def test_storage_needs_a_file(path: str) -> None:
    with pytest.raises(ValueError, match="must be a file"):
        await Storage.open(path)


async def test_other_writes_get_a_turn_during_a_flood_of_ratings(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    for trial in range(3):
        flood = [
            storage.ratings.rate_post_soon(1, user_id, Rating.MOSTLY, T0, RatingSource.REACTION)
            for user_id in range(trial * 10_000, trial * 10_000 + 6000)
        ]
        await asyncio.sleep(0.02)  # the writer is busy with the flood
        before = sum(future.done() for future in flood)
        await storage.members.save_member_settings(
            MemberSettings(GUILD, USER, timezone=f"Etc/GMT-{trial}")
        )
        after = sum(future.done() for future in flood)
        # Its turn came after the batch in hand, not after the rest of the queue.
        assert after - before <= MAX_BATCH, (before, after)
        assert after < len(flood)
        await asyncio.gather(*flood)
        assert (await storage.members.member_settings(GUILD, USER)).timezone == f"Etc/GMT-{trial}"

"""Drop timing: local wall-clock times across DST, weekdays, grace, exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.drops import EVERY_DAY, Drop, due_occurrences, local_instant, occurrences

CPH, NYC = ZoneInfo("Europe/Copenhagen"), ZoneInfo("America/New_York")
GRACE = timedelta(hours=2)


def make_drop(zone: str, at: time, weekdays: frozenset[int] = EVERY_DAY, **fields: object) -> Drop:
    values: dict[str, object] = {"id": 1, "created_at": datetime(2026, 1, 1, tzinfo=UTC)}
    values.update(fields)
    return Drop(1, 2, ("dl",), at, zone, weekdays, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected_utc"),
    [
        (date(2026, 1, 15), time(8, 0), CPH, datetime(2026, 1, 15, 7, 0, tzinfo=UTC)),
        (date(2026, 7, 15), time(8, 0), CPH, datetime(2026, 7, 15, 6, 0, tzinfo=UTC)),
        # Spring forward in Copenhagen: 02:00 -> 03:00 on 2026-03-29.
        (date(2026, 3, 29), time(2, 30), CPH, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (date(2026, 3, 29), time(3, 0), CPH, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # Fall back in Copenhagen: 03:00 -> 02:00 on 2026-10-25; the first 02:30 counts.
        (date(2026, 10, 25), time(2, 30), CPH, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # New York: spring forward 2026-03-08 02:00 -> 03:00, fall back 2026-11-01.
        (date(2026, 3, 8), time(2, 15), NYC, datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        (date(2026, 11, 1), time(1, 30), NYC, datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        (date(2026, 11, 2), time(8, 0), NYC, datetime(2026, 11, 2, 13, 0, tzinfo=UTC)),
    ],
)
def test_local_instant_is_dst_correct(
    day: date, at: time, zone: ZoneInfo, expected_utc: datetime
) -> None:
    assert local_instant(day, at, zone) == expected_utc


def test_occurrences_respect_weekdays() -> None:
    drop = make_drop("Europe/Copenhagen", time(8, 0), frozenset({1, 3, 5}))  # Mon, Wed, Fri
    start = datetime(2026, 2, 1, tzinfo=UTC)  # a Sunday
    found = occurrences(drop, start, start + timedelta(days=7))
    assert [o.local_date.isoweekday() for o in found] == [1, 3, 5]
    assert [o.local_date.day for o in found] == [2, 4, 6]


def test_due_occurrences_within_grace_posts_older_are_missed() -> None:
    drop = make_drop("Europe/Copenhagen", time(8, 0))
    at = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)
    assert due_occurrences([drop], at - timedelta(seconds=1), GRACE).post == ()
    assert [o.at for o in due_occurrences([drop], at, GRACE).post] == [at]
    late = due_occurrences([drop], at + GRACE + timedelta(minutes=1), GRACE)
    assert late.missed[-1].at == at and late.post == ()


def test_due_occurrences_ignore_times_before_creation_and_paused() -> None:
    created = datetime(2026, 2, 2, 7, 30, tzinfo=UTC)  # after today's 08:00 CET (07:00 UTC)
    drop = make_drop("Europe/Copenhagen", time(8, 0), created_at=created)
    assert due_occurrences([drop], created + timedelta(minutes=1), GRACE) == due_occurrences(
        [], created, GRACE
    )
    paused = make_drop("Europe/Copenhagen", time(8, 0), paused=True)
    assert due_occurrences([paused], datetime(2026, 2, 2, 7, 1, tzinfo=UTC), GRACE).post == ()


def _simulate(
    drops: list[Drop], start: datetime, days: int, step: timedelta
) -> list[tuple[int, date, datetime]]:
    """Tick a fake clock every `step`; post each due occurrence once, as the runner does."""
    done: set[tuple[int, date]] = set()
    posted = []
    now = start
    while now < start + timedelta(days=days):
        for occurrence in due_occurrences(drops, now, GRACE).post:
            key = (occurrence.drop.id or 0, occurrence.local_date)
            if key not in done:
                done.add(key)
                posted.append((key[0], occurrence.local_date, now))
        now += step
    return posted


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Europe/Copenhagen", datetime(2026, 3, 1, tzinfo=UTC)),  # spring forward 03-29
        ("Europe/Copenhagen", datetime(2026, 9, 20, tzinfo=UTC)),  # fall back 10-25
        ("America/New_York", datetime(2026, 2, 20, tzinfo=UTC)),  # spring forward 03-08
        ("America/New_York", datetime(2026, 10, 1, tzinfo=UTC)),  # fall back 11-01
    ],
)
def test_sixty_days_of_ticks_post_each_drop_once_at_its_local_time(
    zone: str, start: datetime
) -> None:
    tz = ZoneInfo(zone)
    drops = [
        make_drop(zone, time(8, 0), frozenset({1, 3, 5}), id=1, created_at=start),
        make_drop(zone, time(2, 30), EVERY_DAY, id=2, created_at=start),  # inside DST gaps/folds
    ]
    posted = _simulate(drops, start, 60, timedelta(seconds=30))
    first_day = start.astimezone(tz).date()
    days = [first_day + timedelta(days=n) for n in range(61)]
    end = start + timedelta(days=60)
    expected = [
        (drop.id, day)
        for drop in drops
        for day in days
        if day.isoweekday() in drop.weekdays
        and start < local_instant(day, drop.local_time, tz) < end
    ]
    assert sorted((d, day) for d, day, _ in posted) == sorted(expected)
    assert len({(d, day) for d, day, _ in posted}) == len(posted)  # none twice
    for drop_id, day, at in posted:
        drop = drops[drop_id - 1]
        scheduled = local_instant(day, drop.local_time, tz)
        assert timedelta(0) <= at - scheduled < timedelta(seconds=30)
        local = scheduled.astimezone(tz)
        if drop_id == 1:
            assert (local.hour, local.minute) == (8, 0)
        else:  # 02:30, or 03:00 on a spring-forward day
            assert (local.hour, local.minute) in {(2, 30), (3, 0)}

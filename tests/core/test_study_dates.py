from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import fsrs
import pytest

from bot.core.study_dates import DEFAULT_DAY_STARTS_AT, review_instant, study_date

CPH = ZoneInfo("Europe/Copenhagen")
NYC = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "tz", "rollover", "expected"),
    [
        # 04:00 local starts the day; 03:59 still belongs to yesterday.
        (utc(2026, 1, 10, 3, 0), CPH, DEFAULT_DAY_STARTS_AT, date(2026, 1, 10)),
        (utc(2026, 1, 10, 2, 59), CPH, DEFAULT_DAY_STARTS_AT, date(2026, 1, 9)),
        # 00:30 after a late night is still the evening's study date.
        (utc(2026, 1, 10, 23, 30), CPH, DEFAULT_DAY_STARTS_AT, date(2026, 1, 10)),
        # The member's zone decides, not UTC: 02:00 UTC is 21:00 the day before in New York.
        (utc(2026, 1, 10, 2, 0), NYC, DEFAULT_DAY_STARTS_AT, date(2026, 1, 9)),
        (utc(2026, 1, 10, 9, 0), NYC, DEFAULT_DAY_STARTS_AT, date(2026, 1, 10)),
        # Summer time: 04:00 CEST is 02:00 UTC.
        (utc(2026, 7, 1, 2, 0), CPH, DEFAULT_DAY_STARTS_AT, date(2026, 7, 1)),
        (utc(2026, 7, 1, 1, 59), CPH, DEFAULT_DAY_STARTS_AT, date(2026, 6, 30)),
        # Copenhagen spring forward (02:00 -> 03:00 on 29 March): the 04:00 rollover is unmoved.
        (utc(2026, 3, 29, 1, 59), CPH, DEFAULT_DAY_STARTS_AT, date(2026, 3, 28)),
        (utc(2026, 3, 29, 2, 0), CPH, DEFAULT_DAY_STARTS_AT, date(2026, 3, 29)),
        # A rollover inside the gap: the day starts when the clock jumps past it.
        (utc(2026, 3, 29, 0, 59), CPH, time(2, 30), date(2026, 3, 28)),
        (utc(2026, 3, 29, 1, 0), CPH, time(2, 30), date(2026, 3, 29)),
        # New York spring forward (8 March) and fall back (1 November).
        (utc(2026, 3, 8, 7, 59), NYC, DEFAULT_DAY_STARTS_AT, date(2026, 3, 7)),
        (utc(2026, 3, 8, 8, 0), NYC, DEFAULT_DAY_STARTS_AT, date(2026, 3, 8)),
        (utc(2026, 11, 1, 8, 59), NYC, DEFAULT_DAY_STARTS_AT, date(2026, 10, 31)),
        (utc(2026, 11, 1, 9, 0), NYC, DEFAULT_DAY_STARTS_AT, date(2026, 11, 1)),
        # Rollover inside the repeated hour of a fall-back day: its first pass already counts.
        (utc(2026, 11, 1, 5, 30), NYC, time(1, 15), date(2026, 11, 1)),
        (utc(2026, 11, 1, 5, 14), NYC, time(1, 15), date(2026, 10, 31)),
        # A midnight rollover is the plain calendar date.
        (utc(2026, 1, 10, 22, 59), CPH, time(0, 0), date(2026, 1, 10)),
        (utc(2026, 1, 10, 23, 0), CPH, time(0, 0), date(2026, 1, 11)),
    ],
)
def test_study_date_table(now: datetime, tz: ZoneInfo, rollover: time, expected: date) -> None:
    assert study_date(now, tz, rollover) == expected


def test_study_date_accepts_any_aware_instant() -> None:
    in_copenhagen = datetime(2026, 1, 10, 3, 59, tzinfo=CPH)
    assert study_date(in_copenhagen, CPH) == date(2026, 1, 9)


def test_study_date_refuses_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        study_date(datetime(2026, 1, 10, 8, 0), CPH)


def test_review_instant_is_utc_midnight() -> None:
    instant = review_instant(date(2026, 3, 29))
    assert instant == datetime(2026, 3, 29, tzinfo=UTC)
    assert instant.tzinfo is UTC


def test_review_instant_is_accepted_by_fsrs() -> None:
    scheduler = fsrs.Scheduler(learning_steps=(), enable_fuzzing=False)
    instant = review_instant(date(2026, 3, 29))
    card, _ = scheduler.review_card(fsrs.Card(card_id=1, due=instant), fsrs.Rating.Good, instant)
    assert card.last_review == instant

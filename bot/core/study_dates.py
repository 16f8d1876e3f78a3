"""Study dates: which calendar day a member's answer belongs to, and the instant FSRS is fed.

A member's day starts at the guild's `day_starts_at` (04:00 by default, like Anki) in the
member's own time zone. FSRS measures elapsed time in real 24-hour days, which breaks daily
habits: answering five minutes earlier than yesterday is a 23 h 55 m gap ("same day"), and a
DST spring-forward day is 23 h long. So FSRS never sees the real time of an answer, only the
UTC midnight of its study date; the real UTC time stays in the rating log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

DEFAULT_DAY_STARTS_AT = time(4, 0)


def study_date(now_utc: datetime, tz: tzinfo, day_starts_at: time = DEFAULT_DAY_STARTS_AT) -> date:
    """The study date an instant belongs to for a member living in `tz`.

    Subtracting the rollover from the local wall-clock time moves 00:00-03:59 to the previous
    date; wall-clock arithmetic (not UTC) keeps this right on 23- and 25-hour DST days.
    """
    if now_utc.tzinfo is None:
        raise ValueError("study_date needs an aware datetime")
    rollover = timedelta(hours=day_starts_at.hour, minutes=day_starts_at.minute)
    return (now_utc.astimezone(tz) - rollover).date()


def review_instant(day: date) -> datetime:
    """The synthetic instant FSRS is given for a review on `day`: its UTC midnight.

    fsrs insists on `tzinfo is datetime.timezone.utc` (ZoneInfo("UTC") is refused).
    """
    return datetime(day.year, day.month, day.day, tzinfo=UTC)

"""A member answering every morning around 08:00 for 30 days, across DST changes.

Fed real times, FSRS would see yesterday 08:05 -> today 07:55 as a 23 h 50 m "same day" gap
and not grow stability; on a DST day the local day is 23 or 25 hours. Study dates fix both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest

from bot.core.models import CardRef, Rating
from bot.core.ratings import RatingSource
from bot.core.scheduling import MemberCardState, SchedulingSettings, review
from bot.core.study_dates import study_date
from tests.core.factories import make_event

DAYS = 30
NEW_PER_DAY = 2
# Mostly remembered, a failure now and then: (review number % 9 == 8) fails.
RATINGS = (Rating.MOSTLY, Rating.SOMEWHAT, Rating.PERFECTLY, Rating.MOSTLY)


def answer_time(day: date, tz: ZoneInfo, index: int) -> datetime:
    """Between 07:55 and 08:05 local, a different minute each day."""
    minutes = (index * 7) % 11  # 0..10
    local = datetime.combine(day, time(7, 55), tzinfo=tz) + timedelta(minutes=minutes)
    return local.astimezone(UTC)


def rating_for(review_number: int) -> Rating:
    return Rating.BARELY if review_number % 9 == 8 else RATINGS[review_number % len(RATINGS)]


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Europe/Copenhagen", date(2026, 3, 15)),  # spring forward 29 March
        ("Europe/Copenhagen", date(2026, 10, 15)),  # fall back 25 October
        ("America/New_York", date(2026, 2, 25)),  # spring forward 8 March
        ("America/New_York", date(2026, 10, 15)),  # fall back 1 November
    ],
)
def test_daily_member_across_dst(zone: str, start: date) -> None:
    tz = ZoneInfo(zone)
    settings = SchedulingSettings()
    states: dict[CardRef, MemberCardState] = {}
    study_dates: list[date] = []
    reviews = 0
    for index in range(DAYS):
        calendar_day = start + timedelta(days=index)
        now = answer_time(calendar_day, tz, index)
        today = study_date(now, tz)
        study_dates.append(today)
        for card, old in sorted(states.items()):
            if not old.is_due(today):
                continue
            # Answering daily, a card is met on its due date exactly: never early, never late.
            assert old.due == today
            rating = rating_for(reviews)
            new = review(
                old,
                make_event(rating, rated_at=now, study_date=today, card_id=card.card_id),
                settings,
            )
            if rating >= Rating.SOMEWHAT:
                assert new.stability > old.stability, (card, today)
            assert new.due > today  # no same-day misfire
            states[card] = new
            reviews += 1
        for number in range(NEW_PER_DAY):
            card = CardRef("dl", f"{index}-{number}")
            event = make_event(
                4, rated_at=now, study_date=today, card_id=card.card_id, source=RatingSource.BUTTON
            )
            states[card] = review(None, event, settings)
    # One distinct study date per calendar day, consecutive through the DST change.
    assert study_dates == [start + timedelta(days=index) for index in range(DAYS)]
    assert reviews > DAYS


def test_real_times_would_misfire_on_an_earlier_morning() -> None:
    """Why study dates: 08:05 one day, 07:55 the next is not a day apart for fsrs."""
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    monday, tuesday = (
        datetime(2026, 3, 16, 8, 5, tzinfo=UTC),
        datetime(2026, 3, 17, 7, 55, tzinfo=UTC),
    )

    real, _ = scheduler.review_card(fsrs.Card(card_id=1, due=monday), fsrs.Rating.Hard, monday)
    assert real.due > tuesday  # not due yet at Tuesday's usual time: the card slips a day
    real_next, _ = scheduler.review_card(real, fsrs.Rating.Good, tuesday)

    settings = SchedulingSettings(fuzzing=False)
    tz = ZoneInfo("UTC")
    first = make_event(Rating.SOMEWHAT, rated_at=monday, study_date=study_date(monday, tz))
    dated = review(None, first, settings)
    assert dated.is_due(study_date(tuesday, tz))
    second = make_event(Rating.MOSTLY, rated_at=tuesday, study_date=study_date(tuesday, tz))
    dated_next = review(dated, second, settings)

    assert real_next.stability is not None
    assert real_next.stability < dated_next.stability  # the "same day" formula barely grows it

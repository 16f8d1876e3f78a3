from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.core.models import CardRef
from bot.core.ratings import RatingSource, effective_events
from tests.core.factories import T0, make_event


def test_effective_events_drop_retracted() -> None:
    kept = make_event(4)
    assert effective_events([make_event(2, retracted=True), kept]) == [kept]


def test_effective_events_keep_latest_arrival_per_post_and_member() -> None:
    first = make_event(3, post_id=1)
    second = make_event(5, post_id=1, rated_at=T0 + timedelta(seconds=5))
    other_member = make_event(2, post_id=1, user_id=999)
    assert effective_events([first, second, other_member]) == [other_member, second]


def test_effective_events_latest_means_arrival_not_timestamp() -> None:
    live = make_event(3, post_id=1, rated_at=T0 + timedelta(hours=1))
    # Found later by reconciliation, but stamped earlier: still the member's latest choice.
    reconciled = make_event(5, post_id=1, source=RatingSource.RECONCILE)
    assert effective_events([live, reconciled]) == [reconciled]


def test_effective_events_keep_every_event_without_post() -> None:
    events = [make_event(2), make_event(4, rated_at=T0 + timedelta(minutes=1))]
    assert effective_events(events) == events


def test_effective_events_sorted_by_answer_time() -> None:
    late = make_event(4, rated_at=T0 + timedelta(days=1), post_id=2)
    early = make_event(2, post_id=1)
    assert effective_events([late, early]) == [early, late]


def test_rating_event_refuses_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        make_event(4, rated_at=datetime(2026, 3, 15, 8, 0), study_date=T0.date())


def test_rating_event_names_its_card() -> None:
    assert make_event(4, deck_id="dl", card_id="c9").card == CardRef("dl", "c9")

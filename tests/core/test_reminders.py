"""Personal reminders: once per local date, within the grace window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.reminders import reminder_due

CPH = ZoneInfo("Europe/Copenhagen")
GRACE = timedelta(hours=2)


@pytest.mark.parametrize(
    ("now", "last", "expected"),
    [
        (datetime(2026, 3, 29, 5, 59, tzinfo=UTC), None, None),  # 07:59 CEST: too early
        (datetime(2026, 3, 29, 6, 0, tzinfo=UTC), None, date(2026, 3, 29)),  # 08:00 CEST
        (datetime(2026, 3, 29, 6, 5, tzinfo=UTC), date(2026, 3, 29), None),  # already sent
        (datetime(2026, 3, 29, 6, 5, tzinfo=UTC), date(2026, 3, 28), date(2026, 3, 29)),
        (datetime(2026, 3, 29, 9, 0, tzinfo=UTC), None, None),  # beyond grace
    ],
)
def test_reminder_due_once_per_local_date(
    now: datetime, last: date | None, expected: date | None
) -> None:
    assert reminder_due(time(8, 0), CPH, last, now, GRACE) == expected

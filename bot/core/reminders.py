"""Personal reminders: on which local date a member's daily DM of due cards goes out."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.drops import local_instant


def reminder_due(
    remind_at: time, zone: ZoneInfo, last_sent_on: date | None, now: datetime, grace: timedelta
) -> date | None:
    """The local date a personal reminder should go out for at `now`, or None.

    Once per local date, at or after `remind_at`, and not later than `grace` after it (a bot
    that was down all morning does not send yesterday's reminder at night).
    """
    today = now.astimezone(zone).date()
    if last_sent_on is not None and last_sent_on >= today:
        return None
    at = local_instant(today, remind_at, zone)
    return today if at <= now <= at + grace else None

"""Daily drops: when a drop is due, in its own time zone, across DST changes.

A drop happens at most once per (drop, local date). Its instant is the local wall-clock time on
that date in the drop's zone: on a spring-forward day a time inside the skipped hour moves to
the first valid local time after it, and on a fall-back day the first of the two occurrences
counts. Whether an occurrence already ran is storage's business; this module only says which
occurrences are due at a given instant.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = frozenset(range(1, 8))
WEEKDAYS = frozenset(range(1, 6))
WEEKENDS = frozenset({6, 7})
MAX_CARDS_PER_DROP = 10
_MAX_GAP_MINUTES = 24 * 60


class DropSource(StrEnum):
    CONFIG = "config"
    COMMAND = "command"


@dataclass(frozen=True, slots=True)
class Drop:
    """A recurring post of `cards` cards from `deck_ids` into a channel."""

    guild_id: int
    channel_id: int
    deck_ids: tuple[str, ...]
    local_time: time
    timezone: str
    weekdays: frozenset[int] = EVERY_DAY  # ISO weekdays, 1 = Monday
    cards: int = 3
    role_id: int | None = None
    thread: bool = False
    paused: bool = False
    source: DropSource = DropSource.COMMAND
    created_at: datetime | None = None
    id: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One scheduled run of a drop: its local date and the UTC instant it is due."""

    drop: Drop
    local_date: date
    at: datetime


@functools.lru_cache(maxsize=4096)
def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone`, DST-aware.

    A wall time that does not exist (spring forward) becomes the first valid minute after it;
    one that exists twice (fall back) is its first occurrence (fold=0).
    """
    wall = datetime.combine(day, at)
    for minute in range(_MAX_GAP_MINUTES):
        candidate = (wall + timedelta(minutes=minute)).replace(tzinfo=zone, fold=0)
        if _exists(candidate, zone):
            return candidate.astimezone(UTC)
    raise ValueError(f"no valid local time after {wall} in {zone.key}")  # pragma: no cover


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    back = local.astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def occurrences(drop: Drop, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence of `drop` with start < at <= end, in time order."""
    zone = drop.zone
    # An occurrence's instant lies on its own local date (a DST gap only moves it later
    # within the day), so the local dates of start and end bound the search.
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    found = []
    day = first
    while day <= last:
        if day.isoweekday() in drop.weekdays:
            at = local_instant(day, drop.local_time, zone)
            if start < at <= end:
                found.append(Occurrence(drop, day, at))
        day += timedelta(days=1)
    return found


@dataclass(frozen=True, slots=True)
class DueDrops:
    """What a tick should do: occurrences to post now, and ones missed beyond the grace window."""

    post: tuple[Occurrence, ...]
    missed: tuple[Occurrence, ...]


def due_occurrences(
    drops: Iterable[Drop], now: datetime, grace: timedelta, lookback: timedelta = timedelta(days=1)
) -> DueDrops:
    """Occurrences at or before `now` that should run (within `grace`) or be skipped (older).

    Looks back `lookback` (at least `grace`): older misses are not reported again.
    Only occurrences after a drop's creation count, so a new drop never fires for a time that
    had already passed when it was made. Paused drops are left out.
    """
    post: list[Occurrence] = []
    missed: list[Occurrence] = []
    for drop in drops:
        if drop.paused:
            continue
        start = now - max(lookback, grace)
        if drop.created_at is not None:
            start = max(start, drop.created_at)
        for occurrence in occurrences(drop, start, now):
            (post if now - occurrence.at <= grace else missed).append(occurrence)
    return DueDrops(tuple(sorted(post, key=_key)), tuple(sorted(missed, key=_key)))


def _key(occurrence: Occurrence) -> tuple[datetime, int]:
    return occurrence.at, occurrence.drop.id or 0

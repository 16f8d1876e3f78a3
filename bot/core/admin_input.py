"""What admins and members type: a time of day, a set of weekdays, a time zone.

The only parsers of these values: config.yaml, the slash commands and storage all read them
here, so what one of them accepts the others accept too. Each parser raises ValueError whose
text is one line fit to show as is (config puts the key path in front of it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.drops import EVERY_DAY, WEEKDAY_NAMES, WEEKDAYS, WEEKENDS

_DAY_ALIASES = {
    "daily": EVERY_DAY,
    "everyday": EVERY_DAY,
    "all": EVERY_DAY,
    "weekdays": WEEKDAYS,
    "weekends": WEEKENDS,
}
_DAY_SEPARATORS = re.compile(r"[\s,;/]+")
_EVERY_DAY_PHRASE = re.compile(r"\bevery\s+day\b")
_HHMM = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")
_SHOWN_CHARS = 60  # how much of a bad input a message repeats (a Discord reply has 2000)


def parse_local_time(text: str) -> time:
    """A 24-hour local time: "08:30", "8:30" or "8.30" → time(8, 30)."""
    match = _HHMM.match(text)
    if not match:
        raise ValueError(f"{_shown(text)} is not a time of day: use 24-hour HH:MM, e.g. 08:30")
    return time(int(match[1]), int(match[2]))


def parse_weekdays(value: str | Iterable[str]) -> frozenset[int]:
    """ISO weekdays (1 = Monday) from "mon,wed,fri", "Monday Friday", "weekdays", "weekends",
    "daily" or "every day", or from a list of such words (as a config file may give them)."""
    texts = [value] if isinstance(value, str) else list(value)
    words = [
        word
        for text in texts
        for word in _DAY_SEPARATORS.split(_EVERY_DAY_PHRASE.sub("everyday", text.lower()))
        if word
    ]
    if not words:
        raise ValueError("no days given: use e.g. mon,wed,fri or weekdays, weekends or daily")
    days: set[int] = set()
    for word in words:
        if word in _DAY_ALIASES:
            days |= _DAY_ALIASES[word]
        elif len(word) >= 3 and word[:3] in WEEKDAY_NAMES:
            days.add(WEEKDAY_NAMES.index(word[:3]) + 1)
        else:
            raise ValueError(
                f"{_shown(word)} is not a day: use mon, tue, wed, thu, fri, sat, sun, "
                "weekdays, weekends or daily"
            )
    return frozenset(days)


def parse_zone(name: str) -> ZoneInfo:
    """The zone of an IANA name such as "Europe/Copenhagen"."""
    try:
        # ZoneInfo opens any file of the database: "posixrules", "posix/…" and "right/…" too,
        # and right/ zones count leap seconds, 27 s off the clock. Only the zones' own names.
        if name not in _zone_names():
            raise ValueError(name)
        return ZoneInfo(name)
    # Besides ZoneInfoNotFoundError: ValueError for "", "..", "Europe/" or a database file that
    # is not a zone, IsADirectoryError for a folder such as "Europe" (opened through tzdata),
    # other OSErrors for names the file system refuses (too long).
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {_shown(name)} (use an IANA name such as 'Europe/Copenhagen')"
        ) from None


@functools.cache
def _zone_names() -> frozenset[str]:
    """The IANA zone names, read once: available_timezones walks the database's folders."""
    return frozenset(available_timezones())


def _shown(text: str) -> str:
    """`text` quoted for a message, cut short if it is long."""
    if len(text) > _SHOWN_CHARS:
        return repr(text[:_SHOWN_CHARS]) + "…"
    return repr(text)

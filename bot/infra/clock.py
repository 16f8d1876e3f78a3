"""Time as a service: the only place that reads the system clock.

Everything else receives a `Clock` (or a plain aware UTC datetime) so that drops, due dates and
DST transitions can be tested with fixed instants.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant as an aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.storage.codec import decode_instant, encode_instant
from tests.core.factories import T0


@pytest.mark.parametrize(
    "instant",
    [
        T0,
        T0.replace(microsecond=123456),
        datetime(2026, 3, 15, 9, 55, tzinfo=timezone(timedelta(hours=2))),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_instant_round_trips_as_utc(instant: datetime) -> None:
    text = encode_instant(instant)
    decoded = decode_instant(text)
    assert decoded == instant and decoded.utcoffset() == timedelta(0)
    assert text == decoded.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_instant_text_sorts_in_time_order() -> None:
    instants = [T0 + timedelta(microseconds=n * 999_999_937) for n in range(-50, 50)]
    assert sorted(instants, key=encode_instant) == instants


@pytest.mark.parametrize(
    "text", ["2026-03-15T07:55:00.000000", "2026-03-15T07:55:00Z", "2026-03-15T09:55:00+02:00"]
)
def test_decode_instant_refuses_what_encode_never_writes(text: str) -> None:
    with pytest.raises(ValueError, match="not a stored instant"):
        decode_instant(text)


def test_encode_instant_refuses_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        encode_instant(datetime(2026, 3, 15, 8, 0))

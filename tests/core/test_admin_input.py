"""Parsing what admins and members type: times of day, weekday sets, time zones."""

from __future__ import annotations

from datetime import time

import pytest

from bot.core.admin_input import parse_local_time, parse_weekdays, parse_zone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", time(8)),
        ("8:05", time(8, 5)),
        ("8.00", time(8)),
        ("08.30", time(8, 30)),
        ("00:00", time(0)),
        ("23:59", time(23, 59)),
        (" 7.30 ", time(7, 30)),
    ],
)
def test_parse_local_time_accepts(text: str, expected: time) -> None:
    assert parse_local_time(text) == expected


@pytest.mark.parametrize(
    "text", ["24:00", "8", "8am", "08:60", "", "noon", "8:5", "08-30", "08:30:00", "1:2:3"]
)
def test_parse_local_time_rejects_with_one_readable_line(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM") as info:
        parse_local_time(text)
    assert "\n" not in str(info.value) and repr(text) in str(info.value)


def test_parse_local_time_shortens_a_long_input_in_its_message() -> None:
    with pytest.raises(ValueError) as info:
        parse_local_time("9" * 5000)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mon,wed,fri", {1, 3, 5}),
        ("mon, wed, fri", {1, 3, 5}),
        ("Monday Friday", {1, 5}),
        ("Monday Tuesday", {1, 2}),
        ("weekdays", {1, 2, 3, 4, 5}),
        ("Weekends", {6, 7}),
        ("daily", set(range(1, 8))),
        ("every day", set(range(1, 8))),
        ("Every  Day", set(range(1, 8))),
        ("everyday", set(range(1, 8))),
        ("sat; sun", {6, 7}),
        ("sun/mon", {1, 7}),
        ("weekends, mon", {1, 6, 7}),
        (["mon", "wed", "fri"], {1, 3, 5}),
        (["Fri", "mon"], {1, 5}),
        (["weekdays"], {1, 2, 3, 4, 5}),
        (("mon,tue", "weekends"), {1, 2, 6, 7}),
        (["every day"], set(range(1, 8))),
    ],
)
def test_parse_weekdays_accepts(value: str | list[str], expected: set[int]) -> None:
    assert parse_weekdays(value) == frozenset(expected)


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("funday", "'funday'"),
        ("mo", "'mo'"),
        ("1,2", "'1'"),
        ("mon,funday", "'funday'"),
        ("every", "'every'"),
        (["mon", "funday"], "'funday'"),
    ],
)
def test_parse_weekdays_rejects_naming_the_word(value: str | list[str], named: str) -> None:
    with pytest.raises(ValueError, match="is not a day") as info:
        parse_weekdays(value)
    assert named in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("value", ["", "  ", ", ;", [], [""]])
def test_parse_weekdays_rejects_no_days(value: str | list[str]) -> None:
    with pytest.raises(ValueError, match="no days given"):
        parse_weekdays(value)


@pytest.mark.parametrize(
    "name", ["UTC", "Europe/Copenhagen", "America/Argentina/Buenos_Aires", "Etc/GMT-14"]
)
def test_parse_zone_accepts_iana_names(name: str) -> None:
    assert parse_zone(name).key == name


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Olympus",
        # Folders of the zone database: ZoneInfo raises IsADirectoryError for these.
        "Europe",
        "America/Argentina",
        "US",
        "",
        " UTC",
        "UTC ",
        "Europe/",
        "Europe//Paris",
        "../etc/passwd",
        "Europe/../UTC",
        "..",
        "/etc/passwd",
        "a\x00b",
        "x" * 300,  # OSError: file name too long
        "zone.tab",  # a file of the database that is not a zone
        "utc",
        # Files of the database that ZoneInfo opens but are not zone names; right/ zones
        # count leap seconds, and so are 27 seconds off.
        "posixrules",
        "posix/Europe/Paris",
        "right/Europe/Paris",
    ],
)
def test_parse_zone_rejects_with_one_readable_line(name: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_zone(name)
    message = str(info.value)
    assert message.startswith("unknown time zone ") and "Europe/Copenhagen" in message
    assert "\n" not in message and "Errno" not in message and len(message) < 200
    assert info.value.__cause__ is None and info.value.__suppress_context__

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.core.members import GuildSettings, MemberSettings, member_study_date, member_zone


def test_member_zone_defaults_to_guild() -> None:
    guild = GuildSettings(1, timezone="Europe/Copenhagen")
    assert member_zone(guild, None).key == "Europe/Copenhagen"
    assert member_zone(guild, MemberSettings(1, 2)).key == "Europe/Copenhagen"


def test_member_zone_prefers_members_own() -> None:
    guild = GuildSettings(1, timezone="Europe/Copenhagen")
    assert member_zone(guild, MemberSettings(1, 2, timezone="America/New_York")).key == (
        "America/New_York"
    )


def test_member_study_date_uses_guild_rollover() -> None:
    guild = GuildSettings(1, timezone="UTC", day_starts_at=time(6, 0))
    now = datetime(2026, 3, 15, 5, 59, tzinfo=UTC)
    assert member_study_date(now, guild, None) == date(2026, 3, 14)

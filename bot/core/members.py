"""Guild and member settings, and the study date they give a member's answer.

Discord does not tell a bot a member's time zone, so each member may set one; until they do,
the guild's applies. The day's rollover time is the guild's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.study_dates import DEFAULT_DAY_STARTS_AT, study_date


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    timezone: str = "UTC"
    day_starts_at: time = DEFAULT_DAY_STARTS_AT
    # The role (a name or an id) that may change the guild's decks, set by /settings; None:
    # the config's `deck_manager_role`.
    deck_manager_role: str | None = None


@dataclass(frozen=True, slots=True)
class MemberSettings:
    """A member's own choices in one guild; None means "not set"."""

    guild_id: int
    user_id: int
    timezone: str | None = None
    # Local time of a daily reminder of due cards; None: no reminders (opt-in).
    remind_at: time | None = None


def member_zone(guild: GuildSettings, member: MemberSettings | None) -> ZoneInfo:
    """The member's own time zone, else the guild's."""
    name = member.timezone if member is not None and member.timezone else guild.timezone
    return ZoneInfo(name)


def member_study_date(
    now_utc: datetime, guild: GuildSettings, member: MemberSettings | None
) -> date:
    return study_date(now_utc, member_zone(guild, member), guild.day_starts_at)

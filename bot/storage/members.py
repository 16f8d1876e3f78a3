"""Guild and member settings, and a member deleting their own data."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime

from bot.core.admin_input import parse_zone
from bot.core.members import GuildSettings, MemberSettings, member_study_date
from bot.storage.codec import decode_time, encode_time
from bot.storage.database import Database, fetch_one

GUILD_SETTINGS_SQL = (
    "SELECT timezone, day_starts_at, deck_manager_role FROM guild_settings WHERE guild_id = ?"
)
MEMBER_SETTINGS_SQL = "SELECT timezone, remind_at FROM members WHERE guild_id = ? AND user_id = ?"


def guild_settings_from_row(
    guild_id: int, row: sqlite3.Row | None, defaults: GuildSettings
) -> GuildSettings:
    if row is None:
        return replace(defaults, guild_id=guild_id)
    # NULL: not set for the guild, so the config's (the defaults); the deck manager role stays
    # the guild's own, since /settings shows which applies (cogs.common falls back).
    day_starts_at = row["day_starts_at"]
    return GuildSettings(
        guild_id=guild_id,
        timezone=row["timezone"] or defaults.timezone,
        day_starts_at=defaults.day_starts_at
        if day_starts_at is None
        else decode_time(day_starts_at),
        deck_manager_role=row["deck_manager_role"],  # the guild's own; the config's is the cog's
    )


def member_settings_from_row(
    guild_id: int, user_id: int, row: sqlite3.Row | None
) -> MemberSettings:
    if row is None:
        return MemberSettings(guild_id, user_id)
    return MemberSettings(
        guild_id=guild_id,
        user_id=user_id,
        timezone=row["timezone"],
        remind_at=None if row["remind_at"] is None else decode_time(row["remind_at"]),
    )


class MemberStore:
    def __init__(self, database: Database, guild_defaults: GuildSettings) -> None:
        self._database = database
        # What a guild's settings are until an admin changes them (the config's zone and day).
        self._guild_defaults = guild_defaults

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        """The guild's settings; defaults until an admin changes one."""
        async with self._database.reading() as db:
            row = await fetch_one(db, GUILD_SETTINGS_SQL, (guild_id,))
        return guild_settings_from_row(guild_id, row, self._guild_defaults)

    async def set_deck_manager_role(self, guild_id: int, role: str | None) -> None:
        """The guild's own deck manager role (None: back to the config's); the guild's other
        settings stay as they are (unset ones keep following the config)."""
        await self._database.write(
            "INSERT INTO guild_settings (guild_id, deck_manager_role) VALUES (?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET deck_manager_role = excluded.deck_manager_role",
            (guild_id, role),
        )

    async def member_settings(self, guild_id: int, user_id: int) -> MemberSettings:
        async with self._database.reading() as db:
            row = await fetch_one(db, MEMBER_SETTINGS_SQL, (guild_id, user_id))
        return member_settings_from_row(guild_id, user_id, row)

    async def save_member_settings(self, settings: MemberSettings) -> None:
        if settings.timezone is not None:
            parse_zone(settings.timezone)
        await self._database.write(
            "INSERT INTO members (guild_id, user_id, timezone, remind_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET"
            " timezone = excluded.timezone, remind_at = excluded.remind_at",
            (
                settings.guild_id,
                settings.user_id,
                settings.timezone,
                None if settings.remind_at is None else encode_time(settings.remind_at),
            ),
        )

    async def study_date_for(self, guild_id: int, user_id: int, now: datetime) -> date:
        """The study date `now` belongs to for this member (their zone, the guild's rollover)."""
        guild = await self.guild_settings(guild_id)
        member = await self.member_settings(guild_id, user_id)
        return member_study_date(now, guild, member)

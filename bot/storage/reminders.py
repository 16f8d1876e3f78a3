"""Personal reminders: who asked for a daily DM, and the local date each was last sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.members import MemberSettings
from bot.storage.codec import decode_date, decode_time, encode_date
from bot.storage.database import Database, fetch_all


@dataclass(frozen=True, slots=True)
class Reminder:
    settings: MemberSettings
    last_reminded_on: date | None


class ReminderStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def reminders(self) -> list[Reminder]:
        """Every member who switched reminders on, with the date of their last one."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                "SELECT guild_id, user_id, timezone, remind_at, last_reminded_on FROM members"
                " WHERE remind_at IS NOT NULL",
                (),
            )
        return [
            Reminder(
                MemberSettings(
                    row["guild_id"], row["user_id"], row["timezone"], decode_time(row["remind_at"])
                ),
                None if row["last_reminded_on"] is None else decode_date(row["last_reminded_on"]),
            )
            for row in rows
        ]

    async def mark_reminded(self, guild_id: int, user_id: int, day: date) -> None:
        await self._database.write(
            "UPDATE members SET last_reminded_on = ? WHERE guild_id = ? AND user_id = ?",
            (encode_date(day), guild_id, user_id),
        )

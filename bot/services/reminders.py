"""The daily DM of due cards: who gets one now, and sending it once per local date."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.core.members import member_study_date, member_zone
from bot.core.reminders import reminder_due
from bot.messages import study

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger(__name__)

# A reminder whose time passed while the bot was down still goes out this long after it.
REMINDER_GRACE = timedelta(hours=2)


class ReminderService:
    def __init__(self, client: discord.Client, services: Services) -> None:
        self.client = client
        self.services = services

    async def send_due(self, now: datetime) -> int:
        """DM every member whose reminder time has come; closed DMs switch reminders off.

        Returns how many DMs were sent. A member with nothing due is marked reminded for the
        day all the same (no DM saying "nothing due").
        """
        storage, sent = self.services.storage, 0
        for reminder in await storage.reminders.reminders():
            member = reminder.settings
            if member.remind_at is None:
                continue
            guild = await storage.members.guild_settings(member.guild_id)
            day = reminder_due(
                member.remind_at,
                member_zone(guild, member),
                reminder.last_reminded_on,
                now,
                REMINDER_GRACE,
            )
            if day is None:
                continue
            await storage.reminders.mark_reminded(member.guild_id, member.user_id, day)
            today = member_study_date(now, guild, member)
            due = sum(
                (await storage.schedule.due_counts(member.guild_id, member.user_id, today)).values()
            )
            if not due:
                continue
            try:
                user = await self.client.fetch_user(member.user_id)
                await user.send(study.reminder_dm(due))
                sent += 1
            except discord.Forbidden:
                log.info("DMs closed for %s: reminders switched off", member.user_id)
                await storage.members.save_member_settings(replace(member, remind_at=None))
            except discord.HTTPException as exc:
                log.warning("reminder to %s failed: %s", member.user_id, exc)
        return sent

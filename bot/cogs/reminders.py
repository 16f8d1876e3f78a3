"""`/remind` for members, and the ticker that sends the daily DMs of due cards.

Its own cog and loop: a failing drops cog never stops the reminders, and the other way round.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.app import Flashdrop
from bot.cogs.common import guild_id_of
from bot.core.admin_input import parse_local_time
from bot.core.members import member_zone
from bot.messages import study as texts

log = logging.getLogger(__name__)

TICK_SECONDS = 20
DEFAULT_REMIND_AT = "08:00"


class Reminders(commands.Cog):
    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.ticker.start()

    async def cog_unload(self) -> None:
        self.ticker.cancel()

    @app_commands.command(name="remind")
    @app_commands.guild_only()
    @app_commands.describe(
        switch="on or off", time="your local time for the reminder, HH:MM (default 08:00)"
    )
    async def remind(
        self,
        interaction: discord.Interaction,
        switch: Literal["on", "off"],
        time: str | None = None,
    ) -> None:
        """A daily DM with how many cards you have due."""
        guild_id = guild_id_of(interaction)
        storage = self.bot.services.storage
        settings = await storage.members.member_settings(guild_id, interaction.user.id)
        if switch == "off":
            await storage.members.save_member_settings(replace(settings, remind_at=None))
            await interaction.response.send_message(texts.REMINDERS_OFF, ephemeral=True)
            return
        try:
            at = parse_local_time(time or DEFAULT_REMIND_AT)
        except ValueError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        await storage.members.save_member_settings(replace(settings, remind_at=at))
        guild = await storage.members.guild_settings(guild_id)
        zone = member_zone(guild, settings).key
        await interaction.response.send_message(texts.reminders_on(at, zone), ephemeral=True)

    @tasks.loop(seconds=TICK_SECONDS)
    async def ticker(self) -> None:
        try:
            await self.bot.reminders.send_due(self.bot.services.clock.now())
        except Exception:
            log.exception("reminder tick failed")

    @ticker.before_loop
    async def before_ticker(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Reminders(bot))

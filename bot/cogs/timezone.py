"""`/timezone`: a member's own IANA zone, so their study day starts at their local hour."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import MAX_CHOICES, guild_id_of
from bot.core.admin_input import parse_zone
from bot.messages import study as texts

_ZONES = sorted(available_timezones())


class TimeZone(commands.Cog):
    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    @app_commands.command(name="timezone")
    @app_commands.guild_only()
    @app_commands.describe(zone="an IANA time zone, e.g. Europe/Copenhagen")
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        """Set your time zone, so your study day starts at the right local hour."""
        guild_id = guild_id_of(interaction)
        storage = self.bot.services.storage
        try:
            zone = parse_zone(zone).key
        except ValueError as exc:
            await interaction.response.send_message(texts.unknown_zone(str(exc)), ephemeral=True)
            return
        settings = await storage.members.member_settings(guild_id, interaction.user.id)
        await storage.members.save_member_settings(replace(settings, timezone=zone))
        await interaction.response.send_message(texts.zone_set(zone), ephemeral=True)

    @timezone.autocomplete("zone")
    async def zone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.casefold().replace(" ", "_")
        return [app_commands.Choice(name=z, value=z) for z in _ZONES if needle in z.casefold()][
            :MAX_CHOICES
        ]


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(TimeZone(bot))

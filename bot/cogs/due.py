"""`/due`: a member's due cards per deck, the new ones waiting, and when the next come due."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import guild_id_of
from bot.messages import study as texts


class Due(commands.Cog):
    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    @app_commands.command(name="due")
    @app_commands.guild_only()
    async def due(self, interaction: discord.Interaction) -> None:
        """How many of your cards are due, per deck, and when the next ones come."""
        guild_id = guild_id_of(interaction)
        overview = await self.bot.study.overview(guild_id, interaction.user.id)
        names = {d.id: d.name for d in self.bot.catalog.decks_for(guild_id).values()}
        await interaction.response.send_message(
            texts.due_summary(overview.due, overview.new, names, overview.next_due), ephemeral=True
        )


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Due(bot))

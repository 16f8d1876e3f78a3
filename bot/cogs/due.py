"""`/due`: how many of a member's cards are due, per deck, and when the next ones come."""

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
        user_id = interaction.user.id
        storage = self.bot.services.storage
        today = await storage.study_date_for(guild_id, user_id, self.bot.services.clock.now())
        counts = await storage.due_counts(guild_id, user_id, today)
        upcoming = await storage.next_due_date(guild_id, user_id, today)
        names = {deck.id: deck.name for deck in self.bot.services.decks.values()}
        await interaction.response.send_message(
            texts.due_summary(counts, names, upcoming), ephemeral=True
        )


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Due(bot))

"""`/deck list` and `/deck info`: what the study group can quiz itself on."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import deck_choices, guild_id_of
from bot.messages import decks as texts


@app_commands.guild_only()
class Decks(commands.GroupCog, group_name="deck"):
    """Browse the decks the bot has loaded."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    @app_commands.command(name="list")
    async def list_decks(self, interaction: discord.Interaction) -> None:
        """List the decks you can quiz yourselves on."""
        decks = self.bot.catalog.decks_for(guild_id_of(interaction))
        if not decks:
            await interaction.response.send_message(texts.NO_DECKS, ephemeral=True)
            return
        embed = texts.deck_list(list(decks.values()))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="info")
    @app_commands.describe(deck="the deck's id")
    async def deck_info(self, interaction: discord.Interaction, deck: str) -> None:
        """Show a deck's description, size and tags."""
        found = self.bot.catalog.deck(guild_id_of(interaction), deck)
        if found is None:
            await interaction.response.send_message(texts.no_such_deck(deck), ephemeral=True)
            return
        await interaction.response.send_message(embed=texts.deck_info(found), ephemeral=True)

    @deck_info.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Decks(bot))

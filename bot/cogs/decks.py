"""`/deck list` and `/deck info`: what the study group can quiz itself on."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop

MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices


@app_commands.guild_only()
class Decks(commands.GroupCog, group_name="deck"):
    """Browse the decks the bot has loaded."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    @app_commands.command(name="list")
    async def list_decks(self, interaction: discord.Interaction) -> None:
        """List the decks you can quiz yourselves on."""
        decks = self.bot.services.decks
        if not decks:
            await interaction.response.send_message("No decks are loaded.", ephemeral=True)
            return
        lines = [f"**{d.name}** (`{d.id}`): {card_count(len(d.cards))}" for d in decks.values()]
        embed = discord.Embed(title="Decks", description="\n".join(lines)[:4096])
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="info")
    @app_commands.describe(deck="the deck's id")
    async def deck_info(self, interaction: discord.Interaction, deck: str) -> None:
        """Show a deck's description, size and tags."""
        found = self.bot.services.decks.get(deck)
        if found is None:
            await interaction.response.send_message(f"No deck `{deck}`.", ephemeral=True)
            return
        embed = discord.Embed(title=found.name, description=found.description or "")
        embed.add_field(name="Cards", value=str(len(found.cards)))
        embed.add_field(name="Id", value=f"`{found.id}`")
        if found.tags:
            embed.add_field(name="Tags", value=", ".join(found.tags))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @deck_info.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, current)


def card_count(n: int) -> str:
    return f"{n} card" if n == 1 else f"{n} cards"


def deck_choices(bot: Flashdrop, current: str) -> list[app_commands.Choice[str]]:
    """Deck ids whose id or name contains what the member typed."""
    needle = current.casefold()
    return [
        app_commands.Choice(name=f"{d.name} ({d.id})"[:100], value=d.id)
        for d in bot.services.decks.values()
        if needle in d.id.casefold() or needle in d.name.casefold()
    ][:MAX_CHOICES]


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Decks(bot))

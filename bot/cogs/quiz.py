"""`/quiz`: post one card in the channel, the card the group most needs."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import (
    channel_of,
    deck_choices,
    guild_id_of,
    missing_now,
    refuse,
    refuse_without_permissions,
)
from bot.core.posts import PostKind
from bot.messages import decks as texts

log = logging.getLogger(__name__)


class Quiz(commands.Cog):
    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    @app_commands.command(name="quiz")
    @app_commands.guild_only()
    @app_commands.describe(deck="the deck to draw from (default: all decks)")
    async def quiz(self, interaction: discord.Interaction, deck: str | None = None) -> None:
        """Post a flashcard here for everyone; react 👀 to reveal, then rate 1-5."""
        if await refuse_without_permissions(interaction):
            return
        guild_id, (channel_id, channel) = guild_id_of(interaction), channel_of(interaction)
        decks = self.bot.catalog.decks_for(guild_id)
        if deck is not None and deck not in decks:
            await interaction.response.send_message(texts.no_such_deck(deck), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        poster = self.bot.posting
        chosen = await poster.choose(
            guild_id,
            channel_id,
            [deck] if deck else list(decks),
            count=1,
            seed=interaction.id,
        )
        if not chosen:
            await interaction.followup.send(texts.NO_CARDS, ephemeral=True)
            return
        found_deck, card = chosen[0]
        try:
            await poster.post_card(channel, guild_id, found_deck, card, PostKind.QUIZ)
        except discord.Forbidden as refused:
            # Permissions changed since Discord sent the interaction: say what is missing now.
            log.warning("cannot post in channel %s: %s", interaction.channel_id, refused.text)
            await refuse(interaction, missing_now(interaction))
            return
        await interaction.followup.send(texts.posted_from(found_deck), ephemeral=True)

    @quiz.autocomplete("deck")
    async def quiz_deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Quiz(bot))

"""`/card`: one card of a deck — `/card suspend` takes it out of the server's study (drops,
`/quiz`, `/review`, `/due`) without losing anyone's history, `/card unsuspend` brings it back."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import card_choices, deck_choices, guild_id_of, require_deck_manager
from bot.core.models import CardRef
from bot.messages import decks as deck_texts
from bot.messages import suspensions as suspension_texts


@app_commands.guild_only()
class Cards(commands.GroupCog, group_name="card"):
    """Manage one card of a deck."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    @app_commands.command(name="suspend")
    @app_commands.describe(deck="the card's deck", card="the card's id")
    async def suspend(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Take a card out of drops, /quiz and /review here; everyone's history is kept."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, "suspend cards"):
            return
        ref = CardRef(deck, card)
        refusal = self._unknown(guild_id, ref)
        if refusal is None:
            now = self.bot.services.clock.now()
            storage = self.bot.services.storage
            done = await storage.suspensions.suspend(guild_id, ref, interaction.user.id, now)
            text = (
                suspension_texts.suspended(ref) if done else suspension_texts.already_suspended(ref)
            )
        else:
            text = refusal
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="unsuspend")
    @app_commands.describe(deck="the card's deck", card="the suspended card's id")
    async def unsuspend(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Study a suspended card here again, with everyone's schedule as it was."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, "unsuspend cards"):
            return
        ref = CardRef(deck, card)
        done = await self.bot.services.storage.suspensions.unsuspend(guild_id, ref)
        text = suspension_texts.unsuspended(ref) if done else suspension_texts.not_suspended(ref)
        await interaction.response.send_message(text, ephemeral=True)

    def _unknown(self, guild_id: int, ref: CardRef) -> str | None:
        """Why `ref` names no card this server studies, or None."""
        deck = self.bot.catalog.decks_for(guild_id).get(ref.deck_id)
        if deck is None:
            return deck_texts.no_such_deck(ref.deck_id)
        if deck.card(ref.card_id) is None:
            return suspension_texts.no_such_card(ref)
        return None

    @suspend.autocomplete("deck")
    @unsuspend.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)

    @suspend.autocomplete("card")
    async def card_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return card_choices(self.bot, interaction, current)

    @unsuspend.autocomplete("card")
    async def suspended_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        storage = self.bot.services.storage
        suspended = await storage.suspensions.suspended(interaction.guild_id)
        return card_choices(self.bot, interaction, current, only=set(suspended))


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Cards(bot))

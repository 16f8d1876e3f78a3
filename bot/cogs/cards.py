"""`/card suspend` and `/card unsuspend`: a deck manager takes a card out of drops, quizzes
and reviews (its history and every member's schedule kept), and brings it back."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import MAX_CHOICES, deck_choices, guild_id_of, require_deck_manager
from bot.core.models import Card, CardRef, Deck
from bot.messages import cards_editing as texts
from bot.messages import decks as deck_texts


@app_commands.guild_only()
class Cards(commands.GroupCog, group_name="card"):
    """Change the cards of this server's decks."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    @app_commands.command(name="suspend")
    @app_commands.describe(deck="the card's deck", card="the card to take out")
    async def suspend(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Take a card out of drops, quizzes and reviews; its history is kept."""
        found = await self._managed_card(interaction, deck, card, "suspend cards")
        if found is None:
            return
        ref, now = CardRef(found[0].id, found[1].id), self.bot.services.clock.now()
        storage = self.bot.services.storage
        done = await storage.suspensions.suspend(
            guild_id_of(interaction), ref, interaction.user.id, now
        )
        text = texts.suspended(*found) if done else texts.already_suspended(*found)
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="unsuspend")
    @app_commands.describe(deck="the card's deck", card="the card to bring back")
    async def unsuspend(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Bring a suspended card back, with its schedules as they were."""
        found = await self._managed_card(interaction, deck, card, "unsuspend cards")
        if found is None:
            return
        ref = CardRef(found[0].id, found[1].id)
        done = await self.bot.services.storage.suspensions.unsuspend(guild_id_of(interaction), ref)
        text = texts.unsuspended(*found) if done else texts.not_suspended(*found)
        await interaction.response.send_message(text, ephemeral=True)

    async def _managed_card(
        self, interaction: discord.Interaction, deck_id: str, card_id: str, action: str
    ) -> tuple[Deck, Card] | None:
        """The named card for a deck manager; anyone else, or an unknown card, is told why."""
        if not await require_deck_manager(interaction, self.bot, action):
            return None
        guild_id = guild_id_of(interaction)
        if self.bot.catalog.deck(guild_id, deck_id) is None:
            text = deck_texts.no_such_deck(deck_id)
        elif (found := self.bot.catalog.find_card(guild_id, CardRef(deck_id, card_id))) is None:
            text = texts.no_such_card(deck_id, card_id)
        else:
            return found
        await interaction.response.send_message(text, ephemeral=True)
        return None

    @suspend.autocomplete("deck")
    @unsuspend.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)

    @suspend.autocomplete("card")
    @unsuspend.autocomplete("card")
    async def card_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        deck_id = getattr(interaction.namespace, "deck", None)
        if interaction.guild_id is None or not isinstance(deck_id, str):
            return []
        deck = self.bot.catalog.deck(interaction.guild_id, deck_id)
        needle = current.casefold()
        return [
            app_commands.Choice(name=texts.card_choice_label(card), value=card.id)
            for card in (deck.cards if deck else ())
            if needle in card.id.casefold() or needle in card.question.casefold()
        ][:MAX_CHOICES]


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Cards(bot))

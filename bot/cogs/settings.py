"""`/settings` for admins: the server's deck manager role and the library decks it hides."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import MAX_CHOICES, deck_choices, guild_id_of, require_admin, role_name
from bot.messages import decks as deck_texts
from bot.messages import settings as texts


@app_commands.guild_only()
class Settings(commands.GroupCog, group_name="settings"):
    """This server's settings."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only admins (Manage Server or the configured admin role) change settings."""
        return await require_admin(interaction, self.bot, "change the server's settings")

    @app_commands.command(name="view")
    async def view(self, interaction: discord.Interaction) -> None:
        """Show this server's settings."""
        guild_id = guild_id_of(interaction)
        settings = await self.bot.services.storage.members.guild_settings(guild_id)
        own = settings.deck_manager_role
        library = self.bot.catalog.library
        hidden = [(d, library.get(d)) for d in sorted(self.bot.catalog.hidden(guild_id))]
        embed = texts.settings(
            texts.role_mention(int(own)) if own and own.isdigit() else own,
            role_name(interaction, self.bot.config.deck_manager_role),
            hidden,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="manager-role")
    @app_commands.describe(role="the role that may change decks here (leave out to clear)")
    async def manager_role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        """Set or clear the role whose members may change this server's decks."""
        guild_id = guild_id_of(interaction)
        await self.bot.services.storage.members.set_deck_manager_role(
            guild_id, None if role is None else str(role.id)
        )
        config_role = role_name(interaction, self.bot.config.deck_manager_role)
        text = (
            texts.manager_role_set(role.id)
            if role is not None
            else texts.manager_role_cleared(config_role)
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="hide")
    @app_commands.describe(deck="a library deck this server does not want offered")
    async def hide(self, interaction: discord.Interaction, deck: str) -> None:
        """Hide a library deck here (history kept; unhide brings it back)."""
        guild_id = guild_id_of(interaction)
        found = self.bot.catalog.library.get(deck)
        if found is None:
            own = deck in self.bot.catalog.guild_decks(guild_id)
            text = texts.not_a_library_deck(deck) if own else deck_texts.no_such_deck(deck)
            await interaction.response.send_message(text, ephemeral=True)
            return
        now = self.bot.services.clock.now()
        hidden = await self.bot.catalog.hide(guild_id, deck, interaction.user.id, now)
        text = texts.hidden_now(found) if hidden else texts.already_hidden(deck)
        await interaction.response.send_message(text, ephemeral=True)

    @hide.autocomplete("deck")
    async def hide_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        library = self.bot.catalog.library
        return [c for c in deck_choices(self.bot, interaction, current) if c.value in library]

    @app_commands.command(name="unhide")
    @app_commands.describe(deck="a library deck this server hid")
    async def unhide(self, interaction: discord.Interaction, deck: str) -> None:
        """Offer a hidden library deck here again."""
        shown = await self.bot.catalog.show(guild_id_of(interaction), deck)
        text = texts.shown_again(deck) if shown else texts.not_hidden(deck)
        await interaction.response.send_message(text, ephemeral=True)

    @unhide.autocomplete("deck")
    async def unhide_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        needle = current.casefold()
        library = self.bot.catalog.library
        choices = []
        for deck_id in sorted(self.bot.catalog.hidden(interaction.guild_id)):
            deck = library.get(deck_id)
            label = deck_texts.choice_label(deck) if deck else deck_id
            if needle in label.casefold():
                choices.append(app_commands.Choice(name=label, value=deck_id))
        return choices[:MAX_CHOICES]


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Settings(bot))

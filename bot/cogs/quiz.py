"""`/quiz` and the reactions on posted cards: reveal on 👀, rate with 1️⃣-5️⃣."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.app import Flashdrop
from bot.cogs.decks import deck_choices
from bot.core.posts import PostKind
from bot.services.posting import POST_PERMISSIONS, CardPoster, ReactionEvent, missing_permissions

log = logging.getLogger(__name__)


class Quiz(commands.Cog):
    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot
        self.poster = CardPoster(bot, bot.services)
        self._catch_up: asyncio.Task[None] | None = None
        self._catch_up_again = False

    async def cog_load(self) -> None:
        self.sweep.start()

    async def cog_unload(self) -> None:
        self.sweep.cancel()
        if self._catch_up is not None:
            self._catch_up.cancel()

    @app_commands.command(name="quiz")
    @app_commands.guild_only()
    @app_commands.describe(deck="the deck to draw from (default: all decks)")
    async def quiz(self, interaction: discord.Interaction, deck: str | None = None) -> None:
        """Post a flashcard here for everyone; react 👀 to reveal, then rate 1-5."""
        if await refuse_without_permissions(interaction):
            return
        decks = self.bot.services.decks
        if deck is not None and deck not in decks:
            await interaction.response.send_message(f"No deck `{deck}`.", ephemeral=True)
            return
        assert interaction.guild_id is not None and interaction.channel_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        chosen = await self.poster.choose(
            interaction.guild_id,
            interaction.channel_id,
            [deck] if deck else list(decks),
            count=1,
            seed=interaction.id,
        )
        if not chosen:
            await interaction.followup.send("There are no cards to post.", ephemeral=True)
            return
        found_deck, card = chosen[0]
        channel = interaction.channel
        assert isinstance(channel, discord.abc.Messageable)
        try:
            await self.poster.post_card(
                channel, interaction.guild_id, found_deck, card, PostKind.QUIZ
            )
        except discord.Forbidden as refused:
            # Permissions changed since Discord sent the interaction: say what is missing now.
            log.warning("cannot post in channel %s: %s", interaction.channel_id, refused.text)
            await refuse(interaction, missing_now(interaction))
            return
        await interaction.followup.send(
            f"Posted a card from **{found_deck.name}**.", ephemeral=True
        )

    @quiz.autocomplete("deck")
    async def quiz_deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, current)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.poster.reaction_added(ReactionEvent.from_payload(payload))

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self.poster.reaction_removed(ReactionEvent.from_payload(payload))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Every READY (first connect or a new session) may follow missed reaction events. A
        # catch-up still running may have read a post before the events this READY follows
        # were missed, so it goes round once more.
        self._catch_up_again = True
        if self._catch_up is None or self._catch_up.done():
            self._catch_up = asyncio.create_task(self._reconcile(), name="reconcile")

    async def _reconcile(self) -> None:
        while self._catch_up_again:
            self._catch_up_again = False
            changes = await self.poster.reconcile(self.bot.services.clock.now())
            log.info("caught up with reactions on recent posts: %d rating change(s)", changes)

    @tasks.loop(seconds=30)
    async def sweep(self) -> None:
        try:
            await self.poster.auto_reveal(self.bot.services.clock.now())
        except Exception:
            log.exception("auto-reveal sweep failed")

    @sweep.before_loop
    async def before_sweep(self) -> None:
        await self.bot.wait_until_ready()


async def refuse_without_permissions(interaction: discord.Interaction) -> bool:
    """Tell the member, privately, which permission the bot lacks in this channel."""
    missing = missing_permissions(interaction.app_permissions, POST_PERMISSIONS)
    if not missing:
        return False
    await refuse(interaction, missing)
    return True


def missing_now(interaction: discord.Interaction) -> list[str]:
    """The post permissions the bot lacks in the interaction's channel, as cached now."""
    channel, guild = interaction.channel, interaction.guild
    if guild is None or not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return []
    return missing_permissions(channel.permissions_for(guild.me), POST_PERMISSIONS)


async def refuse(interaction: discord.Interaction, missing: list[str]) -> None:
    if not missing:
        await send_ephemeral(
            interaction,
            "I could not post here: Discord refused (missing permissions). "
            "Ask an admin to check my role.",
        )
        return
    log.warning(
        "missing permission(s) %s in channel %s", ", ".join(missing), interaction.channel_id
    )
    listed = ", ".join(f"**{name}**" for name in missing)
    what, pronoun = ("permission", "it") if len(missing) == 1 else ("permissions", "them")
    await send_ephemeral(
        interaction,
        f"I can't post cards in this channel: I'm missing the {listed} {what}. "
        f"Ask an admin to grant {pronoun} to my role.",
    )


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Quiz(bot))

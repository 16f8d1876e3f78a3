"""Every posted card, whoever posted it (`/quiz` or a drop): reactions (ratings, and 🚩 flags),
catch-up, auto-reveal, its buttons.

The listeners hand raw reaction events to the bot's one `CardPoster`; on every READY the
reactions made while the bot was away are read back; a sweep reveals posts nobody revealed.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands, tasks

from bot.app import Flashdrop
from bot.services.posting import ReactionEvent

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30


class PostedCards(commands.Cog):
    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot
        self._catch_up: asyncio.Task[None] | None = None
        self._catch_up_again = False

    async def cog_load(self) -> None:
        self.sweep.start()

    async def cog_unload(self) -> None:
        self.sweep.cancel()
        if self._catch_up is not None:
            self._catch_up.cancel()

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.bot.posting.reaction_added(ReactionEvent.from_payload(payload))

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self.bot.posting.reaction_removed(ReactionEvent.from_payload(payload))

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
            changes = await self.bot.posting.reconcile(self.bot.services.clock.now())
            log.info("caught up with reactions on recent posts: %d rating change(s)", changes)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A post's private hint, answer or Flag button (any post, made before a restart too);
        each answers only its presser."""
        if interaction.type is not discord.InteractionType.component or not interaction.data:
            return
        custom_id = str(interaction.data.get("custom_id", ""))
        flagged = await self.bot.posting.flag_pressed(custom_id, interaction.user.id)
        if flagged is not None:
            await interaction.response.send_message(flagged, ephemeral=True)
            return
        reply = await self.bot.posting.private_reply(custom_id)
        if reply is not None:
            await interaction.response.send_message(embed=reply, ephemeral=True)

    @tasks.loop(seconds=SWEEP_SECONDS)
    async def sweep(self) -> None:
        try:
            await self.bot.posting.sweep(self.bot.services.clock.now())
        except Exception:
            log.exception("auto-reveal sweep failed")

    @sweep.before_loop
    async def before_sweep(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(PostedCards(bot))

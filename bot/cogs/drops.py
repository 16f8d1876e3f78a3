"""`/drop …` for admins, and the ticker that runs the daily drops."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.app import Flashdrop
from bot.cogs.common import deck_choices, guild_id_of, refuse_without_permissions, require_admin
from bot.core.admin_input import parse_local_time, parse_weekdays, parse_zone
from bot.core.drops import EVERY_DAY, MAX_CARDS_PER_DROP, Drop, DropSource, occurrences
from bot.messages import decks as deck_texts
from bot.messages import drops as texts
from bot.messages import settings as settings_texts

log = logging.getLogger(__name__)

TICK_SECONDS = 20  # the issue asks for ≤30 s between ticks


@app_commands.guild_only()
class Drops(commands.GroupCog, group_name="drop"):
    """Scheduled daily drops of cards into a channel."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        await self.bot.drops.sync_config_drops()
        self.ticker.start()

    async def cog_unload(self) -> None:
        self.ticker.cancel()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only admins (Manage Server or the configured admin role) may manage drops."""
        return await require_admin(interaction, self.bot, "manage drops")

    @app_commands.command(name="add")
    @app_commands.describe(
        channel="where the cards go",
        deck="the deck to draw from",
        time="local time, 24-hour HH:MM",
        timezone="IANA time zone (default: the server's)",
        days="e.g. mon,wed,fri or weekdays (default: every day)",
        cards="how many cards (1-10, default 3)",
        role="a role to mention with each drop",
        thread="post each drop's cards in a thread of its own",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        deck: str,
        time: str,
        timezone: str | None = None,
        days: str | None = None,
        cards: app_commands.Range[int, 1, MAX_CARDS_PER_DROP] = 3,
        role: discord.Role | None = None,
        thread: bool = False,
    ) -> None:
        """Schedule a daily drop of cards into a channel."""
        guild_id = guild_id_of(interaction)
        zone_name = timezone or self.bot.config.timezone
        try:
            if deck not in self.bot.catalog.decks_for(guild_id):
                raise ValueError(deck_texts.no_such_deck_hint(deck))
            drop = Drop(
                guild_id=guild_id,
                channel_id=channel.id,
                deck_ids=(deck,),
                local_time=parse_local_time(time),
                timezone=parse_zone(zone_name).key,
                weekdays=parse_weekdays(days) if days else EVERY_DAY,
                cards=cards,
                role_id=role.id if role else None,
                thread=thread,
                source=DropSource.COMMAND,
                created_at=self.bot.services.clock.now(),
            )
        except ValueError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        saved = await self.bot.services.storage.drops.add_drop(drop)
        await interaction.response.send_message(
            texts.scheduled(saved.id, describe(self.bot, saved)), ephemeral=True
        )

    @app_commands.command(name="list")
    async def list_drops(self, interaction: discord.Interaction) -> None:
        """List this server's drops."""
        guild_id = guild_id_of(interaction)
        drops = await self.bot.services.storage.drops.drops(guild_id)
        if not drops:
            await interaction.response.send_message(texts.NO_DROPS, ephemeral=True)
            return
        lines = [texts.listed(d.id, describe(self.bot, d)) for d in drops]
        await interaction.response.send_message(texts.listing(lines), ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(drop="the drop's number, from /drop list")
    async def remove(self, interaction: discord.Interaction, drop: int) -> None:
        """Delete a drop."""
        guild_id = guild_id_of(interaction)
        done = await self.bot.services.storage.drops.remove_drop(guild_id, drop)
        await reply(interaction, done, texts.removed(drop), drop)

    @app_commands.command(name="pause")
    @app_commands.describe(drop="the drop's number, from /drop list")
    async def pause(self, interaction: discord.Interaction, drop: int) -> None:
        """Pause a drop until /drop resume."""
        await self._set_paused(interaction, drop, paused=True)

    @app_commands.command(name="resume")
    @app_commands.describe(drop="the drop's number, from /drop list")
    async def resume(self, interaction: discord.Interaction, drop: int) -> None:
        """Resume a paused drop."""
        await self._set_paused(interaction, drop, paused=False)

    async def _set_paused(self, interaction: discord.Interaction, drop: int, paused: bool) -> None:
        guild_id = guild_id_of(interaction)
        storage = self.bot.services.storage
        done = await storage.drops.set_drop_paused(guild_id, drop, paused)
        await reply(interaction, done, texts.paused(drop, paused=paused), drop)

    @app_commands.command(name="now")
    @app_commands.describe(drop="the drop's number, from /drop list")
    async def now(self, interaction: discord.Interaction, drop: int) -> None:
        """Post a drop's cards right now (its schedule is unchanged)."""
        guild_id = guild_id_of(interaction)
        found = [d for d in await self.bot.services.storage.drops.drops(guild_id) if d.id == drop]
        if not found:
            await reply(interaction, False, "", drop)
            return
        if interaction.channel_id == found[0].channel_id and await refuse_without_permissions(
            interaction
        ):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            count = await self.bot.drops.post_now(found[0], seed=interaction.id)
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning("drop %s could not be posted now: %s", drop, exc)
            await interaction.followup.send(
                texts.cannot_post_in(found[0].channel_id, exc.text or str(exc)), ephemeral=True
            )
            return
        await interaction.followup.send(texts.posted_now(drop, count), ephemeral=True)

    @add.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)

    @tasks.loop(seconds=TICK_SECONDS)
    async def ticker(self) -> None:
        try:
            await self.bot.drops.tick(self.bot.services.clock.now())
        except Exception:
            log.exception("drop tick failed")

    @ticker.before_loop
    async def before_ticker(self) -> None:
        await self.bot.wait_until_ready()


def describe(bot: Flashdrop, drop: Drop) -> str:
    names = {d: settings_texts.hidden_deck(d) for d in bot.catalog.hidden(drop.guild_id)}
    names |= {d.id: d.name for d in bot.catalog.decks_for(drop.guild_id).values()}
    now = bot.services.clock.now()
    upcoming = occurrences(drop, now, now + timedelta(days=8))
    return texts.describe(drop, names, upcoming[0] if upcoming else None)


async def reply(interaction: discord.Interaction, done: bool, text: str, drop: int) -> None:
    if not done:
        text = texts.no_such_drop(drop)
    await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Drops(bot))

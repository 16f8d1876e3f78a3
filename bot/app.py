"""The discord.py Bot subclass: holds the services (config, clock, storage, decks), loads cogs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.config import Config
from bot.core.members import GuildSettings
from bot.core.models import Deck
from bot.decks import load_decks
from bot.health import write_heartbeat
from bot.ratelimit import GLOBAL_LIMIT, GLOBAL_WINDOW_SECONDS, RollingWindowLimiter, pace_requests
from bot.storage.storage import Storage

log = logging.getLogger(__name__)

COGS = ("bot.cogs.decks", "bot.cogs.quiz", "bot.cogs.review", "bot.cogs.drops")
HEARTBEAT_SECONDS = 30


@dataclass
class Services:
    """What the cogs work with. One instance per running bot, passed in, never global."""

    config: Config
    clock: Clock
    storage: Storage
    decks: dict[str, Deck] = field(default_factory=dict)

    async def close(self) -> None:
        await self.storage.close()


async def open_services(config: Config, clock: Clock) -> Services:
    """Open the database and load the decks; bad decks are logged and left out."""
    config.database_path.parent.mkdir(parents=True, exist_ok=True)
    defaults = GuildSettings(0, timezone=config.timezone, day_starts_at=config.day_starts_at)
    storage = await Storage.open(config.database_path, config.scheduling, defaults)
    services = Services(config=config, clock=clock, storage=storage)
    await reload_decks(services)
    return services


async def reload_decks(services: Services) -> None:
    result = await asyncio.to_thread(load_decks, services.config.decks_dir)
    for error in result.errors:
        for problem in error.problems:
            log.warning("deck not loaded: %s", problem)
    failed = {Path(error.path).stem for error in result.errors}
    summary = await services.storage.decks.sync_decks(result.decks.values(), unavailable=failed)
    services.decks = dict(sorted(result.decks.items()))
    log.info(
        "decks: %d loaded (%d cards), %d invalid; cards added %d, changed %d, retired %d",
        len(result.decks),
        sum(len(d.cards) for d in result.decks.values()),
        len(result.errors),
        len(summary.added),
        len(summary.changed),
        len(summary.retired),
    )


def intents() -> discord.Intents:
    """Only unprivileged intents: guild structure and reactions in guilds."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_reactions = True
    return wanted


# Seconds of quiet in the start-up stream of guilds before the bot counts as ready.
GUILD_READY_TIMEOUT = 1.0


class Flashdrop(commands.Bot):
    def __init__(
        self,
        config: Config,
        services: Services,
        *,
        global_limit: int | None = GLOBAL_LIMIT,
        **options: object,
    ) -> None:
        """``global_limit``: requests per second the bot allows itself (None: no pacing)."""
        self.global_limiter: RollingWindowLimiter | None = None
        if global_limit is not None:
            self.global_limiter = RollingWindowLimiter(global_limit, GLOBAL_WINDOW_SECONDS)
            trace = cast(aiohttp.TraceConfig | None, options.pop("http_trace", None))
            options["http_trace"] = pace_requests(self.global_limiter, trace)
        # discord.py fires on_ready once no GUILD_CREATE has come for this long (default 2 s).
        # Nothing here needs every guild first (no member chunking, and posting, catch-up and
        # drops go by channel id), and a guild arriving later is cached all the same.
        options.setdefault("guild_ready_timeout", GUILD_READY_TIMEOUT)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,
            help_command=None,
            allowed_mentions=discord.AllowedMentions(everyone=False, users=False, roles=True),
            **options,  # type: ignore[arg-type]
        )
        self.config = config
        self.services = services
        self._heartbeat: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        self.tree.error(self.on_app_command_error)
        for cog in COGS:
            await self.load_extension(cog)
        synced = await self.tree.sync()
        log.info("synced %d slash commands", len(synced))
        self._heartbeat = asyncio.create_task(self._beat(), name="heartbeat")

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info(
            "connected as %s (id %s) to %d guild(s)", self.user, self.user.id, len(self.guilds)
        )

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """The last word on a failed command: the member always gets an answer."""
        if isinstance(error, app_commands.CheckFailure):
            return  # the check has already told the member why
        command = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", error)
        if isinstance(original, discord.Forbidden):
            log.warning("/%s in channel %s: %s", command, interaction.channel_id, original.text)
            text = "Discord refused me here (missing permissions). Ask an admin to check my role."
        else:
            log.error("/%s failed", command, exc_info=original)
            text = "Something went wrong on my side; it has been logged."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the member that /%s failed", command)

    async def _beat(self) -> None:
        """Touch the heartbeat file while connected, for `python -m bot healthcheck`."""
        path = self.config.heartbeat_path
        # The first beat as soon as the bot is ready, not one interval after start: this task
        # starts before the connection, and a check in between would report a healthy bot dead.
        await self.wait_until_ready()
        while True:
            if not self.is_closed() and self.ws is not None and self.ws.open:
                try:
                    await asyncio.to_thread(write_heartbeat, path, self.services.clock.now())
                except OSError as exc:
                    log.warning("cannot write heartbeat %s: %s", path, exc)
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        await super().close()

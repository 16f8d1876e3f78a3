"""The discord.py Bot subclass: holds the services and the feature services, loads the cogs.

`Services` is what every feature needs (config, clock, storage, decks), opened before the
connection. The feature services (`bot.services`) are made once here, by the bot, and the cogs
share them: one `CardPoster` (one lock registry per post) whichever cog posted the card.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Config
from bot.core.members import GuildSettings
from bot.core.models import Deck
from bot.decks import load_decks
from bot.infra.clock import Clock
from bot.infra.health import write_heartbeat
from bot.infra.interactions import answer_privately
from bot.infra.ratelimit import (
    GLOBAL_LIMIT,
    GLOBAL_WINDOW_SECONDS,
    RollingWindowLimiter,
    pace_requests,
)
from bot.messages import errors
from bot.services.catalog import DeckCatalog
from bot.services.deck_imports import DeckImports
from bot.services.drops import DropRunner
from bot.services.posting import CardPoster
from bot.services.reminders import ReminderService
from bot.services.study import StudyService
from bot.startup import check_paths
from bot.storage.storage import Storage

log = logging.getLogger(__name__)

COGS = (
    "bot.cogs.decks",
    "bot.cogs.quiz",
    "bot.cogs.posted_cards",
    "bot.cogs.review",
    "bot.cogs.due",
    "bot.cogs.timezone",
    "bot.cogs.drops",
    "bot.cogs.reminders",
    "bot.cogs.cards",
)
HEARTBEAT_SECONDS = 30


@dataclass
class Services:
    """What the cogs work with. One instance per running bot, passed in, never global."""

    config: Config
    clock: Clock
    storage: Storage
    # The library: the decks folder's decks. What a guild sees is `Flashdrop.catalog`'s.
    decks: dict[str, Deck] = field(default_factory=dict)

    async def close(self) -> None:
        await self.storage.close()


async def open_services(config: Config, clock: Clock) -> Services:
    """Open the database and load the decks; bad decks are logged and left out.

    Raises ConfigError, before the database is opened, for a path the bot cannot use.
    """
    check_paths(config)  # and creates the database's folder
    defaults = GuildSettings(0, timezone=config.timezone, day_starts_at=config.day_starts_at)
    storage = await Storage.open(config.database_path, config.scheduling, defaults)
    services = Services(config=config, clock=clock, storage=storage)
    await reload_decks(services)
    return services


async def reload_decks(services: Services) -> None:
    """Load the deck folder and make the stored cards match it.

    Cards are retired when their deck file is gone. A folder that cannot be listed, or that
    holds no deck file at all, says nothing about any one deck (renamed, unmounted, a Docker
    bind mount of a folder that does not exist): then nothing changes, and the decks loaded
    before stay loaded.
    """
    directory = services.config.decks_dir
    result = await asyncio.to_thread(load_decks, directory)
    if any(Path(error.path) == directory for error in result.errors):
        log.error("decks not loaded: cannot read the folder %s (decks.dir)", directory)
        return
    if not result.decks and not result.errors:
        log.warning("decks: no deck files in %s (decks.dir); the stored cards are kept", directory)
        return
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


def guard_parsers(parsers: dict[str, Callable[[Any], None]]) -> None:
    """Make each gateway event parser drop (and log) an event it cannot parse.

    discord.py raises out of its connection loop when a parser meets an event it does not
    expect (a reaction without `me`, member roles sent as objects by a Discord-compatible
    server), and the whole process would exit. One malformed event is not worth that: it is
    logged with its type and dropped, and the events after it are handled as usual.
    `parsers` is the connection state's table, which the websocket reads on every event.
    """
    for event, parse in list(parsers.items()):
        parsers[event] = _dropping_malformed(event, parse)


def _dropping_malformed(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
    def parse_or_drop(data: Any) -> None:
        try:
            parse(data)
        except Exception as exc:
            log.error("dropped a malformed %s event (%s: %s)", event, type(exc).__name__, exc)

    return parse_or_drop


class Flashdrop(commands.Bot):
    # Seconds between retries of a failed slash-command sync (the last one repeats).
    SYNC_RETRY_SECONDS: tuple[float, ...] = (5.0, 15.0, 60.0, 300.0)

    def __init__(
        self,
        services: Services,
        *,
        global_limit: int | None = GLOBAL_LIMIT,
        **options: object,
    ) -> None:
        """``global_limit``: requests per second the bot allows itself (None: no pacing)."""
        # Flashdrop posts text and never joins voice: discord.py's warnings at construction
        # that the voice libraries (PyNaCl, davey) are missing would only puzzle its admins.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
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
        guard_parsers(self._connection.parsers)
        self.services = services
        # The feature services, one each, shared by every cog that needs them.
        self.catalog = DeckCatalog(services)
        self.posting = CardPoster(self, services, self.catalog)
        self.drops = DropRunner(self, services, self.posting, self.catalog)
        self.reminders = ReminderService(self, services)
        self.study = StudyService(services, self.catalog)
        self.deck_imports = DeckImports(services, self.catalog)
        self._heartbeat: asyncio.Task[None] | None = None
        self._sync_retry: asyncio.Task[None] | None = None

    @property
    def config(self) -> Config:
        return self.services.config

    async def setup_hook(self) -> None:
        self.tree.error(self.on_app_command_error)
        await self.catalog.load()
        for cog in COGS:
            await self.load_extension(cog)
        if not await self._sync_commands():
            self._sync_retry = asyncio.create_task(self._retry_sync(), name="command-sync")
        self._heartbeat = asyncio.create_task(self._beat(), name="heartbeat")

    async def _sync_commands(self) -> bool:
        """Register the slash commands with Discord; False (logged) if that failed.

        Drops, reveals and reaction ratings need no slash command, so a failed sync never
        stops the bot: it is retried in the background (`SYNC_RETRY_SECONDS`).
        """
        try:
            synced = await self.tree.sync()
        except Exception as exc:  # an HTTP error, or an answer discord.py cannot read
            log.error(
                "slash command sync failed (%s: %s); the bot runs on and retries",
                type(exc).__name__,
                exc,
            )
            return False
        log.info("synced %d slash commands", len(synced))
        return True

    async def _retry_sync(self) -> None:
        tries = 0
        while True:
            await asyncio.sleep(
                self.SYNC_RETRY_SECONDS[min(tries, len(self.SYNC_RETRY_SECONDS) - 1)]
            )
            tries += 1
            if await self._sync_commands():
                return

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info(
            "connected as %s (id %s) to %d guild(s)", self.user, self.user.id, len(self.guilds)
        )

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """The last word on a failed command: the member always gets an answer."""
        if isinstance(error, app_commands.NoPrivateMessage):
            await answer_privately(interaction, errors.SERVER_ONLY)
            return
        if isinstance(error, app_commands.CheckFailure):
            return  # the check has already told the member why
        command = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", error)
        if isinstance(original, discord.Forbidden):
            log.warning("/%s in channel %s: %s", command, interaction.channel_id, original.text)
            text = errors.DISCORD_REFUSED
        else:
            log.error("/%s failed", command, exc_info=original)
            text = errors.SOMETHING_WENT_WRONG
        await answer_privately(interaction, text)

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
        for task in (self._heartbeat, self._sync_retry):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await super().close()

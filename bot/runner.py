"""Starting and stopping the bot process: token, endpoints, signals, storage lifetime."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterable

import aiohttp
import discord
import yarl

from bot.config import Config, ConfigError, DiscordSettings, Redactor, read_token
from bot.infra.clock import Clock, SystemClock
from bot.startup import check_paths

log = logging.getLogger(__name__)


class RedactSecrets(logging.Filter):
    """Replaces secrets in every log record, whatever library formats it.

    The bot never logs its token on purpose; this guards against a library or an exception
    message doing so by accident.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._redact.finds(message):
            record.msg, record.args = self._redact(message), None
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and self._redact.finds(str(error)):
            record.exc_info = None
            record.exc_text = None
        return True


def install_redaction(secret: str) -> None:
    redact = RedactSecrets([secret])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)


def point_discord_at(settings: DiscordSettings) -> None:
    """Send REST and gateway traffic to a Discord-compatible server instead of discord.com."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
        log.info("Discord REST API: %s", settings.api_base)
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)
        log.info("Discord gateway: %s", settings.gateway_url)


def run_bot(config: Config, clock: Clock | None = None) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code."""
    token = read_token()
    install_redaction(token)
    check_paths(config)  # one line and exit 2 now, not a traceback or a bot without decks later
    if config.source is None:
        log.info("no config.yaml found: using built-in defaults (see config.example.yaml)")
    point_discord_at(config.discord)
    return asyncio.run(serve(config, token, clock or SystemClock()))


# Seconds between reconnects after the connection loop itself failed (the last one repeats).
RECONNECT_SECONDS = (1.0, 5.0, 15.0, 60.0)

# Failures that no reconnect mends: a wrong token, refused intents, a fatal close code.
FATAL = (discord.LoginFailure, discord.PrivilegedIntentsRequired, discord.ConnectionClosed)


async def keep_connected(
    bot: discord.Client, token: str, backoff: tuple[float, ...] = RECONNECT_SECONDS
) -> None:
    """Log in, then stay connected until the bot is closed.

    discord.py reconnects by itself after network errors; any other exception out of its
    connection loop (a bug, or an answer it cannot read) would end the process. Here it is
    logged with its type and the bot connects again after a pause, so one bad event never
    stops the drops of every guild.
    """
    await bot.login(token)
    failures = 0
    while not bot.is_closed():
        try:
            await bot.connect(reconnect=True)
        except FATAL:
            raise
        except Exception as exc:
            if bot.is_closed():
                return
            delay = backoff[min(failures, len(backoff) - 1)]
            failures += 1
            log.error(
                "the Discord connection failed (%s: %s); reconnecting in %.0f s",
                type(exc).__name__,
                exc,
                delay,
            )
            await asyncio.sleep(delay)


async def serve(config: Config, token: str, clock: Clock) -> int:
    from bot.app import Flashdrop, open_services
    from bot.storage import StorageError

    try:
        services = await open_services(config, clock)
    except StorageError as exc:  # e.g. a database written by a newer Flashdrop
        raise ConfigError(f"database.path: {exc}") from None
    bot = Flashdrop(services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(keep_connected(bot, token), name="discord")
    stopper = asyncio.create_task(stop.wait(), name="signals")
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done and runner.exception() is not None:
            raise runner.exception()  # type: ignore[misc]
        if stopper in done:
            log.info("shutting down")
        return 0
    except discord.LoginFailure:
        log.error("Discord rejected the bot token: check DISCORD_TOKEN / DISCORD_TOKEN_FILE")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error("Discord refused the requested intents (none of ours are privileged)")
        return 1
    except (aiohttp.ClientError, OSError, discord.HTTPException, discord.ConnectionClosed) as exc:
        # Unreachable or failing server (e.g. a wrong discord.api_base): one line, no traceback.
        where = config.discord.api_base or "discord.com"
        log.error("cannot connect to Discord at %s: %s", where, exc or type(exc).__name__)
        return 1
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        stopper.cancel()
        await bot.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await services.close()
        log.info("stopped cleanly")

"""Client-side wiring for the loopback Discord of ``tests/support/fakediscord``.

Points discord.py at a local server, runs a client against it until it is ready, closes it
cleanly, and records the events a client dispatches so a test can wait for them without
racing (past events count).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from discord.ext import commands

from tests.support.fakediscord import Channel, FakeDiscord, Guild, Member

__all__ = [
    "EventRecorder",
    "FastBot",
    "RunClient",
    "World",
    "bot_intents",
    "close_client",
    "connect_client",
    "discord_endpoints",
]


# ``await run_client(client, token=None)``: the conftest fixture that starts a client.
RunClient = Callable[..., Awaitable[discord.Client]]


@dataclass
class World:
    """The standard test world (the ``world`` fixture): one guild, one channel, two members."""

    server: FakeDiscord
    guild: Guild
    channel: Channel
    alice: Member
    bob: Member


@contextlib.contextmanager
def discord_endpoints(api_base: str, gateway_url: str) -> Iterator[None]:
    """Send every REST call (webhooks and interaction callbacks included) to ``api_base`` and
    open the gateway at ``gateway_url``; restore the previous endpoints on exit.

    These are class attributes, so they apply to every client in the process. A plain
    ``Client``/``Bot`` connects straight to ``DEFAULT_GATEWAY`` without asking ``/gateway/bot``.
    """
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def bot_intents(*, messages: bool = True) -> discord.Intents:
    """The non-privileged intents the tests run with: guilds and reactions, plus guild
    messages (needed to receive MESSAGE_CREATE at all, the bot's own messages included)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    intents.guild_messages = messages
    return intents


class FastBot(commands.Bot):
    """A Bot tuned for tests: no 5 s pause before re-identifying after an invalid session,
    a short guild-ready wait and no member chunking."""

    def __init__(self, **options: Any) -> None:
        # No text commands: a test message must never look like one. An empty prefix list
        # also keeps discord.py from warning about the missing message content intent.
        options.setdefault("command_prefix", [])
        options.setdefault("intents", bot_intents())
        # 0 would race on_ready against GUILD_CREATE; a few ms is plenty on loopback.
        options.setdefault("guild_ready_timeout", 0.05)
        options.setdefault("chunk_guilds_at_startup", False)
        options.setdefault("help_command", None)
        super().__init__(**options)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py sleeps 5 s here before every non-initial IDENTIFY.
        return None


async def connect_client(
    client: discord.Client,
    token: str,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole start-up, not one await
) -> asyncio.Task[None]:
    """Log in (LoginFailure surfaces here), connect, and wait until ``on_ready``.

    Returns the task running ``client.connect()``; pass it to :func:`close_client`.
    """
    await client.login(token)
    runner = asyncio.create_task(client.connect(), name=f"connect-{client.user}")
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait(
        {runner, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready in done:
        return runner
    ready.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ready
    if runner in done:
        runner.result()  # raises why the connection ended (e.g. PrivilegedIntentsRequired)
        raise RuntimeError("the client stopped before it was ready")
    runner.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await runner
    raise TimeoutError(f"client not ready within {timeout}s")


async def close_client(client: discord.Client, runner: asyncio.Task[None] | None) -> None:
    """Close the client and wait for its connection task, whatever state it is in."""
    await client.close()
    if runner is None:
        return
    try:
        await asyncio.wait_for(runner, timeout=5.0)
    except (asyncio.CancelledError, TimeoutError):
        runner.cancel()
    except Exception:
        pass  # how the connection ended is the test's business; teardown only cleans up


class EventRecorder:
    """Records the events a client dispatches (``ready``, ``raw_reaction_add``, ...).

    ``await recorder.wait_for("raw_reaction_add", check=...)`` returns the first matching
    event, including ones dispatched before the call, so triggering first and waiting after
    is race-free.
    """

    def __init__(self, *names: str) -> None:
        self.names = names
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        self._changed = asyncio.Event()

    def attach(self, client: discord.Client) -> EventRecorder:
        for name in self.names:
            self._listen(client, name)
        return self

    def _listen(self, client: discord.Client, name: str) -> None:
        async def record(*args: Any) -> None:
            self.events.append((name, args))
            self._changed.set()
            self._changed = asyncio.Event()

        if isinstance(client, commands.Bot):
            client.add_listener(record, f"on_{name}")
            return
        existing = getattr(client, f"on_{name}", None)

        async def chained(*args: Any) -> None:
            await record(*args)
            if existing is not None:
                await existing(*args)

        setattr(client, f"on_{name}", chained)

    def all(self, name: str) -> list[Any]:
        """Every recorded event of that name (a single argument is unwrapped)."""
        return [_unwrap(args) for event, args in self.events if event == name]

    async def wait_for(
        self,
        name: str,
        *,
        check: Callable[..., bool] | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors discord.Client.wait_for
    ) -> Any:
        """The ``count``-th recorded ``name`` event whose arguments pass ``check``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            hits = [
                args
                for event, args in self.events
                if event == name and (check is None or check(*args))
            ]
            if len(hits) >= count:
                return _unwrap(hits[count - 1])
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"{count} x {name!r} not dispatched within {timeout}s ({len(hits)} seen)"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)


def _unwrap(args: tuple[Any, ...]) -> Any:
    return args[0] if len(args) == 1 else args

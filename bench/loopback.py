"""The loopback Discord for benchmarks: world building, and a server in a process of its own.

`BenchDiscord` is the tests' FakeDiscord with one change: GUILD_CREATE carries every member of
the guild. Real Discord sends only the bot (and members in voice) to a bot without the
presences intent, as FakeDiscord does; sending all of them is the more demanding choice for
the memory benchmark, and the one a bot that one day asks for members would face.

`LoopbackProcess` runs a FakeDiscord in a child process (`python -m bench.loopback`) driven by
JSON lines on stdin/stdout, so that the server's own work (building and encoding events) does
not run on the CPU and event loop of the bot being measured, as with the real Discord.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from tests.support.fakediscord import FakeDiscord, GatewaySession, Guild, Intent, RateLimits

REPO = Path(__file__).resolve().parents[1]
RATING_EMOJI = [f"{n}\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}" for n in range(1, 6)]


class BenchDiscord(FakeDiscord):
    """FakeDiscord whose GUILD_CREATE lists every member, whatever the intents."""

    def _guild_create_payload(
        self, g: Guild, session: GatewaySession, *, joined: bool = False
    ) -> dict[str, Any]:
        data = super()._guild_create_payload(g, session, joined=joined)
        if not session.has(Intent.GUILD_PRESENCES):
            data["members"] = [m.payload() for m in g.members.values()]
        return data


def build_world(
    server: FakeDiscord, guilds: int, channels: int, members: int
) -> list[tuple[int, list[int], list[int]]]:
    """`guilds` guilds of `channels` text channels and `members` members (besides the owner
    and the bot). Returns (guild id, channel ids, member ids) per guild."""
    world = []
    for g in range(guilds):
        guild = server.add_guild(f"Study group {g}")
        channel_ids = [server.add_channel(guild, f"cards-{c}").id for c in range(channels)]
        member_ids = [server.add_member(guild, f"member-{g}-{m}").id for m in range(members)]
        world.append((guild.id, channel_ids, member_ids))
    return world


# --- the child process -------------------------------------------------------------------------


class _Child:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server

    def handle(self, command: dict[str, Any]) -> dict[str, Any]:
        op = command["op"]
        if op == "world":
            return self._world(command)
        if op == "react":
            return self._react(command)
        raise ValueError(f"unknown op {op!r}")

    def _world(self, command: dict[str, Any]) -> dict[str, Any]:
        """One guild, one channel, `members` members and `posts` messages by the bot."""
        ((guild_id, (channel_id,), member_ids),) = build_world(
            self.server, 1, 1, int(command["members"])
        )
        posts = [
            self.server.send_as(self.server.bot, channel_id, f"card {i}").id
            for i in range(int(command["posts"]))
        ]
        return {
            "guild_id": guild_id,
            "channel_id": channel_id,
            "members": member_ids,
            "posts": posts,
        }

    def _react(self, command: dict[str, Any]) -> dict[str, Any]:
        """Every member reacts 1-5 on every post, post by post; all queued at once."""
        rng = random.Random(command.get("seed", 0))
        count = 0
        for post in command["posts"]:
            for member in command["members"]:
                self.server.react(member, post, rng.choice(RATING_EMOJI))
                count += 1
        return {"queued": count}


async def _serve(rate_limits: bool) -> None:
    server = FakeDiscord(rate_limits=RateLimits() if rate_limits else None)
    await server.start()
    child = _Child(server)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def reply(data: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(data) + "\n")
        sys.stdout.flush()

    reply({"api_base": server.api_base, "gateway_url": server.gateway_url, "token": server.token})
    try:
        while line := await reader.readline():
            command = json.loads(line)
            if command["op"] == "stop":
                break
            try:
                reply(child.handle(command))
            except Exception as exc:  # reported to the parent, which raises it
                reply({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        await server.stop()


class LoopbackProcess:
    """A FakeDiscord in a child process; `await call(op, ...)` runs one command there."""

    def __init__(self, *, rate_limits: bool = False) -> None:
        self.rate_limits = rate_limits
        self.proc: asyncio.subprocess.Process | None = None
        self.api_base = self.gateway_url = self.token = ""

    async def __aenter__(self) -> LoopbackProcess:
        args = [sys.executable, "-m", "bench.loopback"]
        if self.rate_limits:
            args.append("--rate-limits")
        self.proc = await asyncio.create_subprocess_exec(
            *args,
            cwd=REPO,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        hello = await self._read(timeout=30)
        self.api_base, self.gateway_url, self.token = (
            hello["api_base"],
            hello["gateway_url"],
            hello["token"],
        )
        return self

    async def call(self, op: str, timeout: float = 120, **fields: Any) -> dict[str, Any]:  # noqa: ASYNC109
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write((json.dumps({"op": op, **fields}) + "\n").encode())
        await self.proc.stdin.drain()
        answer = await self._read(timeout)
        if "error" in answer:
            raise RuntimeError(f"loopback server: {answer['error']}")
        return answer

    async def _read(self, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        assert self.proc is not None and self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            raise RuntimeError("the loopback server process exited")
        return dict(json.loads(line))

    async def __aexit__(self, *exc: object) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.returncode is None and proc.stdin is not None:
            with contextlib.suppress(ConnectionError):
                proc.stdin.write(b'{"op": "stop"}\n')
                await proc.stdin.drain()
                proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


class InProcessLoopback:
    """The same commands as LoopbackProcess, served by a FakeDiscord in this event loop."""

    def __init__(self) -> None:
        self.server = FakeDiscord()
        self.child = _Child(self.server)
        self.api_base = self.gateway_url = self.token = ""

    async def __aenter__(self) -> InProcessLoopback:
        await self.server.start()
        self.api_base, self.gateway_url = self.server.api_base, self.server.gateway_url
        self.token = self.server.token
        return self

    async def call(self, op: str, timeout: float = 120, **fields: Any) -> dict[str, Any]:  # noqa: ASYNC109
        return self.child.handle({"op": op, **fields})

    async def __aexit__(self, *exc: object) -> None:
        await self.server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="a loopback Discord driven over stdin/stdout")
    parser.add_argument("--rate-limits", action="store_true", help="enforce Discord's limits")
    asyncio.run(_serve(parser.parse_args().rate_limits))


if __name__ == "__main__":
    main()

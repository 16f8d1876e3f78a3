"""`python -m bot ...` as a real process of its own, against the loopback Discord.

Shared by the process tests (tests/e2e/test_process.py) and the reliability tests that kill,
restart and starve the bot (tests/reliability). The bot's output is collected as it comes and
every chunk wakes the waiters, so a test waits on a log line without polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.fakediscord import FakeDiscord

REPO = Path(__file__).resolve().parents[2]
SYNC = "PUT /applications/{application_id}/commands"
# Generous: a cold interpreter imports discord.py before it connects.
STARTUP_TIMEOUT = 30.0
EXIT_TIMEOUT = 10.0


@dataclass
class BotProcess:
    """A running `python -m bot ...`; its stdout and stderr are collected as they come."""

    process: asyncio.subprocess.Process
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    readers: list[asyncio.Task[None]] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def output(self) -> str:
        return (self.stdout + self.stderr).decode("utf-8", "replace")

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, timeout: float = EXIT_TIMEOUT) -> int:  # noqa: ASYNC109 - a deadline
        """Wait for the exit code; the pipes are drained by then."""
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.gather(*self.readers)
        return code

    def kill(self) -> None:
        """SIGKILL: no handler runs, no transaction is finished, nothing is flushed."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    async def wait_for_output(
        self,
        condition: Callable[[str], bool],
        what: str,
        timeout: float = STARTUP_TIMEOUT,  # noqa: ASYNC109 - a deadline
    ) -> str:
        """Wait until the output so far satisfies ``condition``; fail if the process exits."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            text = self.output
            if condition(text):
                return text
            if self.process.returncode is not None and all(r.done() for r in self.readers):
                raise AssertionError(
                    f"the bot exited ({self.process.returncode}) before {what}:\n{text[-4000:]}"
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out waiting for {what}:\n{text[-4000:]}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.5))

    async def wait_for_line(
        self,
        text: str,
        count: int = 1,
        timeout: float = STARTUP_TIMEOUT,  # noqa: ASYNC109 - a deadline
    ) -> str:
        """Wait until ``text`` has appeared in ``count`` log lines; returns the last such line."""
        await self.wait_for_output(
            lambda out: out.count(text) >= count, f"{count} x {text!r}", timeout
        )
        return [line for line in self.output.splitlines() if text in line][count - 1]


async def _drain(stream: asyncio.StreamReader | None, into: bytearray, owner: BotProcess) -> None:
    # Read continuously: a full pipe would block the bot.
    assert stream is not None
    while chunk := await stream.read(65536):
        into.extend(chunk)
        owner.notify()
    owner.notify()


async def spawn(cwd: Path, env: Mapping[str, str], *args: str) -> BotProcess:
    """Start `python -m bot <args>` in ``cwd`` with exactly ``env``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=dict(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    running = BotProcess(process)
    running.readers = [
        asyncio.create_task(_drain(process.stdout, running.stdout, running)),
        asyncio.create_task(_drain(process.stderr, running.stderr, running)),
    ]
    return running


def new_token() -> str:
    """A token unlike anything else in the output: finding it anywhere is a leak."""
    return f"tok-{secrets.token_urlsafe(32)}"


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def token_server() -> AsyncIterator[FakeDiscord]:
    """A loopback Discord with a fresh `new_token()`, one guild, #flashcards and alice."""
    server = FakeDiscord(token=new_token())
    await server.start()
    guild = server.add_guild("Study group")
    server.add_channel(guild, "flashcards")
    server.add_member(guild, "alice")
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    """Every bot process a test appends here is killed at teardown if it still runs."""
    started: list[BotProcess] = []
    try:
        yield started
    finally:
        for running in started:
            if running.running:
                running.kill()
                await running.process.wait()
            for reader in running.readers:
                reader.cancel()

"""Starting `python -m bot run` (and the bare-client baseline) as real processes.

"Ready" is when the bot's heartbeat file appears: the bot writes it on its first on_ready, i.e.
once it is logged in, has synced its slash commands, is connected to the gateway and has
received every guild (discord.py then waits `guild_ready_timeout` after the last GUILD_CREATE
before on_ready: the bot sets 1 s, `bot.app.GUILD_READY_TIMEOUT`, and the baseline the same).
It is what the Docker HEALTHCHECK waits for. The bare client writes its ready file at the same
moment of its own start-up. RSS comes from /proc/<pid>/status (VmRSS; VmHWM is the peak).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.app import COGS, GUILD_READY_TIMEOUT
from tests.support.fakediscord import FakeDiscord

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Started:
    proc: asyncio.subprocess.Process
    started: float  # time.monotonic() just before the process was spawned
    ready_file: Path
    log: Path


def _env(server: FakeDiscord) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env.update(
        DISCORD_TOKEN=server.token,
        DISCORD_API_BASE=server.api_base,
        DISCORD_GATEWAY_URL=server.gateway_url,
    )
    return env


def warm_up() -> None:
    """Import what both processes import once, unmeasured: bytecode compiled, files cached."""
    imports = "import discord, bot.runner, bot.app, bench.bare_client, "
    imports += ", ".join(COGS)
    subprocess.run([sys.executable, "-c", imports], cwd=REPO, check=True, timeout=120)


def write_config(home: Path, decks: Path) -> tuple[Path, Path]:
    """A config.yaml in `home` (database in home/data); returns it and the heartbeat path.

    INFO logging: the bot then says how many guilds it is connected to (checked)."""
    home.mkdir(parents=True, exist_ok=True)
    database = home / "data" / "flashdrop.sqlite3"
    config = home / "config.yaml"
    config.write_text(
        f"database:\n  path: {database}\ndecks:\n  dir: {decks}\nlog_level: INFO\n",
        encoding="utf-8",
    )
    heartbeat = database.with_name(database.name + ".heartbeat")
    heartbeat.unlink(missing_ok=True)
    return config, heartbeat


def _fresh_file(home: Path, name: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / name
    path.unlink(missing_ok=True)
    return path


async def start_bot(home: Path, server: FakeDiscord, decks: Path) -> Started:
    """`python -m bot run --config home/config.yaml`, its database in home/data."""
    config, heartbeat = write_config(home, decks)
    args = [sys.executable, "-m", "bot", "run", "--config", str(config)]
    return await _spawn(args, home, _env(server), heartbeat, home / "bot.log")


async def start_bare_client(home: Path, server: FakeDiscord) -> Started:
    ready = _fresh_file(home, "bare.ready")
    env = _env(server)
    env["PYTHONPATH"] = str(REPO)
    args = [sys.executable, "-m", "bench.bare_client", "--ready-file", str(ready)]
    args += ["--guild-ready-timeout", str(GUILD_READY_TIMEOUT)]  # as the bot waits
    return await _spawn(args, home, env, ready, home / "bare.log")


async def _spawn(
    args: list[str], cwd: Path, env: dict[str, str], ready: Path, log: Path
) -> Started:
    with log.open("ab") as stderr:
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            *args,
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    return Started(proc, started, ready, log)


def connected_guilds(started: Started) -> int | None:
    """How many guilds the process said it was connected to once ready (None: not said)."""
    if started.ready_file.name.endswith(".ready"):
        return int(started.ready_file.read_text(encoding="utf-8"))
    found = re.findall(r"connected as .* to (\d+) guild", started.log.read_text(errors="replace"))
    return int(found[-1]) if found else None


async def wait_ready(started: Started, timeout: float = 60) -> float:  # noqa: ASYNC109
    """Seconds from spawn until the ready file appeared (polled every 2 ms)."""
    deadline = started.started + timeout
    while not started.ready_file.exists():
        if started.proc.returncode is not None:
            tail = started.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"process exited with {started.proc.returncode}:\n{tail}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready within {timeout} s (log: {started.log})")
        await asyncio.sleep(0.002)
    return time.monotonic() - started.started


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(rest.split()[0])
    return fields


async def stop(started: Started, timeout: float = 10) -> None:  # noqa: ASYNC109
    """SIGTERM (the bot shuts down cleanly on it), then SIGKILL after `timeout`."""
    proc = started.proc
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()

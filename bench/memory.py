"""4. Memory: resident set size of `python -m bot run` connected to 1,000 guilds.

Each guild has 10 text channels and 100 members (plus its owner and the bot). The loopback
Discord (in this process) sends every member in GUILD_CREATE, although Discord sends only the
bot's own member to a bot without the presences intent: the more demanding choice (see
`bench.loopback.BenchDiscord`). The bot runs as its own process with a config.yaml in a temp
dir, the shipped decks and a fresh database. RSS (VmRSS) is sampled every 100 ms for 2 s after
ready (its heartbeat file) and the largest sample is the figure; VmHWM, the peak during start-up,
is reported too.

Baseline, same run, same server and guilds: a bare discord.py client process with the same
intents and caches (`bench.bare_client`): what discord.py and Python need for those guilds.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.inproc import SHIPPED_DECKS
from bench.loopback import BenchDiscord, build_world
from bench.procs import (
    Started,
    connected_guilds,
    memory_kib,
    start_bare_client,
    start_bot,
    stop,
    wait_ready,
    warm_up,
)
from bench.report import Figure, at_most, figure

NAME = "memory"
GUILDS, CHANNELS, MEMBERS = 1000, 10, 100


async def run(quick: bool) -> list[Figure]:
    warm_up()
    server = BenchDiscord()
    await server.start()
    try:
        began = time.perf_counter()
        build_world(server, GUILDS, CHANNELS, MEMBERS)
        world_s = time.perf_counter() - began
        with tempfile.TemporaryDirectory(prefix="flashdrop-bench-") as tmp:
            bare = await _measure(await start_bare_client(Path(tmp) / "bare", server))
            bot = await _measure(await start_bot(Path(tmp) / "bot", server, SHIPPED_DECKS))
    finally:
        await server.stop()
    return [
        figure(
            NAME,
            bot["rss"] / 1024,
            "MB",
            baseline=bare["rss"] / 1024,
            target=[at_most(120, "MB")],
            digits=1,
            guilds=GUILDS,
            channels_per_guild=CHANNELS,
            members_per_guild=MEMBERS,
            members_in_guild_create=True,
            peak_mb=round(bot["hwm"] / 1024, 1),
            baseline_peak_mb=round(bare["hwm"] / 1024, 1),
            ready_s=round(bot["ready"], 2),
            baseline_ready_s=round(bare["ready"], 2),
            world_build_s=round(world_s, 1),
        )
    ]


async def _measure(started: Started) -> dict[str, float]:
    try:
        ready = await wait_ready(started, timeout=120)
        rss = 0
        for _ in range(20):
            await asyncio.sleep(0.1)
            rss = max(rss, memory_kib(started.proc.pid)["VmRSS"])
        hwm = memory_kib(started.proc.pid)["VmHWM"]
        guilds = connected_guilds(started)
        if guilds != GUILDS:
            raise RuntimeError(f"ready with {guilds} guild(s), expected {GUILDS}")
    finally:
        await stop(started)
    return {"ready": ready, "rss": rss, "hwm": hwm}

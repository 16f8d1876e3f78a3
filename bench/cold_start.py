"""5. Cold start: from spawning `python -m bot run` to ready, with 10k cards in its decks.

Ready = the bot's heartbeat file appears (see `bench.procs`): logged in, slash commands
synced, connected, every guild received, discord.py's `guild_ready_timeout` (the bot sets 1 s)
elapsed. The decks are 10 generated files of 1,000 cards (question, multi-line answer, some
hints and tags), cached in the system temp dir. The world is small (10 guilds x 5 channels x
20 members): guild count is the memory benchmark's business.

The figure is a restart: the database already holds the 10k cards, as on every start but the
first. The very first start (empty database: migrations and inserting every card) is reported
as `first_start_s`; `to_command_sync_s` is when the server saw the slash-command sync, i.e.
when the bot's own start-up work (imports, config, decks, database, login) was done and only
the gateway connection remained.

Baseline, same run and server: the bare discord.py client process (`bench.bare_client`), i.e.
Python start-up, importing discord.py, login, gateway and the same guild_ready_timeout.
"""

from __future__ import annotations

import random
import statistics
import tempfile
from pathlib import Path

from bench.dbgen import CACHE_DIR
from bench.loopback import BenchDiscord, build_world
from bench.procs import (
    Started,
    connected_guilds,
    start_bare_client,
    start_bot,
    stop,
    wait_ready,
    warm_up,
)
from bench.report import Figure, at_most, figure
from tests.support.fakediscord import FakeDiscord

NAME = "cold_start"
DECK_FILES, CARDS_PER_DECK = 10, 1000
GUILDS, CHANNELS, MEMBERS = 10, 5, 20
SYNC_ROUTE = "PUT /applications/{application_id}/commands"
_WORDS = [
    "gradient",
    "descent",
    "layer",
    "network",
    "vector",
    "matrix",
    "tensor",
    "loss",
    "function",
    "weight",
    "bias",
    "neuron",
    "activation",
    "softmax",
    "kernel",
    "convolution",
    "pooling",
    "dropout",
    "batch",
    "epoch",
    "learning",
    "rate",
    "momentum",
    "optimizer",
    "transformer",
    "attention",
    "embedding",
    "token",
    "sequence",
    "recurrent",
    "memory",
    "cell",
    "gate",
    "residual",
    "normalisation",
    "regularisation",
    "overfitting",
    "validation",
    "test",
    "training",
    "inference",
]


def generated_decks(cache_dir: Path = CACHE_DIR) -> Path:
    """10 deck files of 1,000 cards each, written once and reused."""
    folder = cache_dir / f"decks-{DECK_FILES}x{CARDS_PER_DECK}-v1"
    if folder.exists():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    rng = random.Random(10_000)
    for d in range(DECK_FILES):
        lines = [
            f"name: Generated deck {d}",
            "description: Cards for the cold-start benchmark.",
            "tags: [bench]",
            "cards:",
        ]
        for c in range(CARDS_PER_DECK):
            lines += [
                f"- id: g{d:02d}-{c:04d}",
                f"  question: What is {_phrase(rng, 8, 14)}?",
                "  answer: |-",
                f"    {_phrase(rng, 12, 24).capitalize()}.",
                f"    {_phrase(rng, 8, 20).capitalize()}.",
            ]
            if c % 3 == 0:
                lines.append(f"  hint: {_phrase(rng, 2, 5)}")
            if c % 4 == 0:
                lines.append(f"  tags: [{rng.choice(_WORDS)}, {rng.choice(_WORDS)}]")
        (partial / f"generated-{d:02d}.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    partial.rename(folder)
    return folder


def _phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high)))


async def run(quick: bool) -> list[Figure]:
    decks = generated_decks()
    restarts, bare_runs = (1, 1) if quick else (5, 5)
    warm_up()
    server = BenchDiscord()
    await server.start()
    try:
        build_world(server, GUILDS, CHANNELS, MEMBERS)
        with tempfile.TemporaryDirectory(prefix="flashdrop-bench-") as tmp:
            home = Path(tmp) / "bot"
            first, first_sync = await _start(server, await start_bot(home, server, decks))
            runs = [
                await _start(server, await start_bot(home, server, decks)) for _ in range(restarts)
            ]
            bare = [
                (await _start(server, await start_bare_client(Path(tmp) / "bare", server)))[0]
                for _ in range(bare_runs)
            ]
    finally:
        await server.stop()
    return [
        figure(
            NAME,
            statistics.median(ready for ready, _ in runs),
            "s",
            baseline=statistics.median(bare),
            target=[at_most(3, "s")],
            digits=2,
            cards=DECK_FILES * CARDS_PER_DECK,
            first_start_s=round(first, 2),
            to_command_sync_s=round(statistics.median(sync for _, sync in runs), 2),
            first_start_to_command_sync_s=round(first_sync, 2),
            runs=[round(ready, 2) for ready, _ in runs],
            baseline_runs=[round(b, 2) for b in bare],
            guilds=GUILDS,
        )
    ]


async def _start(server: FakeDiscord, started: Started) -> tuple[float, float]:
    """(seconds to ready, seconds to the command sync request; nan for the bare client)."""
    try:
        ready = await wait_ready(started, timeout=60)
    finally:
        await stop(started)
    guilds = connected_guilds(started)
    if guilds != GUILDS:
        raise RuntimeError(f"ready with {guilds} guild(s), expected {GUILDS}")
    syncs = [r.time for r in server.requests_to(SYNC_ROUTE) if r.time >= started.started]
    return ready, (min(syncs) - started.started) if syncs else float("nan")

"""The baseline process for memory and cold start: a bare discord.py client, nothing else.

Same intents, caches and options as Flashdrop (guilds + guild reactions; no member cache, no
message cache, no chunking, the same `guild_ready_timeout` given by `--guild-ready-timeout`), no
database, decks or cogs. Reads DISCORD_TOKEN,
DISCORD_API_BASE and DISCORD_GATEWAY_URL like `python -m bot run`, and writes `--ready-file`
on on_ready, as the bot's heartbeat file is written on its first on_ready.

Run: python -m bench.bare_client --ready-file PATH [--guild-ready-timeout SECONDS]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import discord
import yarl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--guild-ready-timeout", type=float, default=2.0)
    args = parser.parse_args()
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    client = discord.Client(
        intents=intents,
        chunk_guilds_at_startup=False,
        member_cache_flags=discord.MemberCacheFlags.none(),
        max_messages=None,
        guild_ready_timeout=args.guild_ready_timeout,
    )

    @client.event
    async def on_ready() -> None:
        # Written whole, then renamed: the harness polls for the file and reads it at once.
        partial = args.ready_file.with_name(args.ready_file.name + ".tmp")
        partial.write_text(str(len(client.guilds)), encoding="utf-8")
        partial.replace(args.ready_file)

    client.run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    main()

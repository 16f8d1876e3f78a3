"""The baseline process for memory and cold start: a bare discord.py client, nothing else.

Same intents, caches and options as Flashdrop (guilds + guild reactions; no member cache, no
message cache, no chunking), no database, decks or cogs. Reads DISCORD_TOKEN,
DISCORD_API_BASE and DISCORD_GATEWAY_URL like `python -m bot run`, and writes `--ready-file`
on on_ready, as the bot's heartbeat file is written on its first on_ready.

Run: python -m bench.bare_client --ready-file PATH
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
    )

    @client.event
    async def on_ready() -> None:
        args.ready_file.write_text(str(len(client.guilds)), encoding="utf-8")

    client.run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    main()

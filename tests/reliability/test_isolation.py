"""Isolation: what members do in one guild never shows up or changes anything in another.

Decks are files shared by every guild, so the same card exists everywhere; what must stay
apart is everything about people: ratings, schedules (/due, /review queues), reminders, drops
(listing, removing, pausing, posting) and admin rights. Carol is a member of both guilds, the
case where a mix-up would show. Whether /drop is refused to members without rights at all is
covered by tests/e2e/test_drops.py; here it is a right in one guild used in the other.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.models import CardRef, Rating
from tests.storage.helpers import card_state, effective_ratings
from tests.support.bot_fixture import EYES, RATE, START, Flashdrops, RunningBot
from tests.support.fakediscord import Channel, FakeDiscord, Guild, InteractionRecord, Member, Perm
from tests.support.harness import World
from tests.support.process import REPO

DENMARK = CardRef("capitals", "dk")
TOMORROW = START + timedelta(days=1)
DROP_AT = "12:01"  # START is 12:00 UTC


@dataclass
class Guilds:
    """Guild A (the e2e world's) and guild B; carol is in both."""

    server: FakeDiscord
    a: Guild
    b: Guild
    channel_a: Channel
    channel_b: Channel
    carol: Member  # carol as a member of A (the same user as carol_b)
    carol_b: Member
    dave: Member  # in B only
    admin_a: Member  # Manage Server in A, a plain member of B
    admin_a_in_b: Member
    admin_b: Member  # Manage Server in B


@pytest.fixture
def guilds(world: World) -> Guilds:
    server = world.server
    b = server.add_guild("Other study group")
    channel_b = server.add_channel(b, "flashcards")
    carol = server.add_member(world.guild, "carol")
    admin_a = server.add_member(
        world.guild, "admin-a", roles=[server.add_role(world.guild, "Mods", int(Perm.MANAGE_GUILD))]
    )
    return Guilds(
        server=server,
        a=world.guild,
        b=b,
        channel_a=world.channel,
        channel_b=channel_b,
        carol=carol,
        carol_b=server.add_member(b, user=carol.user),
        dave=server.add_member(b, "dave"),
        admin_a=admin_a,
        admin_a_in_b=server.add_member(b, user=admin_a.user),
        admin_b=server.add_member(
            b, "admin-b", roles=[server.add_role(b, "Mods", int(Perm.MANAGE_GUILD))]
        ),
    )


async def run(
    bot: RunningBot, member: Member, channel: Channel, name: str, options: dict[str, Any] | None
) -> InteractionRecord:
    """``member`` runs a slash command in ``channel``; returns once the bot is done with it."""
    record = bot.server.invoke_command(member, channel, name, options)
    await record
    await bot.settle()
    return record


def reply(record: InteractionRecord) -> str:
    assert record.callback is not None and record.ephemeral
    return " ".join([record.callback.content or "", *(m.content for m in record.followups)])


async def quiz_and_rate(
    bot: RunningBot, channel: Channel, member: Member, rating: int, deck: str = "capitals"
) -> int:
    """``member`` posts a card with /quiz in ``channel``, reveals it and rates it; returns the
    post's message id."""
    server = bot.server
    before = {m.id for m in server.channel_messages(channel)}
    record = await run(bot, member, channel, "quiz", {"deck": deck})
    await record.followup(1)
    [card] = [
        m
        for m in server.channel_messages(channel)
        if m.id not in before and m.author_id == server.bot.id
    ]
    await bot.react(member, card, EYES)
    await bot.react(member, card, RATE[rating])
    return card.id


async def test_isolation_rating_in_one_guild_schedules_nothing_in_the_other(
    guilds: Guilds, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    g, storage = guilds, bot.storage
    post_a = await quiz_and_rate(bot, g.channel_a, g.carol, 1)  # carol: due tomorrow in A
    post_b = await quiz_and_rate(bot, g.channel_b, g.dave, 5)

    assert await effective_ratings(storage, post_a) == {g.carol.id: Rating.NOT_AT_ALL}
    assert await effective_ratings(storage, post_b) == {g.dave.id: Rating.PERFECTLY}
    in_a = await card_state(storage, g.a.id, g.carol.id, DENMARK)
    assert in_a is not None and in_a.due == TOMORROW.date()
    assert await card_state(storage, g.b.id, g.carol.id, DENMARK) is None
    assert await card_state(storage, g.a.id, g.dave.id, DENMARK) is None
    group_b = await storage.schedule.group_snapshot(g.b.id, g.channel_b.id, ["capitals"], START)
    assert group_b.active_members == {g.dave.id}
    assert {s.user_id for s in group_b.states} == {g.dave.id}

    flashdrop.clock.set(TOMORROW)
    assert reply(await run(bot, g.carol, g.channel_a, "due", None)).startswith(
        "You have **1** card(s) due today."
    )
    assert reply(await run(bot, g.carol_b, g.channel_b, "due", None)).startswith(
        "Nothing is due today."
    )
    # In B the card is new to carol: her session starts it from scratch, A's stays as it was.
    session = (await run(bot, g.carol_b, g.channel_b, "review", {"deck": "capitals"})).original
    assert session is not None and session.embed is not None
    assert "Denmark" in session.embed["description"]
    for action in ("show", "rate:4"):
        [custom_id] = [c for c in session.custom_ids() if c.endswith(f":{action}")]
        await g.server.press_button(g.carol_b, session, custom_id)
        await bot.settle()
    in_b = await card_state(storage, g.b.id, g.carol.id, DENMARK)
    assert in_b is not None and in_b.reps == 1 and in_b.introduced_on == TOMORROW.date()
    assert await card_state(storage, g.a.id, g.carol.id, DENMARK) == in_a
    assert reply(await run(bot, g.carol, g.channel_a, "due", None)).startswith(
        "You have **1** card(s) due today."
    )


async def test_isolation_review_queue_holds_only_the_guilds_due_cards(
    guilds: Guilds, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start(scheduling={"new_cards_per_day": 0})
    g = guilds
    await quiz_and_rate(bot, g.channel_a, g.carol, 1)
    flashdrop.clock.set(TOMORROW)

    in_a = await run(bot, g.carol, g.channel_a, "review", None)
    in_b = await run(bot, g.carol_b, g.channel_b, "review", None)

    assert in_a.original is not None and in_a.original.embed is not None
    assert "Denmark" in in_a.original.embed["description"]
    assert reply(in_b).startswith("Nothing to review right now")


async def test_isolation_timezone_is_set_per_guild(guilds: Guilds, flashdrop: Flashdrops) -> None:
    bot = await flashdrop.start()
    g = guilds

    await run(bot, g.carol, g.channel_a, "timezone", {"zone": "Asia/Tokyo"})

    assert (await bot.storage.members.member_settings(g.a.id, g.carol.id)).timezone == "Asia/Tokyo"
    assert (await bot.storage.members.member_settings(g.b.id, g.carol.id)).timezone is None


async def test_isolation_reminders_count_only_their_guilds_due_cards(
    guilds: Guilds, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    g = guilds
    await quiz_and_rate(bot, g.channel_a, g.carol, 1)  # due tomorrow in A, nothing in B
    for member, channel in (
        (g.carol, g.channel_a),
        (g.carol_b, g.channel_b),
        (g.dave, g.channel_b),
    ):
        await run(bot, member, channel, "remind", {"switch": "on", "time": "12:30"})
    at = TOMORROW + timedelta(minutes=30)
    flashdrop.clock.set(at)

    assert await bot.bot.reminders.send_due(at) == 1

    [dm] = g.server.channel_messages(g.server.dm_channel(g.carol))
    assert "**1** card(s) due" in dm.content
    assert g.server.channel_messages(g.server.dm_channel(g.dave)) == []


async def add_drop(bot: RunningBot, admin: Member, channel: Channel) -> str:
    options = {"channel": channel.id, "deck": "python", "time": DROP_AT, "timezone": "UTC"}
    return reply(await run(bot, admin, channel, "drop add", options))


async def test_isolation_drop_list_shows_only_the_guilds_drops(
    guilds: Guilds, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    g = guilds
    assert "Drop **#1** scheduled" in await add_drop(bot, g.admin_a, g.channel_a)

    assert reply(await run(bot, g.admin_b, g.channel_b, "drop list", {})).startswith("No drops yet")
    assert "Drop **#2** scheduled" in await add_drop(bot, g.admin_b, g.channel_b)
    listed_a = reply(await run(bot, g.admin_a, g.channel_a, "drop list", {}))
    listed_b = reply(await run(bot, g.admin_b, g.channel_b, "drop list", {}))
    assert "**#1**" in listed_a and "**#2**" not in listed_a
    assert "**#2**" in listed_b and "**#1**" not in listed_b


@pytest.mark.parametrize("command", ["drop remove", "drop pause", "drop resume", "drop now"])
async def test_isolation_drop_of_another_guild_is_no_drop_here(
    guilds: Guilds, flashdrop: Flashdrops, command: str
) -> None:
    bot = await flashdrop.start()
    g = guilds
    await add_drop(bot, g.admin_a, g.channel_a)
    if command == "drop resume":
        await run(bot, g.admin_a, g.channel_a, "drop pause", {"drop": 1})
    before = await bot.storage.drops.drops()

    refused = reply(await run(bot, g.admin_b, g.channel_b, command, {"drop": 1}))

    assert refused == "There is no drop #1 on this server: see `/drop list`."
    assert await bot.storage.drops.drops() == before
    posted = [m for m in g.server.messages.values() if m.author_id == g.server.bot.id]
    assert [m for m in posted if not m.ephemeral] == []


async def test_isolation_drops_post_only_in_their_own_guild(
    guilds: Guilds, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    g = guilds
    await add_drop(bot, g.admin_a, g.channel_a)
    await run(bot, g.admin_b, g.channel_b, "drop pause", {"drop": 1})  # refused in B
    at = START + timedelta(minutes=1)
    flashdrop.clock.set(at)

    report = await bot.bot.drops.tick(at)
    await bot.settle()

    assert report.posted == 1
    assert len(g.server.channel_messages(g.channel_a)) == 4  # heading and 3 cards
    assert g.server.channel_messages(g.channel_b) == []


async def test_isolation_manage_server_in_one_guild_is_no_right_in_another(
    guilds: Guilds, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    g = guilds

    refused = await add_drop(bot, g.admin_a_in_b, g.channel_b)
    listed = reply(await run(bot, g.admin_a_in_b, g.channel_b, "drop list", {}))

    assert refused.startswith("Only members with the Manage Server permission")
    assert listed.startswith("Only members with the Manage Server permission")
    assert await bot.storage.drops.drops() == []


async def export(tmp_path: Path, what: str, guild: int) -> list[dict[str, str]]:
    """`python -m bot export-<what> --guild <guild>` on the bot's database, parsed."""
    (tmp_path / "config.yaml").write_text("database:\n  path: data/flashdrop.sqlite3\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        f"export-{what}",
        "--guild",
        str(guild),
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30.0)
    assert process.returncode == 0, err.decode()
    return list(csv.DictReader(io.StringIO(out.decode())))


async def test_isolation_exports_for_a_guild_hold_only_its_rows(
    guilds: Guilds, flashdrop: Flashdrops, tmp_path: Path
) -> None:
    bot = await flashdrop.start()
    g = guilds
    await quiz_and_rate(bot, g.channel_a, g.carol, 1)
    await quiz_and_rate(bot, g.channel_b, g.carol_b, 4)
    await quiz_and_rate(bot, g.channel_b, g.dave, 5, deck="python")

    ratings_a = await export(tmp_path, "ratings", g.a.id)
    ratings_b = await export(tmp_path, "ratings", g.b.id)
    schedule_a = await export(tmp_path, "schedule", g.a.id)

    assert [(r["guild_id"], r["user_id"], r["confidence"]) for r in ratings_a] == [
        (str(g.a.id), str(g.carol.id), "1")
    ]
    assert sorted((r["guild_id"], r["user_id"], r["confidence"]) for r in ratings_b) == sorted(
        [(str(g.b.id), str(g.carol.id), "4"), (str(g.b.id), str(g.dave.id), "5")]
    )
    assert [(r["guild_id"], r["user_id"], r["card_id"]) for r in schedule_a] == [
        (str(g.a.id), str(g.carol.id), "dk")
    ]

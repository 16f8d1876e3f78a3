"""Crash: the bot process is SIGKILLed in the middle of a 10,000-rating burst.

The bot runs as `python -m bot run` against the loopback Discord of the test process. Its
posts are made the way members make them: /quiz in the channel, then 👀 to reveal (the bot
edits the post and adds 1️⃣-5️⃣). Then 1,000 members each rate every one of the 10 posts:
the first 6,000 ratings are dispatched over the gateway at once, as fast as the server writes
them. Once 1,000 are committed (the rest queued or in flight) the process gets SIGKILL; the
other 4,000 ratings are made while it is down (state only, no gateway, as on Discord while a
bot is offline). The restarted process is killed again while it catches up from
Discord's reactions, and a third one on the same database must finish the catch-up to
exactly what Discord holds: nothing lost, nothing doubled, every member's schedule of every
card there, and a database that passes `PRAGMA integrity_check`.
"""

from __future__ import annotations

import random
import secrets
from pathlib import Path

import pytest

from tests.reliability.procbot import (
    RECONCILED,
    count_ratings,
    deck_yaml,
    duplicates,
    reactions_on,
    read_only,
    snapshot,
    wait_for_count,
)
from tests.support.bot_fixture import EYES, RATE, bot_env, write_setup
from tests.support.fakediscord import FakeDiscord, Member, Message
from tests.support.process import STARTUP_TIMEOUT, BotProcess, spawn

POSTS = 10
MEMBERS = 1000
TOTAL = POSTS * MEMBERS
LIVE = 6000  # ratings dispatched over the gateway before the kill; the rest come while down
KILL_AT = 1000  # committed ratings at which the process is killed
CATCH_UP_KILL_AFTER = 1500  # ratings the restarted process catches up on before its kill
SYNC = "PUT /applications/{application_id}/commands"


async def post_and_reveal(server: FakeDiscord, quizmaster: Member, channel: int) -> Message:
    """/quiz as a member, then 👀: returns the post once it carries the bot's 1️⃣-5️⃣."""
    before = {m.id for m in server.channel_messages(channel)}
    record = server.invoke_command(quizmaster, channel, "quiz", {"deck": "crash"})
    await record
    await record.followup(1, timeout=STARTUP_TIMEOUT)
    [post] = [
        m
        for m in server.channel_messages(channel)
        if m.id not in before and m.author_id == server.bot.id
    ]
    server.react(quizmaster, post, EYES)
    await server.wait_for(
        lambda: all(server.bot.id in post.reactions.get(e, {}) for e in RATE.values()),
        timeout=STARTUP_TIMEOUT,
    )
    return post


@pytest.mark.slow
async def test_crash_sigkill_mid_burst_and_mid_catch_up_loses_and_doubles_nothing(
    tmp_path: Path, processes: list[BotProcess]
) -> None:
    server = FakeDiscord(token=f"tok-{secrets.token_urlsafe(24)}")
    await server.start()
    try:
        guild = server.add_guild("Big study group")
        channel = server.add_channel(guild, "flashcards")
        quizmaster = server.add_member(guild, "quizmaster")
        members = [server.add_member(guild, f"member-{n:04}") for n in range(MEMBERS)]
        database = write_setup(tmp_path, decks={"crash": deck_yaml("crash", 2 * POSTS)})
        env = bot_env(server, server.token)

        first = await spawn(tmp_path, env, "run")
        processes.append(first)
        await server.wait_for(SYNC, timeout=STARTUP_TIMEOUT)
        await first.wait_for_line(RECONCILED)  # ready, and done with its (empty) catch-up
        posts = [await post_and_reveal(server, quizmaster, channel.id) for _ in range(POSTS)]
        assert len({m.content for m in posts}) == POSTS  # ten different cards

        rng = random.Random(20250303)
        burst = [(member, post, RATE[rng.randint(1, 5)]) for post in posts for member in members]
        rng.shuffle(burst)
        for member, post, emoji in burst[:LIVE]:
            server.react(member, post, emoji)
        stored = await wait_for_count(database, lambda n: n >= KILL_AT, "ratings", process=first)
        first.kill()
        assert await first.wait() == -9
        at_kill = count_ratings(database)
        # Mid-burst: some ratings made it, some dispatched ones died with the process.
        assert KILL_AT <= stored <= at_kill < LIVE, (stored, at_kill)
        for member, post, emoji in burst[LIVE:]:  # while the bot is down
            server.react(member, post, emoji, dispatch=False)
        held = reactions_on(server, posts)
        assert len(held) == TOTAL

        # Killed again in the middle of its catch-up: a third start must finish that job.
        second = await spawn(tmp_path, env, "run")
        processes.append(second)
        await wait_for_count(
            database, lambda n: n >= at_kill + CATCH_UP_KILL_AFTER, "catch-up", process=second
        )
        second.kill()
        assert await second.wait() == -9
        caught_up = count_ratings(database)
        assert caught_up < TOTAL, "the catch-up was over before the kill"
        third = await spawn(tmp_path, env, "run")
        processes.append(third)
        line = await third.wait_for_line(RECONCILED, timeout=90.0)

        db = snapshot(database)
        assert db.integrity == "ok"
        assert duplicates(db.live) == []
        assert set(db.live) == held
        assert db.effective == held
        assert db.retracted == 0  # every reaction recorded once, never replaced
        assert line.endswith(f": {TOTAL - caught_up} rating change(s)"), line
        with read_only(database) as ro:
            sources = dict(ro.execute("SELECT source, count(*) FROM ratings GROUP BY source"))
            states = ro.execute("SELECT count(*) FROM member_card_state").fetchone()[0]
        assert sources == {"reaction": at_kill, "reconcile": TOTAL - at_kill}
        assert states == TOTAL  # every member has a schedule for each of the ten cards
        assert " ERROR " not in third.output and "Traceback" not in third.output
    finally:
        await server.stop()

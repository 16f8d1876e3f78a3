"""Flaky gateway: the websocket is cut every 2 s while members rate; nothing is lost or doubled.

The real bot (in this process, on a real SQLite file) is connected to the loopback Discord over
a real websocket. While 1,000 members rate 5 posts (200 change their mind: remove the reaction,
add another), a background task cuts the gateway every 2 s:

- dropped-socket: every TCP connection is aborted, as a flaky network does; discord.py resumes
  and the server replays what the bot missed;
- invalid-session: Discord forgets the session (op 9), so each cut is a new session; events in
  between reach nobody, and the catch-up each READY starts runs while the burst goes on.

Afterwards the ratings the bot stored must be exactly the reactions Discord holds: no rating
lost, none doubled, each removed reaction retracted once.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass

import pytest

from tests.e2e.bot_fixture import EYES, RATE, Flashdrops, RunningBot
from tests.e2e.fakediscord import FakeDiscord, Member, Message
from tests.e2e.harness import World
from tests.reliability.procbot import deck_yaml, duplicates, reactions_on, snapshot

POSTS = 5
MEMBERS = 1000
CHANGES = 200  # members who remove their rating on a post and give another one
EVENTS_PER_SECOND = 800  # the pace of the burst: about 7 s of reactions
DROP_EVERY = 2.0  # seconds between dropped connections


@dataclass(frozen=True)
class Act:
    member: Member
    post: Message
    emoji: str
    add: bool


def plan(members: list[Member], posts: list[Message], rng: random.Random) -> list[Act]:
    """Every member rates every post once; CHANGES of those are later replaced by another
    rating (remove, then add), the two steps in order somewhere after the first."""
    acts = [Act(m, p, RATE[rng.randint(1, 5)], True) for p in posts for m in members]
    rng.shuffle(acts)
    for first in rng.sample(acts, CHANGES):
        other = RATE[rng.choice([r for r in RATE if RATE[r] != first.emoji])]
        at = rng.randrange(acts.index(first) + 1, len(acts) + 1)
        acts[at:at] = [
            Act(first.member, first.post, first.emoji, False),
            Act(first.member, first.post, other, True),
        ]
    return acts


async def paced(server: FakeDiscord, acts: list[Act]) -> None:
    """Dispatch ``acts`` at EVENTS_PER_SECOND, catching up by the clock (no drift)."""
    loop = asyncio.get_running_loop()
    started, done = loop.time(), 0
    while done < len(acts):
        due = min(len(acts), int((loop.time() - started) * EVENTS_PER_SECOND) + 1)
        for act in acts[done:due]:
            if act.add:
                server.react(act.member, act.post, act.emoji)
            else:
                server.unreact(act.member, act.post, act.emoji)
        done = due
        await asyncio.sleep(0.02)  # pacing the load, not waiting for anything


def cut(server: FakeDiscord, fault: str) -> bool:
    """One gateway fault; True if a live connection was hit."""
    if fault == "dropped-socket":
        return server.drop_connections() > 0
    sessions = [c for c in server.connections if c.session is not None]
    server.invalidate_sessions(resumable=False)  # Discord forgot the session: READY again
    return bool(sessions)


async def flap(server: FakeDiscord, fault: str, stop: asyncio.Event) -> int:
    """Cut the gateway each DROP_EVERY seconds until ``stop``; returns how many times a live
    connection was hit."""
    cuts = 0
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), DROP_EVERY)
        if not stop.is_set() and cut(server, fault):
            cuts += 1
    return cuts


async def caught_up(bot: RunningBot, held: set[tuple[int, int, int]], timeout: float) -> None:  # noqa: ASYNC109
    """Wait until the bot's live ratings are what Discord holds (or the deadline passes)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    path = bot.config.database_path
    while set(snapshot(path).live) != held and loop.time() < deadline:
        await bot.settle(timeout=max(0.1, deadline - loop.time()))
        await asyncio.sleep(0.05)  # the next events may still be on the wire


@pytest.mark.parametrize("fault", ["dropped-socket", "invalid-session"])
async def test_gateway_cut_every_2s_during_burst_loses_and_doubles_nothing(
    world: World, flashdrop: Flashdrops, fault: str
) -> None:
    server = world.server
    (flashdrop.decks_dir / "gateway.yaml").write_text(deck_yaml("gateway", 2 * POSTS))
    members = [server.add_member(world.guild, f"member-{n:04}") for n in range(MEMBERS)]
    bot = await flashdrop.start()
    posts = [await bot.quiz(world.alice, deck="gateway") for _ in range(POSTS)]
    for post in posts:
        await bot.react(world.alice, post, EYES)
    acts = plan(members, posts, random.Random(20250304))

    stop = asyncio.Event()
    flapper = asyncio.create_task(flap(server, fault, stop))
    try:
        await paced(server, acts)
    finally:
        stop.set()
        cuts = await flapper
    held = reactions_on(server, posts)
    await caught_up(bot, held, timeout=20.0)

    db = snapshot(bot.config.database_path)
    assert cuts >= 3, "the connection was not cut during the burst"
    if fault == "dropped-socket":  # discord.py resumed after every cut, with a replay
        assert len(server.resume_payloads) >= cuts
    else:  # a new session after every cut, each caught up from Discord's reactions
        assert len(bot.recorder.all("ready")) >= cuts + 1
    assert len(held) == POSTS * MEMBERS
    assert duplicates(db.live) == []
    assert set(db.live) == held
    assert db.effective == held
    assert db.retracted == CHANGES  # each removed reaction retracted exactly one rating
    assert db.integrity == "ok"
    assert len(bot.quiz_cog.poster.locks) == 0  # every post's lock was let go

"""Flaky gateway: the websocket is cut every 2 s while members rate; nothing is lost or doubled.

The real bot (in this process, on a real SQLite file) is connected to the loopback Discord over
a real websocket. While 1,000 members rate 5 posts (200 change their mind: remove the reaction,
add another), a background task cuts the gateway every 2 s:

- dropped-socket: every TCP connection is aborted, as a flaky network does; discord.py resumes
  and the server replays what the bot missed;
- invalid-session: Discord forgets the session (op 9), so each cut is a new session; events in
  between reach nobody, and the catch-up each READY starts runs while the burst goes on.

Afterwards the ratings the bot stored must be exactly the reactions Discord holds: no rating
lost, none doubled, no rating retracted twice, and each removed reaction whose rating the bot
was sent retracted once. A rating sent to nobody (added while the session was gone) and
removed before the catch-up read its post left no trace the bot could see: nothing to retract.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.procbot import deck_yaml, duplicates, reactions_on, read_only, snapshot
from tests.support.bot_fixture import EYES, RATE, Flashdrops, RunningBot
from tests.support.fakediscord import FakeDiscord, Member, Message
from tests.support.harness import World

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
    """Wait until the bot is idle and its live ratings are what Discord holds (or the deadline
    passes). Idle first: the catch-up of the last READY is still running when the burst ends,
    holding a post's lock, even once the ratings already match."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    path = bot.config.database_path
    while True:
        await bot.settle(timeout=max(0.1, deadline - loop.time()))
        if set(snapshot(path).live) == held or loop.time() >= deadline:
            return
        await asyncio.sleep(0.05)  # the next events may still be on the wire


def sent_to_nobody(server: FakeDiscord, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (message id, user id) pairs whose first reaction no gateway session was sent."""
    first: dict[tuple[int, int], bool] = {}
    for record in server.dispatched:
        if record.name == "MESSAGE_REACTION_ADD":
            pair = (int(record.data["message_id"]), int(record.data["user_id"]))
            if pair in pairs:
                first.setdefault(pair, bool(record.session_ids))
    return {pair for pair, sent in first.items() if not sent}


def retractions(database: Path) -> Counter[tuple[int, int]]:
    """How many retracted ratings each (message id, user id) has."""
    with read_only(database) as db:
        rows = db.execute("SELECT post_id, user_id FROM ratings WHERE retracted = 1")
        return Counter((int(post), int(user)) for post, user in rows)


@pytest.mark.slow
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
    # Each removed reaction retracted at most one rating, and exactly one unless the rating
    # was sent to nobody (then the catch-up stored it only if it read the post before the
    # removal). With resumes every event is sent, so that is every removed reaction.
    changed = {(act.post.id, act.member.id) for act in acts if not act.add}
    unseen = sent_to_nobody(server, changed)
    retracted = retractions(bot.config.database_path)
    assert set(retracted) <= changed
    assert max(retracted.values()) == 1
    assert changed - unseen <= set(retracted)
    if fault == "dropped-socket":
        assert unseen == set()
    assert db.integrity == "ok"
    assert len(bot.bot.posting.locks) == 0  # every post's lock was let go

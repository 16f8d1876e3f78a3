"""Daily drops through the real bot and the loopback Discord: on time, exactly once, resumable."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from bot.core.drops import DropSource
from tests.storage.helpers import effective_ratings
from tests.support.bot_fixture import START, Flashdrops, RunningBot
from tests.support.fakediscord import Message, Perm

DROP_AT = "12:01"  # START is 12:00 UTC
DROP_INSTANT = START + timedelta(minutes=1)
GRACE = timedelta(minutes=120)


def config_drop(flashdrop: Flashdrops, **fields: Any) -> dict[str, Any]:
    entry = {
        "guild_id": flashdrop.world.guild.id,
        "channel_id": flashdrop.world.channel.id,
        "deck": "python",
        "time": DROP_AT,
        "timezone": "UTC",
        "cards": 3,
    }
    entry.update(fields)
    return {"drops": [entry]}


def bot_messages(flashdrop: Flashdrops) -> list[Message]:
    server = flashdrop.server
    return [
        m for m in server.channel_messages(flashdrop.world.channel) if m.author_id == server.bot.id
    ]


def headings(flashdrop: Flashdrops) -> list[Message]:
    return [m for m in bot_messages(flashdrop) if "Daily drop" in (m.content or "")]


async def tick(running: RunningBot, at: datetime) -> None:
    running.services.clock.set(at)  # type: ignore[attr-defined]
    await running.bot.drops.tick(at)
    await running.settle()


async def test_drop_posts_heading_and_cards_at_its_minute(flashdrop: Flashdrops) -> None:
    running = await flashdrop.start(**config_drop(flashdrop))
    await tick(running, DROP_INSTANT - timedelta(seconds=1))
    assert bot_messages(flashdrop) == []
    await tick(running, DROP_INSTANT + timedelta(seconds=5))
    posted = bot_messages(flashdrop)
    assert len(posted) == 4
    assert posted[0].content.endswith("Daily drop** — 3 cards from Python basics")
    for card in posted[1:]:
        assert "Python basics" in card.content
        assert flashdrop.server.bot.id in card.reactions.get("\N{EYES}", [])
    posts = [await running.storage.posts.get_post(m.id) for m in posted[1:]]
    assert all(p is not None and p.kind == "drop" for p in posts)
    assert len({p.card_id for p in posts if p}) == 3


async def test_drop_not_posted_again_after_restart(flashdrop: Flashdrops) -> None:
    running = await flashdrop.start(**config_drop(flashdrop))
    await tick(running, DROP_INSTANT)
    assert len(bot_messages(flashdrop)) == 4
    await running.stop()
    flashdrop.clock.set(DROP_INSTANT + timedelta(seconds=30))
    restarted = await flashdrop.start(**config_drop(flashdrop))
    await tick(restarted, DROP_INSTANT + timedelta(minutes=1))
    assert len(bot_messages(flashdrop)) == 4
    assert len(headings(flashdrop)) == 1


async def test_drop_crash_after_first_card_resumes_with_the_rest(flashdrop: Flashdrops) -> None:
    running = await flashdrop.start(**config_drop(flashdrop))
    # Heading and card 1 go through; card 2 is refused (no Via header: discord.py gives up).
    flashdrop.server.force_rate_limit("POST /channels/{channel_id}/messages", every=3, via=False)
    await tick(running, DROP_INSTANT)
    assert len(bot_messages(flashdrop)) == 2
    (run,) = await running.storage.drops.unfinished_runs()
    planned = [c.card.card_id for c in run.cards]
    assert [c.message_id is not None for c in run.cards] == [True, False, False]
    await running.stop()
    flashdrop.server.clear_rate_limits()
    flashdrop.clock.set(DROP_INSTANT + timedelta(minutes=3))
    restarted = await flashdrop.start(**config_drop(flashdrop))
    await tick(restarted, DROP_INSTANT + timedelta(minutes=3))
    posted = bot_messages(flashdrop)
    assert len(headings(flashdrop)) == 1 and len(posted) == 4
    stored = [await restarted.storage.posts.get_post(m.id) for m in posted[1:]]
    assert [p.card_id for p in stored if p] == planned
    assert await restarted.storage.drops.unfinished_runs() == []


async def test_drop_restarts_at_random_instants_post_each_day_once_within_grace(
    flashdrop: Flashdrops,
) -> None:
    rng = random.Random(20261127)
    days = 10
    instants = sorted(
        DROP_INSTANT + timedelta(days=rng.randrange(days), minutes=rng.uniform(-20, 180))
        for _ in range(30)
    )
    for at in instants:  # each restart ticks once at its instant, as the ticker does at start
        flashdrop.clock.set(at)
        running = await flashdrop.start(**config_drop(flashdrop))
        await tick(running, at)
        await running.stop()
    final = await flashdrop.start(**config_drop(flashdrop))
    cards_per_day: dict[date, int] = {}
    for message in bot_messages(flashdrop):
        post = await final.storage.posts.get_post(message.id)
        if post is not None:
            day = post.posted_at.date()
            cards_per_day[day] = cards_per_day.get(day, 0) + 1
    scheduled = [DROP_INSTANT + timedelta(days=n) for n in range(days)]
    within_grace = {
        at.date() for at in scheduled if any(timedelta(0) <= i - at <= GRACE for i in instants)
    }
    assert within_grace and len(within_grace) < days  # the draw covers both cases
    assert set(cards_per_day) == within_grace  # none lost within grace, none outside it
    assert set(cards_per_day.values()) == {3}  # never doubled
    assert len(headings(flashdrop)) == len(within_grace)
    assert await final.storage.drops.unfinished_runs() == []


def admin_member(flashdrop: Flashdrops, permissions: int = 0, role_name: str = "Admins") -> Any:
    server, guild = flashdrop.server, flashdrop.world.guild
    role = server.add_role(guild, role_name, permissions)
    return server.add_member(guild, f"{role_name.lower()}-member", roles=[role])


DROP_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("drop add", {"deck": "python", "time": "08:00"}),
    ("drop list", {}),
    ("drop pause", {"drop": 1}),
    ("drop resume", {"drop": 1}),
    ("drop now", {"drop": 1}),
    ("drop remove", {"drop": 1}),
]


@pytest.mark.parametrize(("command", "options"), DROP_COMMANDS, ids=[c for c, _ in DROP_COMMANDS])
async def test_drop_commands_refused_for_members_without_rights(
    flashdrop: Flashdrops, command: str, options: dict[str, Any]
) -> None:
    running = await flashdrop.start(**config_drop(flashdrop))
    before = await running.storage.drops.drops()
    messages_before = len(bot_messages(flashdrop))
    if command == "drop add":
        options = {"channel": flashdrop.world.channel.id, **options}
    record = await running.command(flashdrop.world.alice, command, options)
    response = await record
    assert response.ephemeral
    assert "Only members with the Manage Server permission" in (response.content or "")
    assert await running.storage.drops.drops() == before
    assert len(bot_messages(flashdrop)) == messages_before


@pytest.mark.parametrize(
    ("permissions", "role_name", "admin_role"),
    [(int(Perm.MANAGE_GUILD), "Mods", None), (0, "Tutors", "Tutors")],
    ids=["manage-server", "admin-role"],
)
async def test_drop_commands_allowed_for_admins(
    flashdrop: Flashdrops, permissions: int, role_name: str, admin_role: str | None
) -> None:
    running = await flashdrop.start(admin_role=admin_role)
    admin = admin_member(flashdrop, permissions, role_name)
    channel = flashdrop.world.channel.id
    added = await running.command(
        admin,
        "drop add",
        {"channel": channel, "deck": "python", "time": "08:00", "days": "weekdays"},
    )
    assert "Drop **#1** scheduled" in ((await added).content or "")
    (drop,) = await running.storage.drops.drops()
    assert drop.source is DropSource.COMMAND and drop.weekdays == frozenset(range(1, 6))
    listed = await running.command(admin, "drop list", {})
    assert "#1" in ((await listed).content or "") and "weekdays" in ((await listed).content or "")
    await running.command(admin, "drop pause", {"drop": 1})
    assert (await running.storage.drops.drops())[0].paused
    await running.command(admin, "drop resume", {"drop": 1})
    assert not (await running.storage.drops.drops())[0].paused
    now = await running.command(admin, "drop now", {"drop": 1})
    assert (await now.followup(1)).content == "Posted drop #1 (3 cards)."
    assert len(headings(flashdrop)) == 1 and len(bot_messages(flashdrop)) == 4
    await running.command(admin, "drop remove", {"drop": 1})
    assert await running.storage.drops.drops() == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"time": "25:00"}, "not a time"),
        ({"time": "08:00", "timezone": "Mars/Base"}, "unknown time zone 'Mars/Base'"),
        ({"time": "08:00", "days": "funday"}, "not a day"),
        ({"time": "08:00", "deck": "nope"}, "No deck"),
    ],
)
async def test_drop_add_invalid_input_is_refused_and_nothing_stored(
    flashdrop: Flashdrops, options: dict[str, str], message: str
) -> None:
    running = await flashdrop.start()
    admin = admin_member(flashdrop, int(Perm.MANAGE_GUILD))
    full = {"channel": flashdrop.world.channel.id, "deck": "python", **options}
    record = await running.command(admin, "drop add", full)
    response = await record
    assert response.ephemeral and message in (response.content or ""), response.content
    assert await running.storage.drops.drops() == []


async def test_drop_broken_channel_is_logged_and_others_still_post(
    flashdrop: Flashdrops, caplog: pytest.LogCaptureFixture
) -> None:
    gone = flashdrop.server.add_channel(flashdrop.world.guild, "deleted-later")
    entries = config_drop(flashdrop)["drops"] + config_drop(flashdrop, channel_id=gone.id)["drops"]
    running = await flashdrop.start(drops=entries)
    del flashdrop.server.channels[gone.id]
    await tick(running, DROP_INSTANT)
    assert len(bot_messages(flashdrop)) == 4  # the healthy channel's drop went out
    assert "could not be posted" in caplog.text
    assert await running.storage.drops.unfinished_runs() == []  # the broken one is not retried


async def test_drop_thread_option_posts_cards_in_a_thread(flashdrop: Flashdrops) -> None:
    running = await flashdrop.start(**config_drop(flashdrop, thread=True))
    await tick(running, DROP_INSTANT)
    server, channel = flashdrop.server, flashdrop.world.channel
    assert len(headings(flashdrop)) == 1 and len(bot_messages(flashdrop)) == 1
    (thread,) = [c for c in server.channels.values() if c.parent_id == channel.id]
    cards = server.channel_messages(thread)
    assert len(cards) == 3
    post = await running.storage.posts.get_post(cards[0].id)
    assert post is not None and post.channel_id == thread.id


async def _due_tomorrow(running: RunningBot, member: Any) -> None:
    """The member answers one card 1 (not at all), so it is due on the next study date."""
    card = await running.quiz(member, deck="capitals")
    await running.react(member, card, "\N{EYES}")
    await running.react(member, card, "1\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}")


async def test_remind_sends_a_dm_with_the_due_count(flashdrop: Flashdrops) -> None:
    running = await flashdrop.start()
    alice = flashdrop.world.alice
    await _due_tomorrow(running, alice)
    response = await (await running.command(alice, "remind", {"switch": "on", "time": "12:30"}))
    assert response.ephemeral and "12:30" in (response.content or "")
    tomorrow = START + timedelta(days=1, minutes=30)
    flashdrop.clock.set(tomorrow - timedelta(minutes=1))
    assert await running.bot.reminders.send_due(flashdrop.clock.now()) == 0  # not yet 12:30
    flashdrop.clock.set(tomorrow)
    assert await running.bot.reminders.send_due(tomorrow) == 1
    assert await running.bot.reminders.send_due(tomorrow + timedelta(minutes=5)) == 0  # once a day
    (dm,) = flashdrop.server.channel_messages(flashdrop.server.dm_channel(alice))
    assert "**1** card(s) due" in dm.content and "/review" in dm.content


async def test_remind_with_closed_dms_is_switched_off_quietly(flashdrop: Flashdrops) -> None:
    running = await flashdrop.start()
    bob = flashdrop.world.bob
    await _due_tomorrow(running, bob)
    await running.command(bob, "remind", {"switch": "on", "time": "12:30"})
    flashdrop.server.set_dms_open(bob, False)
    tomorrow = START + timedelta(days=1, minutes=30)
    flashdrop.clock.set(tomorrow)
    assert await running.bot.reminders.send_due(tomorrow) == 0
    settings = await running.storage.members.member_settings(flashdrop.world.guild.id, bob.id)
    assert settings.remind_at is None


async def test_remind_invalid_time_is_refused(flashdrop: Flashdrops) -> None:
    running = await flashdrop.start()
    alice = flashdrop.world.alice
    response = await (await running.command(alice, "remind", {"switch": "on", "time": "7pm"}))
    assert response.ephemeral and "not a time" in (response.content or "")
    settings = await running.storage.members.member_settings(flashdrop.world.guild.id, alice.id)
    assert settings.remind_at is None


async def test_drop_run_interrupted_past_grace_is_recorded_as_failed_once(
    flashdrop: Flashdrops,
) -> None:
    running = await flashdrop.start(**config_drop(flashdrop))
    flashdrop.server.force_rate_limit("POST /channels/{channel_id}/messages", every=3, via=False)
    await tick(running, DROP_INSTANT)
    (run,) = await running.storage.drops.unfinished_runs()
    await running.stop()
    flashdrop.server.clear_rate_limits()
    late = DROP_INSTANT + GRACE + timedelta(minutes=1)
    flashdrop.clock.set(late)
    restarted = await flashdrop.start(**config_drop(flashdrop))
    await tick(restarted, late)  # the ticker's first round may already have closed it
    assert await restarted.storage.drops.unfinished_runs() == []
    assert (await restarted.storage.drops.start_run(run.drop_id, run.local_date, late)).outcome == (
        "failed"
    )
    assert len(bot_messages(flashdrop)) == 2  # nothing more was posted that late
    again = await restarted.bot.drops.tick(late + timedelta(minutes=1))
    assert again.failed == 0


async def test_reactions_on_drop_posts_count_without_the_quiz_cog(flashdrop: Flashdrops) -> None:
    running = await flashdrop.start(**config_drop(flashdrop))
    await running.bot.unload_extension("bot.cogs.quiz")
    await tick(running, DROP_INSTANT)
    card = bot_messages(flashdrop)[1]
    await running.react(flashdrop.world.alice, card, "\N{EYES}")
    await running.react(
        flashdrop.world.alice, card, "4\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}"
    )
    ratings = await effective_ratings(running.storage, card.id)
    assert {user: int(r) for user, r in ratings.items()} == {flashdrop.world.alice.id: 4}


async def test_drop_add_folder_zone_is_refused_clearly_and_nothing_stored(
    flashdrop: Flashdrops,
) -> None:
    running = await flashdrop.start()
    admin = admin_member(flashdrop, int(Perm.MANAGE_GUILD))
    options = {"channel": flashdrop.world.channel.id, "deck": "python", "time": "08:00"}
    record = await running.command(admin, "drop add", {**options, "timezone": "Europe"})
    response = await record
    assert response.ephemeral
    assert response.content == (
        "unknown time zone 'Europe' (use an IANA name such as 'Europe/Copenhagen')"
    )
    assert await running.storage.drops.drops() == []


async def test_drop_add_accepts_a_time_with_a_dot(flashdrop: Flashdrops) -> None:
    running = await flashdrop.start()
    admin = admin_member(flashdrop, int(Perm.MANAGE_GUILD))
    options = {"channel": flashdrop.world.channel.id, "deck": "python", "time": "8.00"}
    response = await (await running.command(admin, "drop add", options))
    assert "Drop **#1** scheduled" in (response.content or "")
    (drop,) = await running.storage.drops.drops()
    assert drop.local_time.isoformat() == "08:00:00"


async def test_two_drops_at_the_same_minute_in_one_channel_post_different_cards(
    flashdrop: Flashdrops,
) -> None:
    (first,) = config_drop(flashdrop, cards=1)["drops"]
    second = {**first, "cards": 2}
    running = await flashdrop.start(drops=[first, second])

    await tick(running, DROP_INSTANT)

    posts = [await running.storage.posts.get_post(m.id) for m in bot_messages(flashdrop)]
    cards = [p.card_id for p in posts if p is not None]
    assert len(headings(flashdrop)) == 2
    assert sorted(cards) == ["py-def", "py-len", "py-none"]  # all three, none twice

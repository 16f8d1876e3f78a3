"""End to end: the bot's connection to Discord — start-up, reconnects and restarts.

Nothing a member does may be lost to a gateway reconnect or to the bot being offline: the
quiz flow reads the posts table and raw reaction events, and at start the bot reads the
reactions of recent posts back from Discord and records what it missed, exactly once.
"""

from __future__ import annotations

import pytest

from bot.core.models import CardRef, Rating
from bot.core.ratings import RatingSource
from tests.storage.helpers import card_state, effective_ratings, rating_history
from tests.support.bot_fixture import EYES, RATE, Flashdrops, TestFlashdrop
from tests.support.fakediscord import Intent
from tests.support.harness import World

SYNC = "PUT /applications/{application_id}/commands"
DENMARK = CardRef("capitals", "dk")


async def test_startup_identifies_with_guild_and_reaction_intents_only(
    world: World, flashdrop: Flashdrops
) -> None:
    await flashdrop.start()

    assert world.server.identified_intents == [Intent.GUILDS | Intent.GUILD_MESSAGE_REACTIONS]


async def test_startup_syncs_slash_commands_as_guild_only(
    world: World, flashdrop: Flashdrops
) -> None:
    await flashdrop.start()

    [sync] = world.server.requests_to(SYNC)
    assert sync.status == 200
    commands = {c.name: c for c in world.server.global_commands()}
    assert {"quiz", "review", "due", "timezone", "deck", "settings", "card", "Edit card"} <= set(
        commands
    )
    assert all(command.payload["contexts"] == [0] for command in commands.values())
    deck = ["list", "info", "import", "remove", "rename", "flags", "unflag", "export"]
    assert [o["name"] for o in commands["deck"].options] == deck
    settings = ["view", "manager-role", "hide", "unhide"]
    assert [o["name"] for o in commands["settings"].options] == settings
    assert commands["quiz"].options[0]["autocomplete"] is True
    assert [o["name"] for o in commands["card"].options] == ["add", "edit", "suspend", "unsuspend"]


async def test_restart_records_a_rating_on_a_post_made_before_it(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    card = await first.quiz(world.alice, deck="capitals")
    await first.stop()

    bot = await flashdrop.start()
    await bot.react(world.bob, card, EYES)
    await bot.react(world.bob, card, RATE[5])

    assert card.embed is not None and card.embed["title"] == "Answer"
    assert await effective_ratings(bot.storage, card.id) == {world.bob.id: Rating.PERFECTLY}


async def test_restart_records_reactions_added_while_offline_once(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    card = await first.quiz(world.alice, deck="capitals")
    await first.react(world.alice, card, RATE[2])
    await first.stop()
    world.server.add_reaction(world.bob, card, RATE[4])  # while the bot is down

    second = await flashdrop.start()
    await second.stop()
    bot = await flashdrop.start()  # a second start finds the same reactions again

    bob = await rating_history(bot.storage, world.guild.id, world.bob.id, DENMARK)
    assert [(e.rating, e.source, e.post_id) for e in bob] == [
        (Rating.MOSTLY, RatingSource.RECONCILE, card.id)
    ]
    alice = await rating_history(bot.storage, world.guild.id, world.alice.id, DENMARK)
    assert [(e.rating, e.source) for e in alice] == [(Rating.BARELY, RatingSource.REACTION)]
    assert len(world.server.identify_payloads) == 3


async def test_restart_retracts_a_rating_whose_reaction_was_removed_while_offline(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    card = await first.quiz(world.alice, deck="capitals")
    await first.react(world.alice, card, RATE[3])
    await first.stop()
    world.server.unreact(world.alice, card, RATE[3], dispatch=False)

    bot = await flashdrop.start()

    assert await effective_ratings(bot.storage, card.id) == {}
    assert await card_state(bot.storage, world.guild.id, world.alice.id, DENMARK) is None


async def test_restart_reveals_a_post_whose_reveal_reaction_came_while_offline(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    card = await first.quiz(world.alice, deck="capitals")
    await first.stop()
    world.server.add_reaction(world.bob, card, EYES)

    bot = await flashdrop.start()

    assert card.embed is not None and card.embed["title"] == "Answer"
    assert list(card.reactions) == [EYES, *RATE.values()]
    assert (await bot.storage.posts.get_post(card.id)).revealed_at is not None


async def test_new_gateway_session_reconciles_without_recording_twice(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    card = await first.quiz(world.alice, deck="capitals")
    await first.stop()
    world.server.add_reaction(world.bob, card, RATE[4])
    bot = await flashdrop.start()

    world.server.invalidate_sessions(resumable=False)  # Discord forgets the session: READY again
    await bot.recorder.wait_for("ready", count=2)
    await bot.settle()

    bob = await rating_history(bot.storage, world.guild.id, world.bob.id, DENMARK)
    assert [(e.rating, e.source) for e in bob] == [(Rating.MOSTLY, RatingSource.RECONCILE)]
    reaction_reads = world.server.requests_to(
        "GET /channels/{channel_id}/messages/{message_id}/reactions/{emoji}"
    )
    assert len(reaction_reads) >= 2  # the post's reactions were read again after the new READY


@pytest.mark.parametrize("fault", ["op7-reconnect", "dropped-socket"])
async def test_reconnect_in_the_middle_of_rating_loses_nothing(
    world: World, flashdrop: Flashdrops, fault: str
) -> None:
    bot = await flashdrop.start()
    server = world.server
    carol = server.add_member(world.guild, "carol")
    card = await bot.quiz(world.alice, deck="capitals")
    await bot.react(world.alice, card, RATE[1])

    if fault == "op7-reconnect":
        assert server.reconnect_all() == 1
    else:
        assert server.drop_connections() == 1
    await bot.react(world.bob, card, RATE[3])  # sent while the bot reconnects, replayed after
    await bot.recorder.wait_for("resumed")
    await bot.react(carol, card, EYES)
    await bot.react(carol, card, RATE[5])

    assert await effective_ratings(bot.storage, card.id) == {
        world.alice.id: Rating.NOT_AT_ALL,
        world.bob.id: Rating.SOMEWHAT,
        carol.id: Rating.PERFECTLY,
    }
    assert card.embed is not None and card.embed["title"] == "Answer"
    assert len(server.identify_payloads) == 1 and len(server.resume_payloads) == 1
    assert len(bot.recorder.all("ready")) == 1


# -- a server that misbehaves ------------------------------------------------------------------


async def test_failed_command_sync_is_logged_the_bot_runs_and_the_sync_is_retried(
    world: World,
    flashdrop: Flashdrops,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(TestFlashdrop, "SYNC_RETRY_SECONDS", (0.05,))
    world.server.force_rate_limit(SYNC, times=2, via=False)  # refused, no retry by discord.py

    bot = await flashdrop.start()  # the bot still comes up, connected

    assert bot.bot.is_ready() and "slash command sync failed" in caplog.text
    await world.server.wait_for(
        lambda: any(r.status == 200 for r in world.server.requests_to(SYNC))
    )
    assert {"quiz", "review", "due"} <= {c.name for c in world.server.global_commands()}
    card = await bot.quiz(world.alice, deck="capitals")  # and the commands work once synced
    assert (await bot.storage.posts.get_post(card.id)) is not None


async def test_malformed_gateway_events_are_dropped_and_the_bot_carries_on(
    world: World, flashdrop: Flashdrops, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")

    # A reaction without its emoji, and one whose member's roles are objects: discord.py's
    # parser raises on both.
    where = {
        "guild_id": str(world.guild.id),
        "channel_id": str(world.channel.id),
        "message_id": str(card.id),
        "user_id": str(world.bob.id),
    }
    world.server.dispatch("MESSAGE_REACTION_ADD", where)
    member = {"user": {"id": str(world.bob.id), "username": "bob"}, "roles": [{"id": "2"}]}
    world.server.dispatch(
        "MESSAGE_REACTION_ADD", {**where, "emoji": {"id": None, "name": EYES}, "member": member}
    )
    await bot.react(world.alice, card, RATE[4])

    assert await effective_ratings(bot.storage, card.id) == {world.alice.id: Rating.MOSTLY}
    assert "dropped a malformed MESSAGE_REACTION_ADD event" in caplog.text
    assert not bot.bot.is_closed()


async def test_catch_up_ends_when_the_server_ignores_after_in_reaction_listings(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    card = await first.quiz(world.alice, deck="capitals")
    await first.react(world.alice, card, EYES)
    await first.stop()
    world.server.add_reaction(world.bob, card, RATE[4])  # while the bot is down
    world.server.reaction_listing_ignores_after = True  # every page is the first page again

    bot = await flashdrop.start()  # waits for the catch-up: it must end
    await bot.react(world.alice, card, RATE[2])  # and the post's lock is free again

    assert await effective_ratings(bot.storage, card.id) == {
        world.alice.id: Rating.BARELY,
        world.bob.id: Rating.MOSTLY,
    }


async def test_catch_up_cut_short_by_a_server_ignoring_after_retracts_nobody(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    card = await first.quiz(world.alice, deck="capitals")
    await first.react(world.alice, card, EYES)
    await first.stop()
    members = [world.server.add_member(world.guild, f"member{n}") for n in range(150)]
    for member in members:  # more than one page of reactors, added while the bot is down
        world.server.add_reaction(member, card, RATE[3])
    second = await flashdrop.start()  # a well-behaved server: all 150 are recorded
    assert len(await effective_ratings(second.storage, card.id)) == 150
    await second.stop()
    world.server.reaction_listing_ignores_after = True  # now only the first page, again and again

    bot = await flashdrop.start()

    assert len(await effective_ratings(bot.storage, card.id)) == 150  # nobody retracted

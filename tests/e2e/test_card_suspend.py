"""End to end: `/card suspend` takes a card out of /quiz, /review and /due without losing its
schedule; `/card unsuspend` brings it back; members without the role are refused."""

from __future__ import annotations

from datetime import timedelta

from bot.core.models import CardRef
from tests.storage.helpers import card_state
from tests.support.bot_fixture import RATE, START, Flashdrops
from tests.support.clock import FakeClock
from tests.support.fakediscord import Perm
from tests.support.harness import World

DENMARK = {"deck": "capitals", "card": "dk"}


async def test_card_suspend_takes_a_library_card_out_and_unsuspend_brings_its_schedule_back(
    world: World, flashdrop: Flashdrops, clock: FakeClock
) -> None:
    bot = await flashdrop.start()
    role = flashdrop.server.add_role(world.guild, "Deck editors", int(Perm.MANAGE_GUILD))
    editor = flashdrop.server.add_member(world.guild, "editor", roles=[role])
    posted = await bot.quiz(world.alice, deck="capitals")
    await bot.react(world.alice, posted, RATE[1])  # due tomorrow
    state = await card_state(bot.storage, world.guild.id, world.alice.id, CardRef("capitals", "dk"))

    refused = await bot.command(world.alice, "card suspend", DENMARK)
    assert refused.ephemeral and refused.callback is not None
    assert "Only members with" in (refused.callback.content or "")
    done = await bot.command(editor, "card suspend", DENMARK)
    assert done.ephemeral and done.callback is not None
    assert "is suspended" in (done.callback.content or "")
    clock.advance(timedelta(days=1))

    due = await bot.command(world.alice, "due")
    assert due.callback is not None and "Capitals" not in (due.callback.content or "")
    review = await bot.command(world.alice, "review", {"deck": "capitals"})
    assert review.ephemeral and review.callback is not None
    assert (review.callback.content or "").startswith("Nothing to review right now")
    quiz = await bot.command(world.alice, "quiz", {"deck": "capitals"})
    assert (await quiz.followup(1)).content == "There are no cards to post."

    back = await bot.command(editor, "card unsuspend", DENMARK)
    assert back.callback is not None and "is back" in (back.callback.content or "")
    due = await bot.command(world.alice, "due")
    assert due.callback is not None and "**Capitals**: 1 due" in (due.callback.content or "")
    after = await card_state(bot.storage, world.guild.id, world.alice.id, CardRef("capitals", "dk"))
    assert after == state


async def test_card_suspend_takes_a_card_out_of_drops(world: World, flashdrop: Flashdrops) -> None:
    drop = {
        "guild_id": world.guild.id,
        "channel_id": world.channel.id,
        "deck": "python",
        "time": "12:01",  # START is 12:00 UTC
        "timezone": "UTC",
        "cards": 3,
    }
    bot = await flashdrop.start(drops=[drop])
    role = flashdrop.server.add_role(world.guild, "Deck editors", int(Perm.MANAGE_GUILD))
    editor = flashdrop.server.add_member(world.guild, "editor", roles=[role])
    await bot.command(editor, "card suspend", {"deck": "python", "card": "py-len"})

    at = START + timedelta(minutes=1, seconds=5)
    bot.services.clock.set(at)  # type: ignore[attr-defined]
    await bot.bot.drops.tick(at)
    await bot.settle()

    messages = flashdrop.server.channel_messages(world.channel)
    posts = [await bot.storage.posts.get_post(m.id) for m in messages]
    assert sorted(p.card_id for p in posts if p is not None) == ["py-def", "py-none"]

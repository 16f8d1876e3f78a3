"""End to end: `/card suspend` takes a card out of the server's study — `/review`, `/quiz`,
drops, `/due` — keeping everyone's history; `/card unsuspend` brings it back as it was."""

from __future__ import annotations

from datetime import timedelta

from bot.core.models import CardRef
from tests.e2e.test_review import QUESTIONS, answer, question, start_review
from tests.e2e.test_settings import admin
from tests.storage.helpers import card_state, rating_history
from tests.support.bot_fixture import START, Flashdrops
from tests.support.clock import FakeClock
from tests.support.harness import World

PY_LEN = CardRef("python", "py-len")


async def test_a_suspended_card_leaves_review_and_quiz_and_comes_back_with_its_schedule(
    world: World, flashdrop: Flashdrops, clock: FakeClock
) -> None:
    bot = await flashdrop.start()
    boss = admin(flashdrop)
    session = await start_review(bot, world.alice, deck="python")
    assert await answer(bot, world.alice, session, 3) == QUESTIONS["py-len"]
    before = await card_state(bot.storage, world.guild.id, world.alice.id, PY_LEN)
    assert before is not None

    done = await bot.command(boss, "card suspend", {"deck": "python", "card": "py-len"})
    assert done.callback is not None and done.callback.ephemeral
    assert done.callback.content.startswith("Suspended `python/py-len`")
    again = await bot.command(boss, "card suspend", {"deck": "python", "card": "py-len"})
    assert again.callback is not None
    assert again.callback.content == "`python/py-len` is already suspended here."

    clock.advance(timedelta(days=30))  # everything is due
    due = await bot.command(world.alice, "due")
    assert due.callback is not None and "py-len" not in (due.callback.content or "")
    session = await start_review(bot, world.alice, deck="python")
    asked = []
    while session.embed is not None and session.embed["title"] != "Session finished":
        asked.append(await answer(bot, world.alice, session, 4))
    assert QUESTIONS["py-len"] not in asked and asked  # the deck's other cards still come
    posted = [await bot.quiz(world.bob, deck="python") for _ in range(4)]
    assert all(QUESTIONS["py-len"] not in card.content for card in posted)
    # Its history and schedule stay as they were.
    assert await card_state(bot.storage, world.guild.id, world.alice.id, PY_LEN) == before
    assert len(await rating_history(bot.storage, world.guild.id, world.alice.id, PY_LEN)) == 1

    choices = await bot.server.autocomplete(
        boss, world.channel, "card unsuspend", {"deck": "python", "card": ""}, focused="card"
    ).choices()
    assert [c["value"] for c in choices] == ["py-len"]
    back = await bot.command(boss, "card unsuspend", {"deck": "python", "card": "py-len"})
    assert back.callback is not None
    assert back.callback.content == (
        "`python/py-len` is studied here again, with everyone's schedule as it was."
    )
    session = await start_review(bot, world.alice, deck="python")
    assert question(session) == QUESTIONS["py-len"]  # due for 30 days: the most overdue


async def test_card_suspend_refuses_members_and_unknown_cards_and_stores_nothing(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    boss = admin(flashdrop)

    member = await bot.command(world.alice, "card suspend", {"deck": "python", "card": "py-len"})
    unknown = await bot.command(boss, "card suspend", {"deck": "python", "card": "nope"})
    no_deck = await bot.command(boss, "card suspend", {"deck": "chem", "card": "x"})

    assert member.callback is not None and member.callback.ephemeral
    assert member.callback.content == (
        "Only members with the Manage Server permission can suspend cards."
    )
    assert unknown.callback is not None
    assert unknown.callback.content == "Deck `python` has no card `nope`."
    assert no_deck.callback is not None and no_deck.callback.content == "No deck `chem`."
    assert await bot.storage.suspensions.suspended(world.guild.id) == frozenset()
    choices = await bot.server.autocomplete(
        boss, world.channel, "card suspend", {"deck": "python", "card": "len"}, focused="card"
    ).choices()
    assert [c["value"] for c in choices] == ["py-len"]


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
    await bot.command(admin(flashdrop), "card suspend", {"deck": "python", "card": "py-len"})

    at = START + timedelta(minutes=1, seconds=5)
    bot.services.clock.set(at)  # type: ignore[attr-defined]
    await bot.bot.drops.tick(at)
    await bot.settle()

    messages = flashdrop.server.channel_messages(world.channel)
    posts = [await bot.storage.posts.get_post(m.id) for m in messages]
    assert sorted(p.card_id for p in posts if p is not None) == ["py-def", "py-none"]

"""End to end: members flag a posted card as wrong (a 🚩 reaction, or the Flag button of a
revealed post), deck managers list the flagged cards with `/deck flags` and clear them with
`/deck unflag`. A flag is never a rating."""

from __future__ import annotations

from datetime import timedelta

from bot.core.models import CardRef
from tests.e2e.test_deck_import import manager
from tests.e2e.test_drops import DROP_INSTANT, bot_messages, config_drop, tick
from tests.support.bot_fixture import EYES, RATE, Flashdrops, RunningBot
from tests.support.fakediscord import Member, Message
from tests.support.harness import World

FLAG = "\N{TRIANGULAR FLAG ON POST}"
FLAGGED = "Flagged: thank you. This server's deck managers will see it in `/deck flags`."


async def open_flags(bot: RunningBot) -> dict[CardRef, int]:
    flagged, _ = await bot.storage.flags.open_flags(bot.world.guild.id)
    return {f.card: f.members for f in flagged}


async def press_flag(bot: RunningBot, member: Member, card: Message) -> str | None:
    record = bot.server.press_button(member, card, f"card:flag:{card.id}")
    await record
    await bot.settle()
    assert record.callback is not None and record.callback.ephemeral
    return record.callback.content


async def test_flag_by_reaction_is_recorded_once_and_withdrawn_with_the_reaction(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="python")
    post = await bot.storage.posts.get_post(card.id)
    assert post is not None
    chatter = world.server.send_as(world.alice, world.channel, "not a card")

    await bot.react(world.bob, card, FLAG)
    await bot.react(world.bob, chatter, FLAG)  # not a post: ignored
    await bot.react(world.alice, card, "\N{THUMBS UP SIGN}")  # not our emoji: ignored

    assert await open_flags(bot) == {post.card: 1}
    assert [row async for row in bot.storage.export.export_ratings()] == []  # never a rating
    assert "Answer" not in str(card.embeds)  # nor a reveal

    await bot.unreact(world.bob, card, FLAG)
    assert await open_flags(bot) == {}


async def test_flag_button_on_a_revealed_post_answers_only_the_presser_and_survives_restart(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    card = await first.quiz(world.alice, deck="python")
    await first.react(world.alice, card, EYES)
    await first.react(world.alice, card, RATE[4])
    assert f"card:flag:{card.id}" in card.custom_ids()
    post = await first.storage.posts.get_post(card.id)
    assert post is not None
    channel_before = len(world.server.channel_messages(world.channel))

    assert await press_flag(first, world.bob, card) == FLAGGED
    assert await press_flag(first, world.bob, card) == (
        "You have already flagged this card; this server's deck managers will see it in"
        " `/deck flags`."
    )
    assert len(world.server.channel_messages(world.channel)) == channel_before  # private
    await first.stop()

    bot = await flashdrop.start()
    assert await press_flag(bot, world.alice, card) == FLAGGED
    assert await open_flags(bot) == {post.card: 2}
    ratings = [row async for row in bot.storage.export.export_ratings()]
    assert [(r.user_id, r.confidence) for r in ratings] == [(world.alice.id, 4)]  # unchanged


async def test_deck_flags_lists_flagged_cards_for_managers_and_unflag_clears_them(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    python_card = await bot.quiz(world.alice, deck="python")
    capital = await bot.quiz(world.alice, deck="capitals")
    python_post = await bot.storage.posts.get_post(python_card.id)
    assert python_post is not None
    await bot.react(world.alice, python_card, FLAG)
    await bot.react(world.bob, python_card, FLAG)
    await bot.react(world.bob, capital, FLAG)

    refused = await bot.command(world.alice, "deck flags")
    listed = await bot.command(editor, "deck flags")
    only_capitals = await bot.command(editor, "deck flags", {"deck": "capitals"})

    assert refused.callback is not None and refused.callback.ephemeral
    assert refused.callback.content == (
        "Only members with the Manage Server permission can see flagged cards."
    )
    assert listed.callback is not None and listed.callback.ephemeral
    [embed] = listed.callback.embeds
    assert embed["title"] == "Flagged cards (2)"
    first, second = embed["description"].split("\n")[0:4:2]
    assert first.startswith(f"`python` · `{python_post.card_id}` — ")
    assert second.startswith("`capitals` · `dk` — ")
    assert "2 members" in embed["description"] and "1 member," in embed["description"]
    assert only_capitals.callback is not None
    assert only_capitals.callback.embeds[0]["title"] == "Flagged cards in capitals (1)"
    choices = await world.server.autocomplete(
        editor, world.channel, "deck unflag", {"deck": "python", "card": ""}, focused="card"
    ).choices()
    assert [c["value"] for c in choices] == [python_post.card_id]

    member_clear = await bot.command(
        world.alice, "deck unflag", {"deck": "python", "card": python_post.card_id}
    )
    assert await open_flags(bot) == {python_post.card: 2, CardRef("capitals", "dk"): 1}
    unflag = {"deck": "python", "card": python_post.card_id}
    cleared = await bot.command(editor, "deck unflag", unflag)
    again = await bot.command(editor, "deck unflag", unflag)

    assert member_clear.callback is not None
    assert "Only members with" in (member_clear.callback.content or "")
    assert cleared.callback is not None and cleared.callback.content == (
        f"Cleared 2 flags on `python` · `{python_post.card_id}`: it leaves `/deck flags`."
    )
    assert again.callback is not None and again.callback.content == (
        f"`python` · `{python_post.card_id}` has no open flags."
    )
    assert await open_flags(bot) == {CardRef("capitals", "dk"): 1}
    await bot.command(editor, "deck unflag", {"deck": "capitals", "card": "dk"})
    empty = await bot.command(editor, "deck flags")
    assert empty.callback is not None and empty.callback.content == "No card is flagged."


async def test_flag_reaction_made_while_offline_is_caught_up_but_a_cleared_one_stays_cleared(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    editor = manager(flashdrop)
    card = await first.quiz(world.alice, deck="python")
    post = await first.storage.posts.get_post(card.id)
    assert post is not None
    await first.react(world.alice, card, FLAG)
    await first.command(editor, "deck unflag", {"deck": "python", "card": post.card_id})
    await first.stop()
    world.server.add_reaction(world.bob, card, FLAG)  # while the bot is away

    bot = await flashdrop.start()
    await bot.settle()

    # Bob's flag is recorded; Alice's, cleared with her 🚩 still there, does not come back.
    flagged, _ = await bot.storage.flags.open_flags(world.guild.id)
    assert [(f.card, f.members) for f in flagged] == [(post.card, 1)]
    await bot.unreact(world.bob, card, FLAG)
    assert await open_flags(bot) == {}


async def test_flag_reaction_on_a_drop_post_counts_like_one_on_a_quiz_post(
    flashdrop: Flashdrops,
) -> None:
    world = flashdrop.world
    bot = await flashdrop.start(**config_drop(flashdrop, cards=1))
    await tick(bot, DROP_INSTANT + timedelta(seconds=5))
    [heading, card] = bot_messages(flashdrop)
    post = await bot.storage.posts.get_post(card.id)
    assert post is not None and post.kind == "drop"

    await bot.react(world.alice, heading, FLAG)  # the heading is no card: ignored
    await bot.react(world.alice, card, FLAG)

    assert await open_flags(bot) == {post.card: 1}

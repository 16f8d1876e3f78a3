"""End to end: the card modal of `/card add`, `/card edit` and the "Edit card" message menu:
an edit keeps the card's id and a member's schedule, a bad edit stores nothing, library decks
and members without the role are refused."""

from __future__ import annotations

from bot.core.models import CardRef
from tests.storage.helpers import card_state
from tests.support.bot_fixture import EYES, RATE, Flashdrops, RunningBot
from tests.support.fakediscord import Attachment, InteractionRecord, Member, Perm
from tests.support.harness import World

MATHS = b"What is 2 + 2?\t4\nWhat is 3 * 3?\t9\nWhat is 10 / 2?\t5\n"


async def with_maths_deck(bot: RunningBot, flashdrop: Flashdrops) -> Member:
    """A deck manager who imported the server's own `maths` deck."""
    role = flashdrop.server.add_role(flashdrop.world.guild, "Deck editors", int(Perm.MANAGE_GUILD))
    editor = flashdrop.server.add_member(flashdrop.world.guild, "editor", roles=[role])
    file = Attachment(id=0, filename="maths.tsv", data=MATHS)
    preview = await (await bot.command(editor, "deck import", {"file": file})).followup(1)
    [confirm] = [c for c in preview.custom_ids() if c.endswith(":confirm")]
    await bot.server.press_button(editor, preview, confirm)
    await bot.settle()
    return editor


async def submit(bot: RunningBot, opened: InteractionRecord, **values: str) -> str:
    """Fill in and submit the modal the bot opened; the bot's (ephemeral) answer."""
    assert (await opened.response()).type == 9  # MODAL
    submitted = await bot.server.submit_modal(opened, values)
    await bot.settle()
    assert submitted.ephemeral and submitted.content is not None
    return submitted.content


async def stored_maths(bot: RunningBot) -> str:
    [stored] = [d for d in await bot.storage.decks.guild_decks() if d.deck_id == "maths"]
    return stored.source


async def test_card_edit_through_the_menu_keeps_the_cards_schedule(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = await with_maths_deck(bot, flashdrop)
    posted = await bot.quiz(world.alice, deck="maths")
    await bot.react(world.alice, posted, RATE[2])
    post = await bot.storage.posts.get_post(posted.id)
    assert post is not None
    ref = CardRef("maths", post.card_id)
    before = await card_state(bot.storage, world.guild.id, world.alice.id, ref)
    assert before is not None

    opened = bot.server.invoke_context_menu(editor, world.channel, "Edit card", posted)
    reply = await submit(bot, opened, question="Edited question?", answer="Edited answer", hint="")

    assert reply.startswith(f"Saved card `{post.card_id}` of **maths**")
    assert "Edited question?" in await stored_maths(bot)
    assert await card_state(bot.storage, world.guild.id, world.alice.id, ref) == before
    await bot.react(world.bob, posted, EYES)  # a later reveal shows the new text
    assert posted.embed is not None and "Edited answer" in str(posted.embed)


async def test_card_add_through_the_modal_then_quiz_can_post_it(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = await with_maths_deck(bot, flashdrop)

    opened = bot.server.invoke_command(editor, world.channel, "card add", {"deck": "maths"})
    reply = await submit(bot, opened, question="What is 6 * 7?", answer="42", hint="")

    assert reply.startswith("Added card `c-") and "What is 6 * 7?" in await stored_maths(bot)
    questions = set()
    for _ in range(4):  # four new cards; /quiz prefers cards not posted lately
        questions.add((await bot.quiz(world.alice, deck="maths")).content)
    assert any("What is 6 * 7?" in (q or "") for q in questions)


async def test_card_edit_refuses_bad_edits_library_decks_and_non_managers(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = await with_maths_deck(bot, flashdrop)
    source = await stored_maths(bot)
    post = await bot.storage.posts.get_post((await bot.quiz(world.bob, deck="maths")).id)
    assert post is not None
    card_id = post.card_id
    options = {"deck": "maths", "card": card_id}

    opened = bot.server.invoke_command(editor, world.channel, "card edit", options)
    reply = await submit(bot, opened, question="   ", answer="4", hint="")
    assert reply == f"Nothing was saved: card '{card_id}': question is empty"
    assert await stored_maths(bot) == source

    library = await bot.command(editor, "card add", {"deck": "python"})
    assert library.callback is not None and "is a library deck" in (library.callback.content or "")
    refused = await bot.command(world.alice, "card edit", options)
    assert refused.callback is not None and "Only members with" in (refused.callback.content or "")
    assert await stored_maths(bot) == source

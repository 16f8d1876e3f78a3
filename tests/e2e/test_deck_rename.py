"""End to end: `/deck rename`: a server's own deck gets a new name and keeps its id, so its
cards and everyone's schedules stay; library decks and bad names are refused."""

from __future__ import annotations

from tests.e2e.test_deck_import import MATHS, import_file, manager, press, preview_of
from tests.support.bot_fixture import RATE, Flashdrops, RunningBot
from tests.support.fakediscord import Member
from tests.support.harness import World


async def import_maths(bot: RunningBot, editor: Member) -> None:
    preview = await preview_of(await import_file(bot, editor, "maths.tsv", MATHS))
    await press(bot, editor, preview, "confirm")


async def schedules(bot: RunningBot) -> list[object]:
    return [row async for row in bot.storage.export.export_schedule()]


async def test_deck_rename_changes_the_name_and_keeps_id_and_schedules(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    await import_maths(bot, editor)
    card = await bot.quiz(world.alice, deck="maths")
    await bot.react(world.alice, card, RATE[4])
    before = await schedules(bot)
    assert len(before) == 1

    record = await bot.command(editor, "deck rename", {"deck": "maths", "name": " Arithmetic "})

    assert record.callback is not None and record.callback.ephemeral
    assert record.callback.content == (
        "**maths** is now **Arithmetic** (`maths`): its id, and everyone's schedules, stay as"
        " they were."
    )
    assert await schedules(bot) == before
    listed = await bot.command(world.alice, "deck list")
    assert listed.callback is not None
    assert "**Arithmetic** (`maths`): 3 cards" in listed.callback.embeds[0]["description"]
    await bot.stop()

    bot = await flashdrop.start()  # the new name is stored, not only offered
    choices = await world.server.autocomplete(
        world.alice, world.channel, "quiz", {"deck": "arith"}, focused="deck"
    ).choices()
    assert choices == [{"name": "Arithmetic (maths)", "value": "maths"}]
    again = await bot.quiz(world.alice, deck="maths")
    assert "Arithmetic" in again.content
    assert await schedules(bot) == before


async def test_deck_rename_refuses_library_decks_bad_names_and_non_managers(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    await import_maths(bot, editor)

    library = await bot.command(editor, "deck rename", {"deck": "python", "name": "Snakes"})
    blank = await bot.command(editor, "deck rename", {"deck": "maths", "name": "   "})
    long = await bot.command(editor, "deck rename", {"deck": "maths", "name": "x" * 101})
    unknown = await bot.command(editor, "deck rename", {"deck": "chemistry", "name": "Chem"})
    member = await bot.command(world.bob, "deck rename", {"deck": "maths", "name": "Mine"})

    answers = [r.callback.content if r.callback else None for r in (library, blank, long)]
    assert answers == [
        "`python` is a library deck: it is renamed in its file (`decks/python.yaml`) on the"
        " bot's host. `/deck rename` renames this server's own decks.",
        "That name cannot be used: deck name is empty. Nothing was changed.",
        "That name cannot be used: deck name is too long for Discord (101 characters, limit"
        " 100). Nothing was changed.",
    ]
    assert unknown.callback is not None and unknown.callback.content == "No deck `chemistry`."
    assert member.callback is not None and member.callback.content == (
        "Only members with the Manage Server permission can rename decks."
    )
    assert all(r.ephemeral for r in (library, blank, long, unknown, member))
    decks = bot.bot.catalog.decks_for(world.guild.id)
    assert (decks["maths"].name, decks["python"].name) == ("maths", "Python basics")
    choices = await world.server.autocomplete(
        editor, world.channel, "deck rename", {"deck": ""}, focused="deck"
    ).choices()
    assert [c["value"] for c in choices] == ["maths"]

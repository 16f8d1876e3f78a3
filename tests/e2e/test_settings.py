"""End to end: `/settings` for admins: the server's own deck manager role, and hiding library
decks from everything that offers decks."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.e2e.test_deck_import import MATHS, import_file, press, preview_of
from tests.e2e.test_drops import DROP_INSTANT, bot_messages, config_drop, headings, tick
from tests.support.bot_fixture import Flashdrops, RunningBot
from tests.support.fakediscord import Member, Perm
from tests.support.harness import World


def admin(flashdrop: Flashdrops) -> Member:
    server, guild = flashdrop.server, flashdrop.world.guild
    role = server.add_role(guild, "Admins", int(Perm.MANAGE_GUILD))
    return server.add_member(guild, "admin", roles=[role])


async def offered(bot: RunningBot, member: Member, command: str) -> list[str]:
    choices = await bot.server.autocomplete(
        member, bot.world.channel, command, {"deck": ""}, focused="deck"
    ).choices()
    return [c["value"] for c in choices]


async def test_settings_manager_role_lets_its_members_import_and_remove_decks(
    world: World, flashdrop: Flashdrops
) -> None:
    server, guild = world.server, world.guild
    editors = server.add_role(guild, "Editors", 0)  # no permission of its own
    editor = server.add_member(guild, "editor", roles=[editors])
    bot = await flashdrop.start()
    boss = admin(flashdrop)

    before = await import_file(bot, editor, "maths.tsv", MATHS)
    assert before.callback is not None and before.callback.ephemeral
    assert before.callback.content == (
        "Only members with the Manage Server permission can import decks."
    )

    set_role = await bot.command(boss, "settings manager-role", {"role": editors})
    assert set_role.callback is not None and set_role.callback.ephemeral
    assert f"<@&{editors.id}>" in (set_role.callback.content or "")

    preview = await preview_of(await import_file(bot, editor, "maths.tsv", MATHS))
    await press(bot, editor, preview, "confirm")
    assert [d.deck_id for d in await bot.storage.decks.guild_decks()] == ["maths"]
    refused = await bot.command(world.bob, "deck remove", {"deck": "maths"})
    assert refused.callback is not None and refused.callback.content == (
        "Only members with the Manage Server permission or the Editors role can remove decks."
    )
    asked = await bot.command(editor, "deck remove", {"deck": "maths"})
    await press(bot, editor, await asked.original_message(), "confirm")
    assert await bot.storage.decks.guild_decks() == []

    cleared = await bot.command(boss, "settings manager-role")
    assert cleared.callback is not None and "cleared" in (cleared.callback.content or "")
    again = await import_file(bot, editor, "maths.tsv", MATHS)
    assert again.callback is not None and "Only members with" in (again.callback.content or "")


async def test_settings_manager_role_survives_a_restart_and_is_per_server(
    world: World, flashdrop: Flashdrops
) -> None:
    server, guild = world.server, world.guild
    editors = server.add_role(guild, "Editors", 0)
    editor = server.add_member(guild, "editor", roles=[editors])
    first = await flashdrop.start()
    await first.command(admin(flashdrop), "settings manager-role", {"role": editors})
    await first.stop()

    bot = await flashdrop.start()

    preview = await preview_of(await import_file(bot, editor, "maths.tsv", MATHS))
    assert preview.embed is not None and preview.embed["title"] == "Import maths?"
    other = server.add_guild("Other group")
    other_settings = await bot.storage.members.guild_settings(other.id)
    assert other_settings.deck_manager_role is None


async def test_settings_are_for_admins_only(world: World, flashdrop: Flashdrops) -> None:
    bot = await flashdrop.start()

    for command, options in [
        ("settings view", {}),
        ("settings hide", {"deck": "python"}),
        ("settings manager-role", {}),
    ]:
        record = await bot.command(world.alice, command, options)
        assert record.callback is not None and record.callback.ephemeral
        assert record.callback.content == (
            "Only members with the Manage Server permission can change the server's settings."
        )
    assert bot.bot.catalog.hidden(world.guild.id) == frozenset()
    assert await offered(bot, world.alice, "quiz") == ["capitals", "python"]


async def test_settings_hide_takes_a_library_deck_out_until_unhidden(
    world: World, flashdrop: Flashdrops
) -> None:
    server = world.server
    other_guild = server.add_guild("Other group")
    other_channel = server.add_channel(other_guild, "cards")
    carol = server.add_member(other_guild, "carol")
    bot = await flashdrop.start()
    boss = admin(flashdrop)
    card = await bot.quiz(world.alice, deck="python")
    await bot.react(world.alice, card, bot.config.quiz.reveal_emoji)

    hidden = await bot.command(boss, "settings hide", {"deck": "python"})
    assert hidden.callback is not None and hidden.callback.ephemeral
    assert hidden.callback.content.startswith("**Python basics** (`python`) is hidden here")

    assert await offered(bot, world.alice, "quiz") == ["capitals"]
    assert await offered(bot, world.alice, "review") == ["capitals"]
    assert await offered(bot, world.alice, "deck info") == ["capitals"]
    quiz = await bot.command(world.alice, "quiz", {"deck": "python"})
    assert quiz.callback is not None and quiz.callback.content == "No deck `python`."
    info = await bot.command(world.alice, "deck info", {"deck": "python"})
    assert info.callback is not None and info.callback.content == "No deck `python`."
    listed = await bot.command(world.alice, "deck list")
    assert listed.callback is not None
    assert "`python`" not in listed.callback.embeds[0]["description"]
    # Another server still has it, and the post made before keeps its record.
    theirs = await server.autocomplete(
        carol, other_channel, "quiz", {"deck": ""}, focused="deck"
    ).choices()
    assert [c["value"] for c in theirs] == ["capitals", "python"]
    assert await bot.storage.posts.get_post(card.id) is not None
    view = await bot.command(boss, "settings view")
    assert view.callback is not None
    fields = {f["name"]: f["value"] for f in view.callback.embeds[0]["fields"]}
    assert fields["Hidden library decks"] == "**Python basics** (`python`)"
    unhide_choices = await bot.server.autocomplete(
        boss, world.channel, "settings unhide", {"deck": ""}, focused="deck"
    ).choices()
    assert [c["value"] for c in unhide_choices] == ["python"]

    await bot.stop()
    bot = await flashdrop.start()  # hidden it stays, after a restart
    assert await offered(bot, world.alice, "quiz") == ["capitals"]

    shown = await bot.command(boss, "settings unhide", {"deck": "python"})
    assert shown.callback is not None
    assert shown.callback.content == "`python` is offered here again."
    assert await offered(bot, world.alice, "quiz") == ["capitals", "python"]
    card = await bot.quiz(world.alice, deck="python")
    assert "python" in card.content.casefold()


async def test_settings_hide_refuses_what_is_not_a_library_deck(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    boss = admin(flashdrop)
    preview = await preview_of(await import_file(bot, boss, "maths.tsv", MATHS))
    await press(bot, boss, preview, "confirm")

    own = await bot.command(boss, "settings hide", {"deck": "maths"})
    unknown = await bot.command(boss, "settings hide", {"deck": "chemistry"})
    not_hidden = await bot.command(boss, "settings unhide", {"deck": "capitals"})

    assert own.callback is not None and own.callback.content.startswith(
        "`maths` is not a library deck."
    )
    assert unknown.callback is not None and unknown.callback.content == "No deck `chemistry`."
    assert not_hidden.callback is not None
    assert not_hidden.callback.content == "`capitals` is not hidden here."
    assert bot.bot.catalog.hidden(world.guild.id) == frozenset()
    assert await offered(bot, world.alice, "quiz") == ["capitals", "maths", "python"]


async def test_settings_hidden_deck_drop_is_skipped_and_listed_so_until_unhidden(
    flashdrop: Flashdrops, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await flashdrop.start(**config_drop(flashdrop))
    boss = admin(flashdrop)
    await bot.command(boss, "settings hide", {"deck": "python"})

    with caplog.at_level(logging.INFO, logger="bot.services.drops"):
        await tick(bot, DROP_INSTANT + timedelta(seconds=5))
    listed = await bot.command(boss, "drop list")
    now = await bot.command(boss, "drop now", {"drop": 1})

    assert bot_messages(flashdrop) == []
    assert "all its decks are hidden; skipped" in caplog.text
    assert listed.callback is not None
    assert "`python` (hidden in /settings: skipped)" in (listed.callback.content or "")
    assert (await now.followup(1)).content == "Posted drop #1 (0 cards)."
    assert bot_messages(flashdrop) == []

    await bot.command(boss, "settings unhide", {"deck": "python"})
    await tick(bot, DROP_INSTANT + timedelta(days=1, seconds=5))
    assert len(headings(flashdrop)) == 1 and len(bot_messages(flashdrop)) == 4

"""End to end: `/deck import` with an attached file, its preview, Confirm and Cancel, and the
imported deck being the guild's own: quizzable there, unseen in another guild."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.bot_fixture import Flashdrops, RunningBot
from tests.support.fakediscord import Attachment, InteractionRecord, Member, Message, Perm
from tests.support.harness import World

MATHS = b"What is 2 + 2?\t4\nWhat is 3 * 3?\t9\nWhat is 10 / 2?\t5\n"


def manager(flashdrop: Flashdrops, permissions: int = int(Perm.MANAGE_GUILD)) -> Member:
    server, guild = flashdrop.server, flashdrop.world.guild
    role = server.add_role(guild, "Deck editors", permissions)
    return server.add_member(guild, "editor", roles=[role])


async def import_file(
    bot: RunningBot, member: Member, filename: str, data: bytes, **options: Any
) -> InteractionRecord:
    file = Attachment(id=0, filename=filename, data=data)
    return await bot.command(member, "deck import", {"file": file, **options})


async def preview_of(record: InteractionRecord) -> Message:
    message = await record.followup(1)
    assert message.flags & 64  # ephemeral
    return message


async def press(
    bot: RunningBot, member: Member, message: Message, action: str
) -> InteractionRecord:
    [custom_id] = [c for c in message.custom_ids() if c.endswith(f":{action}")]
    record = bot.server.press_button(member, message, custom_id)
    await record
    await bot.settle()
    return record


async def test_deck_import_preview_confirm_then_quiz_in_that_guild_only(
    world: World, flashdrop: Flashdrops
) -> None:
    server = world.server
    other_guild = server.add_guild("Other group")
    other_channel = server.add_channel(other_guild, "cards")
    carol = server.add_member(other_guild, "carol")
    bot = await flashdrop.start()
    editor = manager(flashdrop)

    record = await import_file(bot, editor, "maths.tsv", MATHS)
    preview = await preview_of(record)

    assert preview.embed is not None and preview.embed["title"] == "Import maths?"
    fields = {f["name"]: f["value"] for f in preview.embed["fields"]}
    assert fields["Id"] == "`maths`" and fields["Cards"] == "3"
    assert "What is 2 + 2? → 4" in fields["First cards"]
    assert await bot.storage.decks.guild_decks() == []  # nothing before Confirm

    confirmed = await press(bot, editor, preview, "confirm")
    assert confirmed.callback is not None and confirmed.callback.type == 6
    assert preview.content.startswith("Imported **maths** (`maths`, 3 cards)")
    assert preview.components == []
    [stored] = await bot.storage.decks.guild_decks()
    assert (stored.guild_id, stored.deck_id) == (world.guild.id, "maths")

    card = await bot.quiz(world.alice, deck="maths")
    assert "What is" in card.content
    post = await bot.storage.posts.get_post(card.id)
    assert post is not None and post.deck_id == "maths"
    listed = await bot.command(world.alice, "deck list")
    assert listed.callback is not None and "`maths`" in listed.callback.embeds[0]["description"]
    reviewed = await bot.command(world.alice, "review", {"deck": "maths"})
    assert reviewed.callback is not None and "What is" in str(reviewed.callback.embeds[0])

    # Another guild neither lists it, nor offers it, nor quizzes it.
    quiz = server.invoke_command(carol, other_channel, "quiz", {"deck": "maths"})
    await quiz
    assert quiz.callback is not None and quiz.callback.content == "No deck `maths`."
    choices = await server.autocomplete(
        carol, other_channel, "quiz", {"deck": ""}, focused="deck"
    ).choices()
    assert [c["value"] for c in choices] == ["capitals", "python"]
    mine = await server.autocomplete(
        world.alice, world.channel, "quiz", {"deck": ""}, focused="deck"
    ).choices()
    assert [c["value"] for c in mine] == ["capitals", "maths", "python"]


async def test_deck_import_survives_a_restart(world: World, flashdrop: Flashdrops) -> None:
    first = await flashdrop.start()
    editor = manager(flashdrop)
    preview = await preview_of(await import_file(first, editor, "maths.tsv", MATHS))
    await press(first, editor, preview, "confirm")
    await first.stop()

    bot = await flashdrop.start()

    card = await bot.quiz(world.alice, deck="maths")
    assert "What is" in card.content


async def test_deck_import_cancel_stores_nothing(world: World, flashdrop: Flashdrops) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    preview = await preview_of(await import_file(bot, editor, "maths.tsv", MATHS))

    await press(bot, editor, preview, "cancel")

    assert preview.content == "Import cancelled: nothing was changed."
    assert await bot.storage.decks.guild_decks() == []
    quiz = await bot.command(world.alice, "quiz", {"deck": "maths"})
    assert quiz.callback is not None and quiz.callback.content == "No deck `maths`."


async def test_deck_import_buttons_are_the_importer_s_only(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    preview = await preview_of(await import_file(bot, editor, "maths.tsv", MATHS))

    pressed = await press(bot, world.bob, preview, "confirm")

    assert pressed.callback is not None and pressed.callback.ephemeral
    assert pressed.callback.content == (
        "Only the member who ran `/deck import` can confirm or cancel it."
    )
    assert await bot.storage.decks.guild_decks() == []


async def test_deck_import_preview_after_a_restart_has_expired(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    editor = manager(flashdrop)
    preview = await preview_of(await import_file(first, editor, "maths.tsv", MATHS))
    await first.stop()
    bot = await flashdrop.start()

    pressed = await press(bot, editor, preview, "confirm")

    assert pressed.callback is not None and pressed.callback.ephemeral
    assert pressed.callback.content == (
        "This import preview has expired: run `/deck import` again."
    )
    assert await bot.storage.decks.guild_decks() == []


async def test_deck_import_a_member_s_new_preview_expires_their_previous_one(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    first = await preview_of(await import_file(bot, editor, "maths.tsv", MATHS))
    second = await preview_of(await import_file(bot, editor, "sums.tsv", MATHS))

    pressed = await press(bot, editor, first, "confirm")

    assert pressed.callback is not None and pressed.callback.ephemeral
    assert pressed.callback.content == (
        "This import preview has expired: run `/deck import` again."
    )
    assert await bot.storage.decks.guild_decks() == []
    await press(bot, editor, second, "confirm")
    assert [d.deck_id for d in await bot.storage.decks.guild_decks()] == ["sums"]


async def test_deck_import_refused_to_a_non_manager(world: World, flashdrop: Flashdrops) -> None:
    bot = await flashdrop.start()

    record = await import_file(bot, world.alice, "maths.tsv", MATHS)

    assert record.callback is not None and record.callback.ephemeral
    assert record.callback.content == (
        "Only members with the Manage Server permission can import decks."
    )
    assert await bot.storage.decks.guild_decks() == []


async def test_deck_import_allowed_to_the_deck_manager_role(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start(deck_manager_role="Deck editors")
    editor = manager(flashdrop, permissions=0)

    preview = await preview_of(await import_file(bot, editor, "maths.tsv", MATHS))

    assert preview.embed is not None and preview.embed["title"] == "Import maths?"


@pytest.mark.parametrize(
    ("filename", "data", "problem"),
    [
        ("broken.yaml", b"name: Broken\ncards:\n  - id: a\n    question: Q\n", "broken.yaml:3:"),
        ("empty.csv", b"", "empty.csv: file is empty"),
        ("latin.tsv", b"caf\xe9\tcoffee\n", "latin.tsv:1: not valid UTF-8"),
    ],
    ids=["yaml-missing-answer", "empty", "not-utf8"],
)
async def test_deck_import_of_a_broken_file_answers_one_message_and_stores_nothing(
    world: World, flashdrop: Flashdrops, filename: str, data: bytes, problem: str
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)

    record = await import_file(bot, editor, filename, data)
    answer = await record.followup(1)

    assert answer.content.startswith(f"Could not import `{filename}`; nothing was changed.")
    assert problem in answer.content and answer.components == []
    assert len(record.followups) == 1
    assert await bot.storage.decks.guild_decks() == []


async def test_deck_import_of_a_yaml_deck_keeps_its_ids_and_replace_says_what_changes(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    v1 = b"name: Chem\ncards:\n  - {id: h, question: 'H?', answer: Hydrogen}\n"
    v2 = b"name: Chem\ncards:\n  - {id: he, question: 'He?', answer: Helium}\n"
    await press(
        bot, editor, await preview_of(await import_file(bot, editor, "chem.yaml", v1)), "confirm"
    )

    again = await import_file(bot, editor, "chem.yaml", v2)
    refused = await again.followup(1)
    assert "already has a deck `chem`" in refused.content and "replace:True" in refused.content

    preview = await preview_of(await import_file(bot, editor, "chem.yaml", v2, replace=True))
    assert preview.embed is not None
    fields = {f["name"]: f["value"] for f in preview.embed["fields"]}
    assert fields["Replaces this server's deck `chem`"] == (
        "kept (schedules stay): 0\nadded: 1: he\nretired (history kept): 1: h"
    )
    await press(bot, editor, preview, "confirm")
    card = await bot.quiz(world.alice, deck="chem")
    assert "He?" in card.content


async def test_deck_import_refuses_a_library_deck_s_id(world: World, flashdrop: Flashdrops) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)

    record = await import_file(bot, editor, "python.tsv", MATHS)

    answer = await record.followup(1)
    assert "`python` is the id of a library deck" in answer.content
    assert await bot.storage.decks.guild_decks() == []


async def test_deck_import_refuses_past_the_guild_s_card_limit(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start(max_cards_per_guild=2)
    editor = manager(flashdrop)

    record = await import_file(bot, editor, "maths.tsv", MATHS)

    answer = await record.followup(1)
    assert "more than the 2 cards a server may hold" in answer.content
    assert await bot.storage.decks.guild_decks() == []


async def test_deck_import_replace_of_an_edited_export_keeps_the_cards_ids_and_schedules(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    preview = await preview_of(await import_file(bot, editor, "maths.tsv", MATHS))
    await press(bot, editor, preview, "confirm")
    before = {
        card.question: card.id
        for card in bot.bot.catalog.guild_decks(world.guild.id)["maths"].cards
    }
    edited = b"What is 2 + 2?\tfour\nWhat is 3 * 3?\t9\nWhich is the capital of Peru?\tLima\n"

    preview = await preview_of(await import_file(bot, editor, "maths.tsv", edited, replace=True))

    assert preview.embed is not None
    fields = {f["name"]: f["value"] for f in preview.embed["fields"]}
    changes = fields["Replaces this server's deck `maths`"].split("\n")
    assert changes[0].startswith("kept (schedules stay): 2: ")
    assert changes[1].startswith("added: 1: ") and changes[2].startswith(
        "retired (history kept): 1: "
    )
    confirmed = await press(bot, editor, preview, "confirm")
    assert confirmed.callback is not None
    assert preview.content.startswith(
        "Imported **maths** (`maths`, 3 cards): 1 added, 1 edited, 1 retired"
    )
    after = {
        card.question: card.id
        for card in bot.bot.catalog.guild_decks(world.guild.id)["maths"].cards
    }
    assert after["What is 2 + 2?"] == before["What is 2 + 2?"]
    assert after["What is 3 * 3?"] == before["What is 3 * 3?"]


async def test_deck_import_of_a_file_over_25_mib_is_refused_before_downloading(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    downloads_before = len(world.server.requests)

    record = await import_file(bot, editor, "huge.csv", b"x" * (26 * 1024 * 1024))

    assert record.callback is not None and record.callback.ephemeral
    assert record.callback.content == ("`huge.csv` is 26 MiB; a deck upload may be at most 25 MiB.")
    assert not any(
        r.path.startswith("/attachments/") for r in world.server.requests[downloads_before:]
    )
    assert await bot.storage.decks.guild_decks() == []


async def test_deck_remove_after_confirm_takes_the_deck_out_and_keeps_its_history(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    await press(
        bot, editor, await preview_of(await import_file(bot, editor, "maths.tsv", MATHS)), "confirm"
    )
    await bot.quiz(world.alice, deck="maths")

    library = await bot.command(editor, "deck remove", {"deck": "python"})
    assert library.callback is not None and "is a library deck" in (library.callback.content or "")
    asked = await bot.command(editor, "deck remove", {"deck": "maths"})
    question = await asked.original_message()
    assert question.content.startswith("Remove **maths** (`maths`, 3 cards) from this server?")
    await press(bot, editor, question, "confirm")

    assert question.content == "Removed **maths** (`maths`)."
    assert await bot.storage.decks.guild_decks() == []
    quiz = await bot.command(world.alice, "quiz", {"deck": "maths"})
    assert quiz.callback is not None and quiz.callback.content == "No deck `maths`."
    assert len([row async for row in bot.storage.export.export_ratings()]) == 0  # none were made
    refused = await bot.command(world.alice, "deck remove", {"deck": "maths"})
    assert refused.callback is not None and "Only members with" in (refused.callback.content or "")

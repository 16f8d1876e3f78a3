"""End to end: `/deck export` answers the member privately with the deck as an attachment, in
each format, for a library deck and a guild deck; refusals for an unknown deck and a file over
the upload limit Discord states for the interaction."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.decks import parse_deck
from bot.decks.importers import import_bytes, read_package
from tests.e2e.test_deck_import import import_file, manager, press, preview_of
from tests.support.bot_fixture import Flashdrops, RunningBot
from tests.support.fakediscord import InteractionRecord, Member, Message
from tests.support.fakediscord.interactions import ATTACHMENT_SIZE_LIMIT
from tests.support.harness import World

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
PICS_DECK = """\
name: Pictures
cards:
- id: diagram
  question: What does this **diagram** show?
  answer: A convolution.
  image: pics.media/diagram.png
  tags: [vision]
- id: kern
  type: reversed
  question: Kern
  answer: nucleus
"""
MATHS = b"What is 2 + 2?\t4\nWhat is 3 * 3?\t9\n"


@pytest.fixture
def pictures(flashdrop: Flashdrops) -> Path:
    """A library deck whose card's image is a file beside it; returns the file."""
    (flashdrop.decks_dir / "pics.yaml").write_text(PICS_DECK, encoding="utf-8")
    image = flashdrop.decks_dir / "pics.media" / "diagram.png"
    image.parent.mkdir()
    image.write_bytes(PNG)
    return image


async def export(bot: RunningBot, member: Member, deck: str, fmt: str) -> InteractionRecord:
    return await bot.command(member, "deck export", {"deck": deck, "format": fmt})


async def exported_file(record: InteractionRecord) -> tuple[Message, str, bytes]:
    message = await record.followup(1)
    assert message.flags & 64  # ephemeral
    [attachment] = message.attachments
    return message, attachment.filename, attachment.data


async def test_deck_export_apkg_of_a_library_deck_carries_its_image(
    world: World, flashdrop: Flashdrops, pictures: Path, tmp_path: Path
) -> None:
    bot = await flashdrop.start()

    record = await export(bot, world.alice, "pics", "apkg")

    message, filename, data = await exported_file(record)
    assert filename == "pics.apkg"
    assert message.content.startswith("**Pictures** (`pics`, 3 cards) as an Anki package")
    path = tmp_path / filename
    path.write_bytes(data)
    package = read_package(path, deck_id="pics")
    assert package.media == {"diagram.png": PNG}
    questions = {card.question: card for card in package.deck.cards}
    assert set(questions) == {"What does this **diagram** show?", "Kern", "nucleus"}
    assert questions["What does this **diagram** show?"].image == "pics.media/diagram.png"
    assert questions["What does this **diagram** show?"].tags == ("vision",)


async def test_deck_export_yaml_is_the_deck_file(world: World, flashdrop: Flashdrops) -> None:
    bot = await flashdrop.start()

    _, filename, data = await exported_file(await export(bot, world.bob, "python", "yaml"))

    assert filename == "python.yaml"
    assert parse_deck(data, "python.yaml") == bot.bot.catalog.deck(world.guild.id, "python")


async def test_deck_export_csv_of_a_guild_deck_reimports_with_the_same_ids(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    await press(
        bot, editor, await preview_of(await import_file(bot, editor, "maths.tsv", MATHS)), "confirm"
    )
    before = bot.bot.catalog.deck(world.guild.id, "maths")
    assert before is not None

    _, filename, data = await exported_file(await export(bot, world.alice, "maths", "csv"))

    assert filename == "maths.csv"
    again = import_bytes(data, filename)
    sides = [(c.question, c.answer) for c in again.cards]
    assert sides == [("What is 2 + 2?", "4"), ("What is 3 * 3?", "9")]
    preview = await preview_of(await import_file(bot, editor, filename, data, replace=True))
    await press(bot, editor, preview, "confirm")
    after = bot.bot.catalog.deck(world.guild.id, "maths")
    assert after is not None and [c.id for c in after.cards] == [c.id for c in before.cards]


async def test_deck_export_of_an_unknown_deck_is_refused(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    record = await export(bot, world.alice, "nope", "csv")

    assert record.callback is not None and record.callback.ephemeral
    assert record.callback.content == "No deck `nope`."
    assert record.followups == []


@pytest.fixture
def big_picture(pictures: Path) -> Path:
    """The library deck's image made as big as the upload limit the fake Discord states:
    random bytes do not compress, so its package is bigger than the limit."""
    pictures.write_bytes(PNG + os.urandom(ATTACHMENT_SIZE_LIMIT))
    return pictures


async def test_deck_export_over_the_upload_limit_is_refused(
    world: World, flashdrop: Flashdrops, big_picture: Path
) -> None:
    bot = await flashdrop.start()

    record = await export(bot, world.alice, "pics", "apkg")

    message = await record.followup(1)
    assert message.flags & 64 and message.attachments == []
    assert re.fullmatch(
        r"`pics\.apkg` would be 10\.\d MiB, more than the 10 MiB Discord lets the bot upload"
        r" here: nothing was sent\.",
        message.content,
    )


async def test_deck_export_offers_the_guild_s_decks(world: World, flashdrop: Flashdrops) -> None:
    await flashdrop.start()

    choices = await world.server.autocomplete(
        world.alice, world.channel, "deck export", {"deck": "cap", "format": "csv"}, focused="deck"
    ).choices()

    assert [c["value"] for c in choices] == ["capitals"]


async def test_deck_export_format_is_a_choice_of_three(world: World, flashdrop: Flashdrops) -> None:
    await flashdrop.start()

    [deck] = [c for c in world.server.global_commands() if c.name == "deck"]
    [command] = [o for o in deck.payload["options"] if o["name"] == "export"]
    options = {o["name"]: o for o in command["options"]}
    assert [c["value"] for c in options["format"]["choices"]] == ["yaml", "csv", "apkg"]
    assert options["deck"]["autocomplete"] is True

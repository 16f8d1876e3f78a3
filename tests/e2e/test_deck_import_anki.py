"""End to end: `/deck import` of an Anki package (made by genanki and by Anki itself) as an
attachment, its preview, Confirm, then the card posted with its image attached from the
database, in /quiz, its reveal, /review and after a restart, in that guild and no other; a
hostile package answered in one line with nothing stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.decks.importers import import_upload
from bot.storage.database import fetch_all
from tests.decks.anki_fixtures import IMAGE, Packages, build
from tests.e2e.test_deck_import import import_file, manager, press, preview_of
from tests.e2e.test_review import start_review
from tests.support.bot_fixture import EYES, START, Flashdrops, RunningBot
from tests.support.harness import World

CELL = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


def genanki_package(path: Path, *, image: bytes = CELL) -> Path:
    """A one-note package as genanki writes it (collection.anki2), whose front shows an image."""
    import genanki

    media = path.parent / "cell.png"
    media.write_bytes(image)
    model = genanki.Model(
        1607392320,
        "Simple Model",
        fields=[{"name": "Question"}, {"name": "Answer"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
            }
        ],
    )
    deck = genanki.Deck(2059400111, "Cells")
    question = 'Which organelle is this? <img src="cell.png">'
    deck.add_note(genanki.Note(model=model, fields=[question, "The nucleus"], guid="g-cell"))
    package = genanki.Package(deck)
    package.media_files = [str(media)]
    package.write_to_file(str(path))
    return path


@pytest.fixture(scope="module")
def anki_packages(tmp_path_factory: pytest.TempPathFactory) -> Packages:
    """Packages made by Anki itself, once for this module (about a second)."""
    return build(tmp_path_factory.mktemp("anki"))


@pytest.fixture
def cells(tmp_path: Path) -> bytes:
    return genanki_package(tmp_path / "cells.apkg").read_bytes()


async def stored_media_rows(bot: RunningBot) -> tuple[int, int]:
    async with bot.storage.database.reading() as db:
        media = await fetch_all(db, "SELECT digest FROM media")
        names = await fetch_all(db, "SELECT name FROM deck_media")
    return len(media), len(names)


async def test_deck_import_of_a_genanki_package_then_quiz_posts_its_image_in_that_guild_only(
    world: World, flashdrop: Flashdrops, cells: bytes
) -> None:
    server = world.server
    other_guild = server.add_guild("Other group")
    other_channel = server.add_channel(other_guild, "cards")
    carol = server.add_member(other_guild, "carol")
    bot = await flashdrop.start()
    editor = manager(flashdrop)

    preview = await preview_of(await import_file(bot, editor, "cells.apkg", cells))

    assert preview.embed is not None and preview.embed["title"] == "Import Cells?"
    fields = {f["name"]: f["value"] for f in preview.embed["fields"]}
    assert (fields["Id"], fields["Cards"], fields["Card types"]) == ("`cells`", "1", "1 basic")
    assert fields["Images"] == f"1 ({len(CELL) / 1024:.0f} KiB)"
    assert "Which organelle is this?" in fields["First cards"]
    assert await stored_media_rows(bot) == (0, 0)  # nothing before Confirm

    await press(bot, editor, preview, "confirm")
    assert preview.content.startswith("Imported **Cells** (`cells`, 1 card)")
    [stored] = await bot.storage.decks.guild_decks()
    assert (stored.guild_id, stored.deck_id) == (world.guild.id, "cells")
    assert await bot.storage.media.files(world.guild.id, "cells") == {"cell.png": CELL}

    card = await bot.quiz(world.alice, deck="cells")
    assert "Which organelle is this?" in card.content
    assert [(a.filename, a.data) for a in card.attachments] == [("cell.png", CELL)]
    assert card.embed is not None and card.embed["image"]["url"] == "attachment://cell.png"
    await bot.react(world.bob, card, EYES)
    assert card.embed is not None and card.embed.get("title") == "Answer"
    assert (
        "The nucleus" in str(card.embed) and card.embed["image"]["url"] == "attachment://cell.png"
    )
    assert [(a.filename, a.data) for a in card.attachments] == [("cell.png", CELL)]

    quiz = server.invoke_command(carol, other_channel, "quiz", {"deck": "cells"})
    await quiz
    assert quiz.callback is not None and quiz.callback.content == "No deck `cells`."
    assert all(not m.attachments for m in server.channel_messages(other_channel))


async def test_deck_import_image_is_attached_in_review_and_after_a_restart(
    world: World, flashdrop: Flashdrops, cells: bytes
) -> None:
    first = await flashdrop.start()
    editor = manager(flashdrop)
    preview = await preview_of(await import_file(first, editor, "cells.apkg", cells))
    await press(first, editor, preview, "confirm")
    await first.stop()

    bot = await flashdrop.start()

    session = await start_review(bot, world.alice, deck="cells")
    assert "Which organelle is this?" in str(session.embed)
    assert [(a.filename, a.data) for a in session.attachments] == [("cell.png", CELL)]
    assert session.embed is not None
    assert session.embed["image"]["url"] == "attachment://cell.png"
    card = await bot.quiz(world.alice, deck="cells")
    assert [(a.filename, a.data) for a in card.attachments] == [("cell.png", CELL)]


async def test_deck_import_image_is_attached_to_a_drop_of_the_guild_deck(
    world: World, flashdrop: Flashdrops, cells: bytes
) -> None:
    first = await flashdrop.start()
    editor = manager(flashdrop)
    preview = await preview_of(await import_file(first, editor, "cells.apkg", cells))
    await press(first, editor, preview, "confirm")
    await first.stop()
    drop = {"guild_id": world.guild.id, "channel_id": world.channel.id, "deck": "cells"}
    bot = await flashdrop.start(drops=[{**drop, "time": "12:01", "timezone": "UTC", "cards": 1}])
    at = START + timedelta(minutes=1)
    bot.services.clock.set(at)  # type: ignore[attr-defined]

    await bot.bot.drops.tick(at)
    await bot.settle()

    [card] = [m for m in world.server.channel_messages(world.channel) if m.attachments]
    assert "Which organelle is this?" in card.content
    assert [(a.filename, a.data) for a in card.attachments] == [("cell.png", CELL)]


async def test_deck_import_of_a_deck_file_may_show_the_deck_s_stored_images(
    world: World, flashdrop: Flashdrops, cells: bytes
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    preview = await preview_of(await import_file(bot, editor, "cells.apkg", cells))
    await press(bot, editor, preview, "confirm")
    deck = (
        b"name: Cells\ncards:\n"
        b"  - {id: n, question: 'Which organelle?', answer: Nucleus, image: cells.media/cell.png}\n"
        b"  - {id: g, question: 'And this?', answer: Gone, image: cells.media/gone.png}\n"
    )

    preview = await preview_of(await import_file(bot, editor, "cells.yaml", deck, replace=True))

    assert preview.embed is not None
    fields = {f["name"]: f["value"] for f in preview.embed["fields"]}
    assert fields["Left out"] == (
        "cells.yaml: no image file gone.png: those cards are shown without their image"
    )
    await press(bot, editor, preview, "confirm")
    assert await bot.storage.media.files(world.guild.id, "cells") == {"cell.png": CELL}
    posted = [await bot.quiz(world.alice, deck="cells") for _ in range(2)]
    by_question = {"Which organelle?" in m.content: m for m in posted}
    assert [(a.filename, a.data) for a in by_question[True].attachments] == [("cell.png", CELL)]
    assert by_question[False].attachments == []


async def test_deck_import_of_an_anki_package_previews_types_images_and_what_was_left_out(
    world: World, flashdrop: Flashdrops, anki_packages: Packages
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)

    data = anki_packages.current.read_bytes()
    preview = await preview_of(await import_file(bot, editor, "biology.apkg", data))

    assert preview.embed is not None and preview.embed["title"] == "Import Biology?"
    fields = {f["name"]: f["value"] for f in preview.embed["fields"]}
    cards = len(import_upload(data, "biology.apkg").deck.cards)
    assert fields["Cards"] == str(cards) and fields["Images"].startswith("1 (")
    assert "biology.apkg: 1 card(s) had sounds" in fields["Left out"]
    assert "/tmp" not in str(preview.embed)  # the temporary file is never named

    await press(bot, editor, preview, "confirm")
    files = await bot.storage.media.files(world.guild.id, "biology")
    assert list(files.values()) == [IMAGE]


async def test_deck_import_replace_of_an_updated_package_keeps_ids_and_its_image(
    world: World, flashdrop: Flashdrops, anki_packages: Packages
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    first = await preview_of(
        await import_file(bot, editor, "biology.apkg", anki_packages.current.read_bytes())
    )
    await press(bot, editor, first, "confirm")
    before = {c.id for c in bot.bot.catalog.guild_decks(world.guild.id)["biology"].cards}

    updated = anki_packages.updated.read_bytes()
    preview = await preview_of(
        await import_file(bot, editor, "biology.apkg", updated, replace=True)
    )
    assert preview.embed is not None
    fields = {f["name"]: f["value"] for f in preview.embed["fields"]}
    replaced = fields["Replaces this server's deck `biology`"]
    # The cards the update removed retire; every other card (the edited ones too) keeps its id.
    gone = before - {c.id for c in import_upload(updated, "biology.apkg").deck.cards}
    assert gone and "added: 0" in replaced
    assert f"retired (history kept): {len(gone)}: " in replaced
    await press(bot, editor, preview, "confirm")

    after = {c.id for c in bot.bot.catalog.guild_decks(world.guild.id)["biology"].cards}
    assert after == before - gone
    assert list((await bot.storage.media.files(world.guild.id, "biology")).values()) == [IMAGE]
    assert await stored_media_rows(bot) == (1, 1)


@pytest.mark.parametrize(
    ("filename", "data", "problem"),
    [
        ("evil.apkg", b"this is no zip", "evil.apkg: not an Anki package: the file is not a zip"),
        ("evil.colpkg", b"PK\x03\x04" + b"\0" * 64, "evil.colpkg: "),
    ],
    ids=["not-a-zip", "broken-zip"],
)
async def test_deck_import_of_a_hostile_package_answers_one_line_and_stores_nothing(
    world: World, flashdrop: Flashdrops, filename: str, data: bytes, problem: str
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)

    record = await import_file(bot, editor, filename, data)
    answer = await record.followup(1)

    assert answer.content.startswith(f"Could not import `{filename}`; nothing was changed.")
    body = answer.content.split("```\n")[1].removesuffix("\n```")
    assert body.startswith(problem) and "\n" not in body  # one line
    assert answer.components == [] and len(record.followups) == 1
    assert await bot.storage.decks.guild_decks() == []
    assert await stored_media_rows(bot) == (0, 0)


async def test_deck_import_past_the_guild_s_media_limit_is_refused(
    world: World, flashdrop: Flashdrops, cells: bytes
) -> None:
    bot = await flashdrop.start(max_media_mib_per_guild=0)
    editor = manager(flashdrop)

    record = await import_file(bot, editor, "cells.apkg", cells)
    answer = await record.followup(1)

    assert "stores no images for a server's decks. Nothing was changed." in answer.content
    assert await bot.storage.decks.guild_decks() == []
    assert await stored_media_rows(bot) == (0, 0)


async def test_deck_import_media_limit_counts_the_guild_s_other_decks(
    world: World, flashdrop: Flashdrops, tmp_path: Path
) -> None:
    big = b"\x89PNG\r\n\x1a\n" + bytes(700 * 1024)
    bot = await flashdrop.start(max_media_mib_per_guild=1)
    editor = manager(flashdrop)
    first = genanki_package(tmp_path / "a.apkg", image=big).read_bytes()
    await press(
        bot, editor, await preview_of(await import_file(bot, editor, "a.apkg", first)), "confirm"
    )
    second = genanki_package(tmp_path / "b.apkg", image=big + b"other").read_bytes()

    record = await import_file(bot, editor, "b.apkg", second)
    answer = await record.followup(1)

    assert "this server's other decks 700 KiB: more than the 1 MiB" in answer.content
    assert [d.deck_id for d in await bot.storage.decks.guild_decks()] == ["a"]


async def test_deck_import_split_makes_a_deck_of_each_sub_deck_with_its_images(
    world: World, flashdrop: Flashdrops, anki_packages: Packages
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    data = anki_packages.current.read_bytes()
    preview = await preview_of(await import_file(bot, editor, "biology.apkg", data))
    assert preview.embed is not None
    assert "**Split into 2 decks** makes a deck of each" in preview.embed["description"]
    assert any(c.endswith(":split") for c in preview.custom_ids())

    await press(bot, editor, preview, "split")

    assert preview.embed is not None and preview.embed["title"] == "Import 2 decks?"
    fields = {f["name"]: f["value"] for f in preview.embed["fields"]}
    assert fields["Biology"].startswith("`biology`: ")
    assert fields["Biology / Cells"].startswith("`biology-cells`: ")
    assert "1 image(s)" in fields["Biology / Cells"]
    assert "biology.apkg: 1 card(s) had sounds" in fields["Left out"]
    assert [c.rsplit(":", 1)[1] for c in preview.custom_ids()] == ["confirm", "cancel"]
    assert await bot.storage.decks.guild_decks() == []  # nothing before Confirm

    await press(bot, editor, preview, "confirm")

    assert preview.content.startswith("Imported 2 decks:\n- **Biology** (`biology`, ")
    assert "- **Biology / Cells** (`biology-cells`, " in preview.content
    stored = await bot.storage.decks.guild_decks()
    assert [d.deck_id for d in stored] == ["biology", "biology-cells"]
    assert list((await bot.storage.media.files(world.guild.id, "biology-cells")).values()) == [
        IMAGE
    ]
    assert await bot.storage.media.files(world.guild.id, "biology") == {}
    whole = import_upload(data, "biology.apkg").deck
    split = bot.bot.catalog.guild_decks(world.guild.id)
    # The same cards, by id, whether imported whole or split.
    assert {c.id for c in whole.cards} == {
        c.id for deck_id in ("biology", "biology-cells") for c in split[deck_id].cards
    }


async def test_deck_import_of_a_package_without_sub_decks_offers_no_split(
    world: World, flashdrop: Flashdrops, cells: bytes
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)

    preview = await preview_of(await import_file(bot, editor, "cells.apkg", cells))

    assert [c.rsplit(":", 1)[1] for c in preview.custom_ids()] == ["confirm", "cancel"]
    assert preview.embed is not None and "Split" not in preview.embed["description"]


async def test_deck_import_split_into_a_deck_the_server_has_needs_replace(
    world: World, flashdrop: Flashdrops, anki_packages: Packages
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    data = anki_packages.current.read_bytes()
    first = await preview_of(await import_file(bot, editor, "biology.apkg", data))
    await press(bot, editor, first, "split")
    await press(bot, editor, first, "confirm")

    again = await preview_of(await import_file(bot, editor, "biology.apkg", data, replace=True))
    await press(bot, editor, again, "split")

    assert again.embed is not None
    fields = {f["name"]: f["value"] for f in again.embed["fields"]}
    assert "replaces this server's deck: " in fields["Biology / Cells"]
    assert "0 added, 0 retired" in fields["Biology / Cells"]
    await press(bot, editor, again, "confirm")
    assert [d.deck_id for d in await bot.storage.decks.guild_decks()] == [
        "biology",
        "biology-cells",
    ]


async def test_deck_import_of_its_own_apkg_export_keeps_every_id_and_the_image(
    world: World, flashdrop: Flashdrops, anki_packages: Packages
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    data = anki_packages.current.read_bytes()
    await press(
        bot,
        editor,
        await preview_of(await import_file(bot, editor, "biology.apkg", data)),
        "confirm",
    )
    before = bot.bot.catalog.guild_decks(world.guild.id)["biology"]

    record = await bot.command(world.alice, "deck export", {"deck": "biology", "format": "apkg"})
    [attachment] = (await record.followup(1)).attachments
    preview = await preview_of(
        await import_file(bot, editor, attachment.filename, attachment.data, replace=True)
    )

    assert preview.embed is not None
    fields = {f["name"]: f["value"] for f in preview.embed["fields"]}
    replaced = fields["Replaces this server's deck `biology`"]
    assert f"kept (schedules stay): {len(before.cards)}: " in replaced
    assert "added: 0\nretired (history kept): 0" in replaced
    await press(bot, editor, preview, "confirm")
    after = bot.bot.catalog.guild_decks(world.guild.id)["biology"]
    assert [c.id for c in after.cards] == [c.id for c in before.cards]
    assert list((await bot.storage.media.files(world.guild.id, "biology")).values()) == [IMAGE]


async def test_deck_import_confirm_pressed_while_splitting_waits_for_the_split_preview(
    world: World, flashdrop: Flashdrops, anki_packages: Packages
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    data = anki_packages.current.read_bytes()
    preview = await preview_of(await import_file(bot, editor, "biology.apkg", data))
    [split_id] = [c for c in preview.custom_ids() if c.endswith(":split")]
    [confirm_id] = [c for c in preview.custom_ids() if c.endswith(":confirm")]

    splitting = bot.server.press_button(editor, preview, split_id)
    early = bot.server.press_button(editor, preview, confirm_id)  # before the split is shown
    await splitting
    await early
    await bot.settle()

    assert early.callback is not None and early.callback.ephemeral
    assert early.callback.content == (
        "Splitting the package into its sub-decks: its preview comes in a moment."
    )
    assert await bot.storage.decks.guild_decks() == []
    assert preview.embed is not None and preview.embed["title"] == "Import 2 decks?"
    await press(bot, editor, preview, "confirm")
    stored = await bot.storage.decks.guild_decks()
    assert [d.deck_id for d in stored] == ["biology", "biology-cells"]

"""End to end: `/card add`, `/card edit` and the "Edit card" menu on a posted card open one
modal; what it saves goes through the deck validator into the server's own deck, keeping every
card's id and so everyone's schedule; later reveals show the new text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.e2e.test_deck_import import import_file, manager, press, preview_of
from tests.e2e.test_deck_rename import import_maths
from tests.e2e.test_quiz import EYES, RATING_PROMPT
from tests.storage.helpers import card_state, rating_history
from tests.support.bot_fixture import RATE, Flashdrops, RunningBot
from tests.support.fakediscord import Attachment, InteractionRecord, Member, Message
from tests.support.fakediscord.wire import CALLBACK_MODAL
from tests.support.harness import World

NEW_QUESTION = "What is 6 * 7?"


def fields(opened: InteractionRecord) -> dict[str, str]:
    """The modal's text inputs and what each holds when it opens."""
    assert opened.callback is not None and opened.callback.type == CALLBACK_MODAL
    found: dict[str, str] = {}
    for row in opened.callback.data["components"]:
        for item in row.get("components") or [row.get("component")]:
            found[item["custom_id"]] = item.get("value") or ""
    return found


async def submit(bot: RunningBot, opened: InteractionRecord, values: Mapping[str, str]) -> str:
    """Fill in and send the modal; the bot's (ephemeral) answer."""
    submitted = bot.server.submit_modal(opened, values)
    await submitted
    await bot.settle()
    assert submitted.callback is not None and submitted.callback.ephemeral
    return (await submitted.original_message()).content


async def menu(bot: RunningBot, member: Member, target: Message) -> InteractionRecord:
    record = bot.server.invoke_context_menu(member, bot.world.channel, "Edit card", target)
    await record
    await bot.settle()
    return record


async def stored_deck(bot: RunningBot, deck_id: str) -> Any:
    return [e.source for e in await bot.storage.decks.guild_decks() if e.deck_id == deck_id]


async def test_card_add_through_the_modal_then_quiz_posts_it(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    await import_maths(bot, editor)

    opened = await bot.command(editor, "card add", {"deck": "maths"})
    assert fields(opened) == {"question": "", "answer": "", "hint": ""}
    said = await submit(bot, opened, {"question": NEW_QUESTION, "answer": "42", "hint": "7s"})

    card = next(
        c
        for c in bot.bot.catalog.guild_decks(world.guild.id)["maths"].cards
        if c.question == NEW_QUESTION
    )
    assert said == f"Added `maths/{card.id}`. `/quiz deck:maths` can post it now."
    assert (card.answer, card.hint) == ("42", "7s")
    posted = [await bot.quiz(world.alice, deck="maths") for _ in range(4)]  # every card once
    assert sum(NEW_QUESTION in p.content for p in posted) == 1
    await bot.stop()
    bot = await flashdrop.start()  # stored, not only offered
    assert bot.bot.catalog.guild_decks(world.guild.id)["maths"].card(card.id) == card


async def test_edit_card_menu_keeps_the_rated_cards_schedule_and_reveals_show_the_edit(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    await import_maths(bot, editor)
    posted = await bot.quiz(world.alice, deck="maths")
    await bot.react(world.alice, posted, RATE[4])
    post = await bot.storage.posts.get_post(posted.id)
    assert post is not None
    ref = post.card
    before = await card_state(bot.storage, world.guild.id, world.alice.id, ref)
    assert before is not None and before.due is not None
    old = bot.bot.catalog.guild_decks(world.guild.id)["maths"].card(ref.card_id)
    assert old is not None

    opened = await menu(bot, editor, posted)
    assert fields(opened) == {"question": old.question, "answer": old.answer, "hint": ""}
    said = await submit(bot, opened, {"question": NEW_QUESTION, "answer": "42"})

    assert said == f"Saved `{ref}`; everyone's schedule of it is kept."
    assert await card_state(bot.storage, world.guild.id, world.alice.id, ref) == before
    assert len(await rating_history(bot.storage, world.guild.id, world.alice.id, ref)) == 1
    edited = bot.bot.catalog.find_card(world.guild.id, ref)
    assert edited is not None and (edited[1].question, edited[1].answer) == (NEW_QUESTION, "42")
    await bot.react(world.bob, posted, EYES)  # the post made before the edit reveals the edit
    await bot.settle()
    assert posted.embed is not None
    assert posted.embed["description"] == f"||42||\n\n{RATING_PROMPT}"

    # /card edit opens the same modal, prefilled with the saved text; the card autocompletes.
    choices = await bot.server.autocomplete(
        editor, world.channel, "card edit", {"deck": "maths", "card": "6 *"}, focused="card"
    ).choices()
    assert [c["value"] for c in choices] == [ref.card_id]
    again = await bot.command(editor, "card edit", {"deck": "maths", "card": ref.card_id})
    assert fields(again) == {"question": NEW_QUESTION, "answer": "42", "hint": ""}


async def test_card_edit_refuses_members_library_decks_and_bad_text_storing_nothing(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    await import_maths(bot, editor)
    source = await stored_deck(bot, "maths")
    card_id = bot.bot.catalog.guild_decks(world.guild.id)["maths"].cards[0].id

    member = await bot.command(world.alice, "card edit", {"deck": "maths", "card": card_id})
    adder = await bot.command(world.alice, "card add", {"deck": "maths"})
    library = await bot.command(editor, "card add", {"deck": "python"})
    library_edit = await bot.command(editor, "card edit", {"deck": "python", "card": "py-len"})
    quiz = await bot.quiz(world.alice, deck="python")
    library_menu = await menu(bot, editor, quiz)
    unknown = await bot.command(editor, "card edit", {"deck": "maths", "card": "nope"})

    refusal = "Only members with the Manage Server permission can add and edit cards."
    for record in (member, adder):
        assert record.callback is not None and record.callback.ephemeral
        assert record.callback.content == refusal
    for record in (library, library_edit, library_menu):
        assert record.callback is not None and record.callback.ephemeral
        assert record.callback.content is not None
        assert record.callback.content.startswith("`python` is a library deck")
    assert unknown.callback is not None and unknown.callback.content == (
        "Deck `maths` has no card `nope`."
    )

    opened = await bot.command(editor, "card edit", {"deck": "maths", "card": card_id})
    said = await submit(bot, opened, {"question": "   ", "answer": "4"})
    assert (
        said == f"Nothing was saved; the card is not valid:\n- card '{card_id}': question is empty"
    )
    assert await stored_deck(bot, "maths") == source
    assert bot.bot.catalog.guild_decks(world.guild.id)["maths"].cards[0].question != "   "
    offered = await bot.server.autocomplete(
        editor, world.channel, "card add", {"deck": ""}, focused="deck"
    ).choices()
    assert [c["value"] for c in offered] == ["maths"]  # the server's own decks, no library deck
    not_a_card = bot.server.send_as(world.alice, world.channel, "hello")
    record = await menu(bot, editor, not_a_card)
    assert record.callback is not None
    assert record.callback.content == "That message is not a card this bot posted here."


GEOGRAPHY = b"""\
name: Geography
cards:
  - id: oslo
    type: cloze
    question: "{{c1::Oslo}} is the capital of {{c2::Norway}}"
  - id: fr
    type: reversed
    question: France
    answer: Paris
"""


async def test_card_edit_of_typed_cards_edits_their_entry(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    preview = await preview_of(await import_file(bot, editor, "geo.yaml", GEOGRAPHY))
    await press(bot, editor, preview, "confirm")

    cloze = await bot.command(editor, "card edit", {"deck": "geo", "card": "oslo-c2"})
    assert fields(cloze) == {
        "question": "{{c1::Oslo}} is the capital of {{c2::Norway}}",
        "answer": "",
        "hint": "",
    }
    said = await submit(bot, cloze, {"question": "{{c1::Bergen}} is a city in {{c2::Norway}}"})
    assert said == "Saved `geo/oslo-c2` (its entry's other cards too: `oslo-c1`); everyone's" + (
        " schedule of it is kept."
    )
    reverse = await bot.command(editor, "card edit", {"deck": "geo", "card": "fr-reverse"})
    assert fields(reverse) == {"question": "France", "answer": "Paris", "hint": ""}
    await submit(bot, reverse, {"question": "Italy", "answer": "Rome"})

    deck = bot.bot.catalog.guild_decks(world.guild.id)["geo"]
    shown = {c.id: (c.question, c.answer) for c in deck.cards}
    assert shown == {
        "oslo-c1": ("[…] is a city in Norway", "**Bergen** is a city in Norway"),
        "oslo-c2": ("Bergen is a city in […]", "Bergen is a city in **Norway**"),
        "fr": ("Italy", "Rome"),
        "fr-reverse": ("Rome", "Italy"),
    }


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(80))  # the bot never decodes it


async def test_card_add_with_an_image_stores_it_and_quiz_attaches_it(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    await import_maths(bot, editor)
    image = Attachment(id=0, filename="My Diagram.png", data=PNG)

    opened = await bot.command(editor, "card add", {"deck": "maths", "image": image})
    said = await submit(bot, opened, {"question": "What does it show?", "answer": "A sum"})

    [card] = [c for c in bot.bot.catalog.guild_decks(world.guild.id)["maths"].cards if c.image]
    assert said.startswith(f"Added `maths/{card.id}`")
    assert card.image is not None and card.image.startswith("maths.media/")
    name = card.image.removeprefix("maths.media/")
    assert await bot.storage.media.files(world.guild.id, "maths") == {name: PNG}
    posted = [await bot.quiz(world.alice, deck="maths") for _ in range(4)]
    [shown] = [p for p in posted if "What does it show?" in p.content]
    assert [(a.filename, a.data) for a in shown.attachments] == [(name, PNG)]


async def test_card_add_refuses_an_attachment_that_is_no_image_before_the_form(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    editor = manager(flashdrop)
    await import_maths(bot, editor)
    before = await stored_deck(bot, "maths")
    notes = Attachment(id=0, filename="notes.txt", data=b"not a picture")

    record = await bot.command(editor, "card add", {"deck": "maths", "image": notes})

    assert record.callback is not None and record.callback.ephemeral
    assert record.callback.content == (
        "Nothing was saved: the image `notes.txt` is not an image file (.png, .jpg, .gif, .webp)."
    )
    assert await stored_deck(bot, "maths") == before
    assert await bot.storage.media.files(world.guild.id, "maths") == {}

"""End to end: `/quiz` posts a card, 👀 reveals it, 1️⃣-5️⃣ reactions are members' ratings.

The real Flashdrop bot runs against the loopback Discord with a real SQLite file and a fake
clock (see ``tests/support/bot_fixture.py``); members act through the server, and the tests read
back both what Discord shows and what the bot stored.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.models import CardRef, Rating
from bot.core.posts import PostKind
from bot.core.ratings import RatingSource
from tests.storage.helpers import card_state, effective_ratings, rating_history
from tests.support.bot_fixture import EYES, RATE, START, Flashdrops, RunningBot
from tests.support.clock import FakeClock
from tests.support.fakediscord import Message, Perm
from tests.support.harness import World

MESSAGES = "POST /channels/{channel_id}/messages"
REACT = "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
THUMBS_UP = "\N{THUMBS UP SIGN}"
ZERO = "0\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}"  # a keycap, but no rating
RATING_PROMPT = "How well did you know this? 1 Not at all … 5 Perfectly"
DENMARK = CardRef("capitals", "dk")
TODAY = START.date()


async def stored_ratings(bot: RunningBot) -> list[object]:
    return [row async for row in bot.storage.export.export_ratings()]


def revealed(card: Message) -> bool:
    return card.embed is not None and card.embed.get("title") == "Answer"


async def own_reaction_handled(bot: RunningBot, card: Message, emoji: str) -> None:
    """Wait until the bot has received and handled the event of its own reaction."""
    await bot.recorder.wait_for(
        "raw_reaction_add",
        check=lambda p: (
            (p.user_id, p.message_id, str(p.emoji)) == (bot.server.bot.id, card.id, emoji)
        ),
    )
    await bot.settle()


# -- posting ---------------------------------------------------------------------------------------


async def test_quiz_posts_card_showing_deck_and_question_with_reveal_reaction(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    card = await bot.quiz(world.alice, deck="capitals")
    await own_reaction_handled(bot, card, EYES)

    assert card.content.startswith("\N{FLOWER PLAYING CARDS} **Capitals**\n")
    assert "What is the capital of Denmark?" in card.content
    assert "Copenhagen" not in card.content and card.embeds == []
    assert list(card.reactions) == [EYES] and card.reactors(EYES) == [world.server.bot.id]
    post = await bot.storage.posts.get_post(card.id)
    assert (post.card, post.kind, post.channel_id, post.guild_id) == (
        DENMARK,
        PostKind.QUIZ,
        world.channel.id,
        world.guild.id,
    )
    assert post.revealed_at is None  # the bot's own 👀 reveals nothing


async def test_quiz_tells_only_the_member_which_deck_was_posted(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    record = await bot.command(world.alice, "quiz", {"deck": "capitals"})

    note = await record.followup(1)
    assert note.ephemeral and note.content == "Posted a card from **Capitals**."


async def test_quiz_posts_the_decks_next_card_not_the_one_just_posted(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    first = await bot.quiz(world.alice, deck="python")
    second = await bot.quiz(world.bob, deck="python")

    posts = [await bot.storage.posts.get_post(card.id) for card in (first, second)]
    assert [post.card_id for post in posts] == ["py-len", "py-def"]


async def test_quiz_prefers_the_card_due_for_the_most_members(
    world: World, flashdrop: Flashdrops, clock: FakeClock
) -> None:
    bot = await flashdrop.start()
    first = await bot.quiz(world.alice, deck="python")  # py-len, new to everyone
    await bot.react(world.alice, first, RATE[1])
    await bot.react(world.bob, first, RATE[1])
    # Past recent_post_days, so only being due counts: py-len is due for both members.
    clock.advance(timedelta(days=4))

    again = await bot.quiz(world.alice, deck="python")

    assert (await bot.storage.posts.get_post(again.id)).card_id == "py-len"


async def test_quiz_shows_a_cards_hint_behind_a_spoiler(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    await bot.quiz(world.alice, deck="python")

    card = await bot.quiz(world.alice, deck="python")  # py-def, the card with a hint

    assert card.embed is not None and card.embed["description"] == "Hint: ||three letters||"


async def test_quiz_unknown_deck_answers_privately_and_posts_nothing(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    record = await bot.command(world.alice, "quiz", {"deck": "nope"})

    assert record.ephemeral and record.callback is not None
    assert record.callback.content == "No deck `nope`."
    assert world.server.channel_messages(world.channel) == []


async def test_quiz_deck_autocomplete_offers_matching_decks(
    world: World, flashdrop: Flashdrops
) -> None:
    await flashdrop.start()

    choices = await world.server.autocomplete(
        world.alice, world.channel, "quiz", {"deck": "pyt"}, focused="deck"
    ).choices()

    assert choices == [{"name": "Python basics (python)", "value": "python"}]


@pytest.mark.parametrize(
    ("denied", "named"),
    [
        (Perm.ADD_REACTIONS, "Add Reactions"),
        (Perm.SEND_MESSAGES, "Send Messages"),
        (Perm.EMBED_LINKS, "Embed Links"),
    ],
    ids=["add-reactions", "send-messages", "embed-links"],
)
async def test_quiz_without_permission_names_it_privately_and_stores_nothing(
    world: World,
    flashdrop: Flashdrops,
    caplog: pytest.LogCaptureFixture,
    denied: Perm,
    named: str,
) -> None:
    bot = await flashdrop.start()
    world.server.set_overwrite(world.channel, world.guild.everyone, deny=denied)

    with caplog.at_level(logging.WARNING, logger="bot"):
        record = await bot.command(world.alice, "quiz", {"deck": "capitals"})

    assert record.ephemeral and record.callback is not None
    content = record.callback.content or ""
    assert content.startswith("I can't post cards in this channel: I'm missing the ")
    assert f"**{named}**" in content
    assert world.server.channel_messages(world.channel) == []
    assert await bot.storage.posts.posts_since(START - timedelta(days=30)) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(named in line and str(world.channel.id) in line for line in warnings)


async def test_quiz_refused_by_discord_after_a_permission_change_names_it_once(
    world: World, flashdrop: Flashdrops, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await flashdrop.start()
    server = world.server

    with caplog.at_level(logging.WARNING, logger="bot"):
        record = server.invoke_command(world.alice, world.channel, "quiz", {"deck": "capitals"})
        # Revoked after Discord computed the interaction's app_permissions: the post gets a 403.
        server.set_overwrite(world.channel, world.guild.everyone, deny=Perm.SEND_MESSAGES)
        await record
        await bot.settle()

    assert [r.status for r in server.requests_to(MESSAGES)] == [403]
    [reply] = record.followups
    assert reply.ephemeral
    assert reply.content.startswith("I can't post cards in this channel: I'm missing the ")
    assert "**Send Messages**" in reply.content
    assert await bot.storage.posts.posts_since(START - timedelta(days=30)) == []
    assert any("Missing Permissions" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("route", [MESSAGES, REACT], ids=["message", "reaction"])
async def test_quiz_rate_limited_twice_is_retried_and_card_arrives(
    world: World, flashdrop: Flashdrops, route: str
) -> None:
    bot = await flashdrop.start()
    world.server.force_rate_limit(route, times=2, retry_after=0.02)

    card = await bot.quiz(world.alice, deck="capitals")

    succeeded = 204 if route == REACT else 200
    assert [r.status for r in world.server.requests_to(route)] == [429, 429, succeeded]
    assert card.reactors(EYES) == [world.server.bot.id]
    assert (await bot.storage.posts.get_post(card.id)).card == DENMARK


# -- revealing -------------------------------------------------------------------------------------


async def test_reveal_reaction_by_member_shows_spoilered_answer_and_rating_reactions(
    world: World, flashdrop: Flashdrops, clock: FakeClock
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")
    clock.advance(timedelta(minutes=5))

    await bot.react(world.bob, card, EYES)
    await own_reaction_handled(bot, card, RATE[5])

    assert "What is the capital of Denmark?" in card.content
    assert card.embed is not None
    assert card.embed["description"] == f"||Copenhagen||\n\n{RATING_PROMPT}"
    assert list(card.reactions) == [EYES, *RATE.values()]
    assert all(card.reactors(RATE[n]) == [world.server.bot.id] for n in RATE)
    assert (await bot.storage.posts.get_post(card.id)).revealed_at == clock.now()
    assert await stored_ratings(bot) == []  # the bot's own 1️⃣-5️⃣ are no ratings


async def test_reveal_without_spoilers_shows_plain_answer(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start(quiz={"spoiler_answers": False})
    card = await bot.quiz(world.alice, deck="capitals")

    await bot.react(world.alice, card, EYES)

    assert card.embed is not None
    assert card.embed["description"] == f"Copenhagen\n\n{RATING_PROMPT}"


async def test_reveal_with_configured_emoji_only(world: World, flashdrop: Flashdrops) -> None:
    bot = await flashdrop.start(quiz={"reveal_emoji": "\N{BRAIN}"})
    card = await bot.quiz(world.alice, deck="capitals")

    await bot.react(world.alice, card, EYES)
    assert not revealed(card)
    await bot.react(world.alice, card, "\N{BRAIN}")

    assert "React \N{BRAIN} to reveal" in card.edits[0]["content"]
    assert revealed(card)


async def test_auto_reveal_sweep_reveals_posts_older_than_configured_minutes(
    world: World, flashdrop: Flashdrops, clock: FakeClock
) -> None:
    bot = await flashdrop.start(quiz={"auto_reveal_after_minutes": 30})
    card = await bot.quiz(world.alice, deck="capitals")

    clock.advance(timedelta(minutes=29))
    await bot.posted_cards_cog.sweep()
    assert not revealed(card)
    clock.advance(timedelta(minutes=2))
    await bot.posted_cards_cog.sweep()

    assert revealed(card) and list(card.reactions) == [EYES, *RATE.values()]
    assert (await bot.storage.posts.get_post(card.id)).revealed_at == clock.now()


# -- rating ----------------------------------------------------------------------------------------


async def test_rating_reaction_is_stored_and_schedules_the_card_at_once(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")

    await bot.react(world.alice, card, RATE[4])

    [event] = await rating_history(bot.storage, world.guild.id, world.alice.id, DENMARK)
    assert (event.rating, event.source, event.post_id) == (
        Rating.MOSTLY,
        RatingSource.REACTION,
        card.id,
    )
    state = await card_state(bot.storage, world.guild.id, world.alice.id, DENMARK)
    assert state is not None and state.reps == 1 and state.due > TODAY


async def test_rating_by_three_members_gives_three_ratings_and_three_due_dates(
    world: World, flashdrop: Flashdrops, clock: FakeClock
) -> None:
    # On a card new to a member, 1 and 3 both come back tomorrow (FSRS "Again" and "Hard" with
    # no learning steps, pinned in tests/core/test_scheduling.py), so the three members first
    # learn the card, and rate it 1, 3 and 5 when it is due again.
    bot = await flashdrop.start()
    carol = world.server.add_member(world.guild, "carol")
    members = [world.alice, world.bob, carol]
    first = await bot.quiz(world.alice, deck="capitals")
    for member in members:
        await bot.react(member, first, RATE[4])
    clock.advance(timedelta(days=2))
    second = await bot.quiz(world.alice, deck="capitals")

    for member, rating in zip(members, (1, 3, 5), strict=True):
        await bot.react(member, second, RATE[rating])

    assert await effective_ratings(bot.storage, second.id) == {
        world.alice.id: Rating.NOT_AT_ALL,
        world.bob.id: Rating.SOMEWHAT,
        carol.id: Rating.PERFECTLY,
    }
    states = [await card_state(bot.storage, world.guild.id, m.id, DENMARK) for m in members]
    dues = [state.due for state in states]
    assert dues == sorted(set(dues)) and len(dues) == 3  # three dates, 1 soonest, 5 latest
    assert dues[0] == clock.now().date() + timedelta(days=1)


async def test_rating_changed_reaction_leaves_one_effective_rating(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")
    await bot.react(world.bob, card, RATE[4])  # a reference: bob's only rating is a 4

    await bot.react(world.alice, card, RATE[2])
    await bot.react(world.alice, card, RATE[4])

    assert (await effective_ratings(bot.storage, card.id))[world.alice.id] is Rating.MOSTLY
    alice = await card_state(bot.storage, world.guild.id, world.alice.id, DENMARK)
    bob = await card_state(bot.storage, world.guild.id, world.bob.id, DENMARK)
    assert alice.reps == 1 and (alice.due, alice.stability) == (bob.due, bob.stability)


async def test_rating_removed_after_a_change_keeps_the_new_rating(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")
    await bot.react(world.alice, card, RATE[2])
    await bot.react(world.alice, card, RATE[4])

    await bot.unreact(world.alice, card, RATE[2])

    assert await effective_ratings(bot.storage, card.id) == {world.alice.id: Rating.MOSTLY}


async def test_rating_removed_latest_falls_back_to_the_reaction_still_on(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")
    await bot.react(world.alice, card, RATE[2])
    await bot.react(world.alice, card, RATE[4])

    await bot.unreact(world.alice, card, RATE[4])

    assert await effective_ratings(bot.storage, card.id) == {world.alice.id: Rating.BARELY}


async def test_rating_removed_reaction_retracts_the_rating(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")
    await bot.react(world.alice, card, RATE[3])

    await bot.unreact(world.alice, card, RATE[3])

    assert await effective_ratings(bot.storage, card.id) == {}
    assert await card_state(bot.storage, world.guild.id, world.alice.id, DENMARK) is None
    [event] = await rating_history(bot.storage, world.guild.id, world.alice.id, DENMARK)
    assert event.retracted


async def test_rating_keycap_without_variation_selector_counts(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")

    await bot.react(world.alice, card, "3\N{COMBINING ENCLOSING KEYCAP}")

    assert await effective_ratings(bot.storage, card.id) == {world.alice.id: Rating.SOMEWHAT}


@pytest.mark.parametrize("case", ["bot-member", "unrelated-message", "other-emoji"])
async def test_rating_ignores_bots_other_messages_and_other_emoji(
    world: World, flashdrop: Flashdrops, case: str
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")
    server = world.server
    if case == "bot-member":
        helper = server.add_member(world.guild, "helper-bot", bot=True)
        await bot.react(helper, card, EYES)
        await bot.react(helper, card, RATE[3])
    elif case == "unrelated-message":
        chat = server.send_as(world.bob, world.channel, "anyone up for a quiz?")
        await bot.react(world.alice, chat, EYES)
        await bot.react(world.alice, chat, RATE[3])
        assert chat.embeds == [] and chat.edits == []
    else:
        await bot.react(world.alice, card, THUMBS_UP)
        await bot.react(world.alice, card, ZERO)

    assert await stored_ratings(bot) == []
    assert not revealed(card) and (await bot.storage.posts.get_post(card.id)).revealed_at is None


# -- answers a spoiler cannot hide -----------------------------------------------------------------

CODE_DECK = """\
name: Code
cards:
- id: mutable-default
  question: What is wrong with `def add(item, items=[]):`?
  answer: |
    The default list is shared by every call. Use `None`:
    ```python
    def add(item, items=None):
        items = [] if items is None else items
    ```
  hint: |
    Look at when this runs:
    ```python
    items=[]
    ```
"""


def with_code_deck(flashdrop: Flashdrops) -> None:
    (flashdrop.decks_dir / "code.yaml").write_text(CODE_DECK, encoding="utf-8")


async def test_reveal_of_a_code_block_answer_keeps_it_off_the_channel_and_offers_it_privately(
    world: World, flashdrop: Flashdrops
) -> None:
    with_code_deck(flashdrop)
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="code")

    await bot.react(world.bob, card, EYES)

    assert revealed(card)
    shown = card.content + str(card.embeds)
    assert "def add(item, items=None)" not in shown and "```" not in shown
    # The Show answer button first, then the Flag button every revealed post has.
    assert card.custom_ids() == [f"card:answer:{card.id}", f"card:flag:{card.id}"]
    press = world.server.press_button(world.alice, card, f"card:answer:{card.id}")
    reply = await press
    assert reply.ephemeral
    assert "def add(item, items=None)" in reply.embeds[0]["description"]


async def test_code_block_hint_is_offered_privately_not_shown_before_the_reveal(
    world: World, flashdrop: Flashdrops
) -> None:
    with_code_deck(flashdrop)
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="code")

    assert card.embed is not None and "items=[]" not in card.embed["description"]
    assert card.custom_ids() == [f"card:hint:{card.id}"]
    reply = await world.server.press_button(world.bob, card, f"card:hint:{card.id}")
    assert reply.ephemeral and "items=[]" in reply.embeds[0]["description"]


async def test_private_answer_button_still_answers_after_a_restart(
    world: World, flashdrop: Flashdrops
) -> None:
    with_code_deck(flashdrop)
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="code")
    await bot.react(world.bob, card, EYES)
    await bot.stop()

    await flashdrop.start()
    reply = await world.server.press_button(world.bob, card, f"card:answer:{card.id}")

    assert reply.ephemeral and "def add(item, items=None)" in reply.embeds[0]["description"]


# -- a reveal Discord refuses half-way -------------------------------------------------------------

EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"


async def test_reveal_whose_edit_is_refused_is_finished_by_the_next_sweep(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")
    world.server.force_rate_limit(EDIT, times=1, via=False)  # discord.py raises, no retry

    await bot.react(world.bob, card, EYES)
    assert not revealed(card)
    assert (await bot.storage.posts.get_post(card.id)).revealed_at is None

    await bot.posted_cards_cog.sweep()

    assert revealed(card) and list(card.reactions) == [EYES, *RATE.values()]
    assert (await bot.storage.posts.get_post(card.id)).revealed_at is not None


async def test_reveal_forbidden_by_permissions_is_not_retried_every_sweep_but_on_the_next_eyes(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start(quiz={"auto_reveal_after_minutes": 1})
    card = await bot.quiz(world.alice, deck="capitals")
    server = world.server
    server.set_overwrite(world.channel, world.guild.everyone, deny=Perm.ADD_REACTIONS)

    await bot.react(world.bob, card, EYES)  # the edit works, the 1️⃣-5️⃣ are refused
    refused = len(server.requests_to(REACT))
    bot.services.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    await bot.posted_cards_cog.sweep()
    await bot.posted_cards_cog.sweep()
    assert len(server.requests_to(REACT)) == refused  # the sweeps leave it alone
    assert (await bot.storage.posts.get_post(card.id)).revealed_at is None

    server.set_overwrite(world.channel, world.guild.everyone, deny=0)  # an admin fixes the role
    await bot.react(world.alice, card, EYES)

    assert revealed(card) and list(card.reactions) == [EYES, *RATE.values()]
    assert (await bot.storage.posts.get_post(card.id)).revealed_at is not None


# -- card types: reversed and cloze entries post as ordinary cards ---------------------------------

TYPES_DECK = """\
name: Card types
cards:
- id: dk
  type: reversed
  question: What is the capital of Denmark?
  answer: Copenhagen
- id: water
  type: cloze
  question: Water boils at {{c1::100 °C}} at {{c2::sea level::where}}.
  answer: At 1 atm.
"""


async def test_quiz_posts_both_cards_of_a_reversed_entry_each_with_its_own_schedule(
    world: World, flashdrop: Flashdrops
) -> None:
    (flashdrop.decks_dir / "types.yaml").write_text(TYPES_DECK, encoding="utf-8")
    bot = await flashdrop.start()

    forward = await bot.quiz(world.alice, deck="types")
    between = await bot.quiz(world.alice, deck="types")  # not the reverse: it would give away
    reverse = await bot.quiz(world.alice, deck="types")
    assert (await bot.storage.posts.get_post(between.id)).card_id == "water-c1"
    await bot.react(world.bob, reverse, EYES)
    await bot.react(world.alice, forward, RATE[5])
    await bot.react(world.alice, reverse, RATE[1])

    posts = [await bot.storage.posts.get_post(card.id) for card in (forward, reverse)]
    assert [post.card_id for post in posts] == ["dk", "dk-reverse"]
    assert "What is the capital of Denmark?" in forward.content
    assert "Copenhagen" in reverse.content and "Denmark" not in reverse.content
    assert reverse.embed is not None
    assert "||What is the capital of Denmark?||" in reverse.embed["description"]
    states = [
        await card_state(bot.storage, world.guild.id, world.alice.id, CardRef("types", card_id))
        for card_id in ("dk", "dk-reverse")
    ]
    assert states[0] is not None and states[1] is not None
    assert states[0].due > states[1].due  # a 5 and a 1: two schedules


async def test_quiz_posts_a_cloze_card_hiding_its_deletion_and_reveals_it_in_bold(
    world: World, flashdrop: Flashdrops
) -> None:
    (flashdrop.decks_dir / "types.yaml").write_text(TYPES_DECK, encoding="utf-8")
    bot = await flashdrop.start()
    # Deck order, one card of an entry at a time: dk, water-c1, dk-reverse, water-c2.
    first = (await bot.quiz(world.alice, deck="types"), await bot.quiz(world.alice, deck="types"))
    third = await bot.quiz(world.alice, deck="types")
    second = await bot.quiz(world.bob, deck="types")
    await bot.react(world.bob, second, EYES)

    posted = [(await bot.storage.posts.get_post(c.id)).card_id for c in (*first, third, second)]
    assert posted == ["dk", "water-c1", "dk-reverse", "water-c2"]
    first = first[1]
    assert "Water boils at […] at sea level." in first.content
    assert "Water boils at 100 °C at [where]." in second.content
    assert "sea level" not in second.content.split("\n")[1]
    assert second.embed is not None
    assert second.embed["description"].startswith(
        "||Water boils at 100 °C at **sea level**.\n\nAt 1 atm.||"
    )


async def test_deck_info_counts_a_decks_entries_per_card_type(
    world: World, flashdrop: Flashdrops
) -> None:
    (flashdrop.decks_dir / "types.yaml").write_text(TYPES_DECK, encoding="utf-8")
    bot = await flashdrop.start()

    record = await bot.command(world.alice, "deck info", {"deck": "types"})

    assert record.callback is not None
    [embed] = record.callback.embeds
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Cards"] == "4: 1 reversed (2 cards), 1 cloze (2 cards)"


# -- local images: attached to the posted card -----------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))  # the bot never decodes it
PICS_DECK = """\
name: Pictures
cards:
- id: diagram
  question: What does this diagram show?
  answer: A convolution.
  image: pics.media/diagram.png
"""


@pytest.fixture
def pictures(flashdrop: Flashdrops) -> Path:
    """A deck whose card's image is a file beside it; returns the file."""
    (flashdrop.decks_dir / "pics.yaml").write_text(PICS_DECK, encoding="utf-8")
    image = flashdrop.decks_dir / "pics.media" / "diagram.png"
    image.parent.mkdir()
    image.write_bytes(PNG)
    return image


async def test_quiz_attaches_a_local_image_and_its_embed_shows_the_attachment(
    world: World, flashdrop: Flashdrops, pictures: Path
) -> None:
    bot = await flashdrop.start()

    card = await bot.quiz(world.alice, deck="pics")

    assert [(a.filename, a.data) for a in card.attachments] == [("diagram.png", PNG)]
    assert card.embed is not None and card.embed["image"]["url"] == "attachment://diagram.png"
    await bot.react(world.bob, card, EYES)
    assert revealed(card) and card.embed is not None
    assert card.embed["image"]["url"] == "attachment://diagram.png"
    assert [(a.filename, a.data) for a in card.attachments] == [("diagram.png", PNG)]


async def test_quiz_card_whose_image_file_vanished_is_posted_without_it_and_logged(
    world: World, flashdrop: Flashdrops, pictures: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await flashdrop.start()
    await asyncio.to_thread(pictures.unlink)

    with caplog.at_level(logging.WARNING, logger="bot.services.posting"):
        card = await bot.quiz(world.alice, deck="pics")

    assert "What does this diagram show?" in card.content
    assert card.attachments == [] and card.embeds == []
    assert "pics/diagram: cannot read image" in caplog.text


async def test_quiz_where_the_bot_may_not_attach_files_posts_the_card_without_its_image(
    world: World, flashdrop: Flashdrops, pictures: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await flashdrop.start()
    world.server.set_overwrite(world.channel, world.guild.everyone, deny=Perm.ATTACH_FILES)

    with caplog.at_level(logging.WARNING, logger="bot.services.posting"):
        card = await bot.quiz(world.alice, deck="pics")

    assert "What does this diagram show?" in card.content
    assert card.attachments == [] and card.embeds == []
    assert "the image could not be attached" in caplog.text


async def test_drop_attaches_a_local_image_to_its_card(
    world: World, flashdrop: Flashdrops, pictures: Path
) -> None:
    drop = {"guild_id": world.guild.id, "channel_id": world.channel.id, "deck": "pics"}
    bot = await flashdrop.start(drops=[{**drop, "time": "12:01", "timezone": "UTC", "cards": 1}])
    at = START + timedelta(minutes=1)
    bot.services.clock.set(at)  # type: ignore[attr-defined]
    await bot.bot.drops.tick(at)
    await bot.settle()

    [card] = [m for m in world.server.channel_messages(world.channel) if m.attachments]
    assert [(a.filename, a.data) for a in card.attachments] == [("diagram.png", PNG)]
    assert card.embed is not None and card.embed["image"]["url"] == "attachment://diagram.png"
    assert (await bot.storage.posts.get_post(card.id)).kind is PostKind.DROP


async def test_quiz_never_attaches_a_file_outside_the_decks_folder(
    world: World, flashdrop: Flashdrops, pictures: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = flashdrop.decks_dir.parent / "secret.png"
    secret.write_bytes(PNG)
    escaping = PICS_DECK.replace("pics.media/diagram.png", "pics.media/../../secret.png")
    (flashdrop.decks_dir / "pics.yaml").write_text(escaping, encoding="utf-8")

    with caplog.at_level(logging.WARNING):
        bot = await flashdrop.start()  # the deck check refuses the path: the deck is not loaded
        record = await bot.command(world.alice, "quiz", {"deck": "pics"})

    assert "pics.yaml" in caplog.text and "deck not loaded" in caplog.text
    assert record.callback is not None and record.callback.content == "No deck `pics`."
    assert all(not m.attachments for m in world.server.channel_messages(world.channel))

"""End to end: a member's own study — `/review` sessions with buttons, `/due`, `/timezone`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.models import CardRef, Rating
from bot.core.ratings import RatingSource
from tests.storage.helpers import card_state, rating_history
from tests.support.bot_fixture import RATE, START, Flashdrops, RunningBot
from tests.support.clock import FakeClock
from tests.support.fakediscord import InteractionRecord, Member, Message
from tests.support.harness import World

RATING_PROMPT = "How well did you know this? 1 Not at all … 5 Perfectly"
QUESTIONS = {
    "py-len": "What does `len([1, 2, 3])` return?",
    "py-def": "Which keyword starts a function definition?",
    "py-none": "What does a function without a return statement return?",
    "dk": "What is the capital of Denmark?",
}
PYTHON = [CardRef("python", card_id) for card_id in ("py-len", "py-def", "py-none")]
DENMARK = CardRef("capitals", "dk")


async def start_review(bot: RunningBot, member: Member, deck: str | None = None) -> Message:
    """``member`` runs /review; returns the private session message."""
    record = await bot.command(member, "review", {"deck": deck} if deck else None)
    assert record.ephemeral
    session = record.original
    assert session is not None
    return session


def actions(session: Message) -> list[str]:
    """What the session's buttons do ("show", "rate:3", "stop"), from their custom ids
    ("review:<session>:<step>:<action>")."""
    return [custom_id.split(":", 3)[3] for custom_id in session.custom_ids()]


def button(session: Message, action: str) -> str:
    """The custom id of the session's button doing ``action``."""
    [custom_id] = [c for c in session.custom_ids() if c.split(":", 3)[3] == action]
    return custom_id


async def press(
    bot: RunningBot, member: Member, session: Message, action: str
) -> InteractionRecord:
    """``member`` clicks the button doing ``action``; returns once the bot has answered."""
    record = bot.server.press_button(member, session, button(session, action))
    await record
    await bot.settle()
    return record


def question(session: Message) -> str:
    assert session.embed is not None
    return str(session.embed["description"]).split("\n\n**Answer**")[0]


async def answer(bot: RunningBot, member: Member, session: Message, rating: int) -> str:
    """Show the answer, then rate; returns the question that was answered."""
    asked = question(session)
    await press(bot, member, session, "show")
    await press(bot, member, session, f"rate:{rating}")
    return asked


async def test_review_runs_a_session_with_buttons_to_the_end(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    session = await start_review(bot, world.alice, deck="python")
    assert session.embed is not None and session.embed["title"] == "Python basics"
    assert question(session) == QUESTIONS["py-len"]
    assert actions(session) == ["show", "stop"]

    await press(bot, world.alice, session, "show")
    assert session.embed is not None
    assert session.embed["description"] == f"{QUESTIONS['py-len']}\n\n**Answer**\n3"
    assert session.embed["footer"]["text"] == RATING_PROMPT
    assert actions(session) == ["rate:1", "rate:2", "rate:3", "rate:4", "rate:5", "stop"]
    await press(bot, world.alice, session, "rate:4")
    asked = [QUESTIONS["py-len"], await answer(bot, world.alice, session, 3)]
    asked.append(await answer(bot, world.alice, session, 5))

    assert asked == [QUESTIONS[card.card_id] for card in PYTHON]
    assert session.embed is not None and session.embed["title"] == "Session finished"
    assert "You reviewed **3** card(s) with **3** answer(s)." in session.embed["description"]
    assert session.components == []
    for card, rating in zip(PYTHON, (4, 3, 5), strict=True):
        [event] = await rating_history(bot.storage, world.guild.id, world.alice.id, card)
        assert (event.rating, event.source, event.post_id) == (rating, RatingSource.BUTTON, None)
        assert await card_state(bot.storage, world.guild.id, world.alice.id, card) is not None


@pytest.mark.parametrize("failed", [1, 2])
async def test_review_card_rated_1_or_2_comes_back_in_the_same_session(
    world: World, flashdrop: Flashdrops, failed: int
) -> None:
    bot = await flashdrop.start()
    session = await start_review(bot, world.alice, deck="python")

    asked = [await answer(bot, world.alice, session, rating) for rating in (failed, 4, 4, 4)]

    assert asked == [QUESTIONS[c] for c in ("py-len", "py-def", "py-none", "py-len")]
    assert session.embed is not None and session.embed["title"] == "Session finished"
    assert "You reviewed **3** card(s) with **4** answer(s)." in session.embed["description"]
    history = await rating_history(bot.storage, world.guild.id, world.alice.id, PYTHON[0])
    assert [e.rating for e in history] == [failed, Rating.MOSTLY]


async def test_review_offers_new_cards_up_to_the_daily_limit(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start(scheduling={"new_cards_per_day": 2})
    session = await start_review(bot, world.alice, deck="python")

    asked = [await answer(bot, world.alice, session, 4) for _ in range(2)]
    again = await bot.command(world.alice, "review", {"deck": "python"})

    assert asked == [QUESTIONS["py-len"], QUESTIONS["py-def"]]
    assert session.embed is not None and session.embed["title"] == "Session finished"
    assert again.callback is not None
    assert (again.callback.content or "").startswith("Nothing to review right now")


async def test_review_stop_button_ends_with_a_summary(world: World, flashdrop: Flashdrops) -> None:
    bot = await flashdrop.start()
    session = await start_review(bot, world.alice, deck="python")
    await answer(bot, world.alice, session, 4)

    await press(bot, world.alice, session, "stop")

    assert session.embed is not None and session.embed["title"] == "Session stopped"
    assert "You reviewed **1** card(s) with **1** answer(s)." in session.embed["description"]
    assert session.embed["footer"]["text"].startswith("2 card(s) left for later")
    assert session.components == []


async def test_review_buttons_pressed_by_another_member_are_refused(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    session = await start_review(bot, world.alice, deck="python")

    refused = await press(bot, world.bob, session, "show")
    refused_stop = await press(bot, world.bob, session, "stop")

    assert refused.ephemeral and refused.callback is not None
    assert "someone else's" in (refused.callback.content or "")
    assert refused_stop.ephemeral and session.edits == []
    assert actions(session) == ["show", "stop"]
    await answer(bot, world.alice, session, 4)  # the owner's session still works
    assert question(session) == QUESTIONS["py-def"]


async def test_review_double_click_on_a_rating_rates_one_card_once(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    session = await start_review(bot, world.alice, deck="python")
    await press(bot, world.alice, session, "show")

    rate = button(session, "rate:4")
    first = world.server.press_button(world.alice, session, rate)
    second = world.server.press_button(world.alice, session, rate)  # before the first is answered
    await first
    await second
    await bot.settle()

    assert second.callback is not None and second.callback.type == 6  # acknowledged, no change
    history = await rating_history(bot.storage, world.guild.id, world.alice.id, PYTHON[0])
    assert [(e.rating, e.source) for e in history] == [(Rating.MOSTLY, RatingSource.BUTTON)]
    assert await rating_history(bot.storage, world.guild.id, world.alice.id, PYTHON[1]) == []
    assert question(session) == QUESTIONS["py-def"]  # the next card, still to be answered
    assert actions(session) == ["show", "stop"]


async def test_review_button_of_a_session_ended_by_a_restart_says_so(
    world: World, flashdrop: Flashdrops
) -> None:
    first = await flashdrop.start()
    session = await start_review(first, world.alice, deck="python")
    await first.stop()
    bot = await flashdrop.start()

    record = await press(bot, world.alice, session, "show")

    assert record.ephemeral and record.callback is not None
    assert record.callback.content == (
        "This review session has ended. Start a new one with `/review`."
    )
    assert session.edits == []


async def test_review_sessions_of_two_members_are_independent(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()
    alices = await start_review(bot, world.alice, deck="python")
    bobs = await start_review(bot, world.bob, deck="capitals")

    await answer(bot, world.bob, bobs, 5)

    assert question(alices) == QUESTIONS["py-len"] and alices.edits == []
    assert bobs.embed is not None and bobs.embed["title"] == "Session finished"
    assert await card_state(bot.storage, world.guild.id, world.alice.id, DENMARK) is None


async def test_review_shows_due_cards_before_new_ones(
    world: World, flashdrop: Flashdrops, clock: FakeClock
) -> None:
    bot = await flashdrop.start()
    card = await bot.quiz(world.alice, deck="capitals")
    await bot.react(world.alice, card, RATE[1])  # due the next day
    clock.advance(timedelta(days=1))

    session = await start_review(bot, world.alice)
    first = await answer(bot, world.alice, session, 4)

    assert first == QUESTIONS["dk"] and question(session) == QUESTIONS["py-len"]
    history = await rating_history(bot.storage, world.guild.id, world.alice.id, DENMARK)
    assert [(e.rating, e.source) for e in history] == [
        (Rating.NOT_AT_ALL, RatingSource.REACTION),
        (Rating.MOSTLY, RatingSource.BUTTON),
    ]
    state = await card_state(bot.storage, world.guild.id, world.alice.id, DENMARK)
    assert state.reps == 2 and state.last_review == clock.now().date()


async def test_review_with_nothing_due_and_no_new_cards_says_so(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start(scheduling={"new_cards_per_day": 0})

    record = await bot.command(world.alice, "review")

    assert record.ephemeral and record.callback is not None
    assert (record.callback.content or "").startswith("Nothing to review right now")


# -- /due ------------------------------------------------------------------------------------------


async def test_due_lists_due_cards_per_deck_and_the_next_due_date(
    world: World, flashdrop: Flashdrops, clock: FakeClock
) -> None:
    bot = await flashdrop.start()
    capitals = await bot.quiz(world.alice, deck="capitals")
    await bot.react(world.alice, capitals, RATE[1])  # due tomorrow
    python = await bot.quiz(world.alice, deck="python")
    await bot.react(world.alice, python, RATE[5])  # due in 8 days (no fuzz)
    clock.advance(timedelta(days=1))

    record = await bot.command(world.alice, "due")

    assert record.ephemeral and record.callback is not None
    assert record.callback.content == (
        "You have **1** card(s) due today.\n"
        "**Capitals**: 1 due\n"
        "**2** new card(s) are waiting too.\n"
        f"Next cards come due on **{(START + timedelta(days=8)).date().isoformat()}**.\n"
        "Use `/review` to study them."
    )


async def test_due_with_nothing_due_mentions_the_new_cards_review_would_start(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    record = await bot.command(world.bob, "due")

    assert record.ephemeral and record.callback is not None
    # Python basics has 3 cards, Capitals 1: all new to bob, within the daily allowance.
    assert record.callback.content == (
        "Nothing is due today.\n**4** new card(s) are waiting: `/review` starts them."
    )


async def test_due_with_nothing_due_and_no_new_cards_says_so(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start(scheduling={"new_cards_per_day": 0})

    record = await bot.command(world.bob, "due")

    assert record.ephemeral and record.callback is not None
    assert record.callback.content == "Nothing is due today."


# -- /timezone -------------------------------------------------------------------------------------


async def test_timezone_sets_the_members_zone(world: World, flashdrop: Flashdrops) -> None:
    bot = await flashdrop.start()

    record = await bot.command(world.alice, "timezone", {"zone": "Europe/Copenhagen"})

    assert record.ephemeral and record.callback is not None
    assert record.callback.content == "Your time zone is now **Europe/Copenhagen**."
    settings = await bot.storage.members.member_settings(world.guild.id, world.alice.id)
    assert settings.timezone == "Europe/Copenhagen"


async def test_timezone_invalid_zone_is_refused_privately_and_stores_nothing(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    record = await bot.command(world.alice, "timezone", {"zone": "Mars/Olympus_Mons"})

    assert record.ephemeral and record.callback is not None
    assert (record.callback.content or "").startswith(
        "unknown time zone 'Mars/Olympus_Mons' (use an IANA name"
    )
    settings = await bot.storage.members.member_settings(world.guild.id, world.alice.id)
    assert settings.timezone is None


async def test_timezone_autocomplete_offers_iana_names(world: World, flashdrop: Flashdrops) -> None:
    await flashdrop.start()

    choices = await world.server.autocomplete(
        world.alice, world.channel, "timezone", {"zone": "copenh"}, focused="zone"
    ).choices()

    assert choices == [{"name": "Europe/Copenhagen", "value": "Europe/Copenhagen"}]


@pytest.mark.parametrize("command", ["due", "review", "timezone", "remind", "quiz"])
async def test_server_command_in_a_dm_answers_privately_instead_of_failing(
    world: World, flashdrop: Flashdrops, command: str
) -> None:
    await flashdrop.start()
    dm = world.server.dm_channel(world.alice)
    options = {"timezone": {"zone": "UTC"}, "remind": {"switch": "off"}}.get(command)

    reply = await world.server.invoke_command(world.alice, dm, command, options)

    assert reply.ephemeral
    assert reply.content == "This command works in a server channel, not here."


async def test_timezone_folder_zone_is_refused_clearly_and_stores_nothing(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    record = await bot.command(world.alice, "timezone", {"zone": "Europe"})

    assert record.ephemeral and record.callback is not None
    assert record.callback.content == (
        "unknown time zone 'Europe' (use an IANA name such as 'Europe/Copenhagen'). "
        "Pick one from the list this command offers as you type."
    )
    settings = await bot.storage.members.member_settings(world.guild.id, world.alice.id)
    assert settings.timezone is None


# -- card types and images in a session ------------------------------------------------------------

TYPES_DECK = """\
name: Card types
cards:
- id: dk
  type: reversed
  question: What is the capital of Denmark?
  answer: Copenhagen
- id: water
  type: cloze
  question: Water boils at {{c1::100 °C}}.
"""


async def test_review_of_reversed_and_cloze_entries_rates_each_card_on_its_own(
    world: World, flashdrop: Flashdrops, clock: FakeClock
) -> None:
    (flashdrop.decks_dir / "types.yaml").write_text(TYPES_DECK, encoding="utf-8")
    bot = await flashdrop.start()
    # As many new cards as /review starts: the other decks' 4, and of this deck's three cards
    # dk and water-c1 (dk-reverse waits for another day).
    due = await bot.command(world.alice, "due")
    assert due.callback is not None and "**6** new card(s) are waiting" in due.callback.content
    session = await start_review(bot, world.alice, deck="types")
    asked = [await answer(bot, world.alice, session, rating) for rating in (5, 3)]
    # The reverse side waits for another day: right after its front it would give itself away.
    assert asked == ["What is the capital of Denmark?", "Water boils at […]."]
    assert session.embed is not None and session.embed["title"] == "Session finished"

    clock.advance(timedelta(days=1))
    session = await start_review(bot, world.alice, deck="types")
    asked = []
    while session.embed is not None and session.embed["title"] != "Session finished":
        asked.append(await answer(bot, world.alice, session, 4))
    assert "Copenhagen" in asked and "What is the capital of Denmark?" not in asked

    for card_id, rating in (("dk", 5), ("dk-reverse", 4), ("water-c1", 3)):
        ref = CardRef("types", card_id)
        history = await rating_history(bot.storage, world.guild.id, world.alice.id, ref)
        assert history[0].rating == rating  # each card its own events (water-c1 was due again)


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
PICS_DECK = """\
name: Pictures
cards:
- id: diagram
  question: What does this diagram show?
  answer: A convolution.
  image: pics.media/diagram.png
- id: plain
  question: And without a picture?
  answer: Nothing to see.
"""


async def test_review_page_attaches_a_local_image_and_drops_it_for_the_next_card(
    world: World, flashdrop: Flashdrops
) -> None:
    (flashdrop.decks_dir / "pics.yaml").write_text(PICS_DECK, encoding="utf-8")
    (flashdrop.decks_dir / "pics.media").mkdir()
    (flashdrop.decks_dir / "pics.media" / "diagram.png").write_bytes(PNG)
    bot = await flashdrop.start()

    session = await start_review(bot, world.alice, deck="pics")
    assert [(a.filename, a.data) for a in session.attachments] == [("diagram.png", PNG)]
    assert session.embed is not None
    assert session.embed["image"]["url"] == "attachment://diagram.png"
    await press(bot, world.alice, session, "show")
    assert [a.filename for a in session.attachments] == ["diagram.png"]
    assert session.embed is not None
    assert session.embed["image"]["url"] == "attachment://diagram.png"
    await press(bot, world.alice, session, "rate:4")

    assert question(session) == "And without a picture?"
    assert session.attachments == []
    assert session.embed is not None and "image" not in session.embed

"""End to end: `/deck list` and `/deck info`, what a study group can quiz itself on."""

from __future__ import annotations

from tests.support.bot_fixture import Flashdrops
from tests.support.harness import World


async def test_deck_list_shows_each_deck_with_id_and_size(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    record = await bot.command(world.alice, "deck list")

    assert record.ephemeral and record.callback is not None
    [embed] = record.callback.embeds
    assert embed["title"] == "Decks"
    assert embed["description"] == (
        "**Capitals** (`capitals`): 1 card\n**Python basics** (`python`): 3 cards"
    )


async def test_deck_info_shows_description_size_and_tags(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    record = await bot.command(world.alice, "deck info", {"deck": "python"})

    assert record.ephemeral and record.callback is not None
    [embed] = record.callback.embeds
    assert embed["title"] == "Python basics"
    assert embed["description"] == "Small Python questions for the end-to-end tests."
    assert {f["name"]: f["value"] for f in embed["fields"]} == {
        "Cards": "3",
        "Id": "`python`",
        "Tags": "python, programming",
    }


async def test_deck_info_unknown_deck_answers_privately(
    world: World, flashdrop: Flashdrops
) -> None:
    bot = await flashdrop.start()

    record = await bot.command(world.alice, "deck info", {"deck": "chemistry"})

    assert record.ephemeral and record.callback is not None
    assert record.callback.content == "No deck `chemistry`."


async def test_deck_info_autocomplete_matches_deck_ids_and_names(
    world: World, flashdrop: Flashdrops
) -> None:
    await flashdrop.start()
    server = world.server

    by_id = await server.autocomplete(
        world.alice, world.channel, "deck info", {"deck": "cap"}, focused="deck"
    ).choices()
    by_name = await server.autocomplete(
        world.alice, world.channel, "deck info", {"deck": "BASICS"}, focused="deck"
    ).choices()
    everything = await server.autocomplete(
        world.alice, world.channel, "deck info", {"deck": ""}, focused="deck"
    ).choices()

    assert by_id == [{"name": "Capitals (capitals)", "value": "capitals"}]
    assert by_name == [{"name": "Python basics (python)", "value": "python"}]
    assert [choice["value"] for choice in everything] == ["capitals", "python"]

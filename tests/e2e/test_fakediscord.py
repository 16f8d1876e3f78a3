"""Smoke tests: the real discord.py client against the loopback Discord (tests/support).

Each test drives a real ``commands.Bot`` over real HTTP and a real websocket, so a failure here
means either the fake server drifted from Discord's wire format or discord.py changed.
"""

import io
import math

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.support.fakediscord import Attachment, FakeDiscord, Intent, Perm, RateLimits
from tests.support.harness import (
    EventRecorder,
    FastBot,
    RunClient,
    World,
    bot_intents,
    discord_endpoints,
)

THUMBS_UP = "\N{THUMBS UP SIGN}"
ONE, TWO, THREE, FOUR = (
    f"{n}\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}" for n in "1234"
)
MESSAGES = "POST /channels/{channel_id}/messages"
CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"


async def started_bot(
    run_client: RunClient, *events: str, **options: object
) -> tuple[FastBot, EventRecorder]:
    bot = FastBot(**options)
    recorder = EventRecorder(*events).attach(bot)
    await run_client(bot)
    return bot, recorder


def text_channel(bot: FastBot, world: World) -> discord.TextChannel:
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    return channel


# -- login and gateway ----------------------------------------------------------------------------


async def test_login_ready_sees_guild_with_channels(world: World, run_client: RunClient) -> None:
    bot, recorder = await started_bot(run_client, "ready")

    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.name == "Study group"
    assert [c.name for c in guild.text_channels] == ["flashcards"]
    assert guild.me.id == world.server.bot.id
    assert bot.application_id == world.server.application_id
    assert len(recorder.all("ready")) == 1
    assert world.server.identified_intents == [bot_intents().value]
    assert math.isfinite(bot.latency)  # the first heartbeat was acknowledged


async def test_members_intent_chunks_guild_with_op8(world: World, run_client: RunClient) -> None:
    world.server.privileged_intents = Intent.GUILD_MEMBERS
    intents = bot_intents()
    intents.members = True

    bot, _ = await started_bot(run_client, intents=intents, chunk_guilds_at_startup=True)

    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.chunked
    assert {"alice", "bob"} <= {m.name for m in guild.members}
    assert any(frame.get("op") == 8 for c in world.server.connections for frame in c.received)


async def test_guild_added_while_connected_is_joined(world: World, run_client: RunClient) -> None:
    bot, recorder = await started_bot(run_client, "guild_join")

    world.server.add_guild("Second group")
    joined = await recorder.wait_for("guild_join")

    assert joined.name == "Second group" and len(bot.guilds) == 2


async def test_bot_configured_with_bare_gateway_url_connects(
    world: World, run_client: RunClient
) -> None:
    bot = FastBot()
    with discord_endpoints(world.server.api_base, f"ws://127.0.0.1:{world.server.port}"):
        await run_client(bot)

    assert world.server.connections[0].path == "/"


async def test_login_with_wrong_token_raises_login_failure(
    world: World, run_client: RunClient
) -> None:
    with pytest.raises(discord.LoginFailure):
        await run_client(FastBot(), token="not-the-token")

    assert world.server.requests_to("GET /users/@me")[-1].status == 401


async def test_gateway_closes_4014_on_privileged_intents_not_enabled(
    world: World, run_client: RunClient
) -> None:
    intents = bot_intents()
    intents.members = True

    with pytest.raises(discord.PrivilegedIntentsRequired):
        await run_client(FastBot(intents=intents))


async def test_gateway_filters_events_by_intents(world: World, run_client: RunClient) -> None:
    _, recorder = await started_bot(
        run_client, "message", "raw_reaction_add", intents=bot_intents(messages=False)
    )
    server = world.server

    message = server.send_as(world.alice, world.channel, "hello")
    server.react(world.alice, message, THUMBS_UP)
    await recorder.wait_for("raw_reaction_add")

    # Events reach handlers in socket order, so a MESSAGE_CREATE would have been seen by now.
    assert recorder.all("message") == []
    assert [d.session_ids for d in server.dispatched if d.name == "MESSAGE_CREATE"] == [[]]


async def test_message_content_blank_without_message_content_intent(
    world: World, run_client: RunClient
) -> None:
    _, recorder = await started_bot(run_client, "message")
    server = world.server

    server.send_as(world.alice, world.channel, "secret answer")
    server.send_as(world.alice, world.channel, f"<@{server.bot.id}> hi bot")
    await recorder.wait_for("message", count=2)

    assert [m.content for m in recorder.all("message")] == ["", f"<@{server.bot.id}> hi bot"]


async def test_op7_reconnect_resumes_and_replays_missed_events_once(
    world: World, run_client: RunClient
) -> None:
    _, recorder = await started_bot(run_client, "ready", "resumed", "raw_reaction_add")
    server = world.server
    card = server.send_as(world.alice, world.channel, "card")

    server.react(world.bob, card, ONE)
    server.reconnect_all()
    server.react(world.alice, card, TWO)  # buffered while the client reconnects
    await recorder.wait_for("resumed")
    server.react(world.bob, card, THREE)
    server.react(world.alice, card, FOUR)  # the last event: anything duplicated came before it
    await recorder.wait_for("raw_reaction_add", check=lambda p: p.emoji.name == FOUR)

    assert [p.emoji.name for p in recorder.all("raw_reaction_add")] == [ONE, TWO, THREE, FOUR]
    assert len(recorder.all("ready")) == 1
    assert len(server.identify_payloads) == 1 and len(server.resume_payloads) == 1
    assert server.connections[-1].path.startswith("/resume-gateway")


async def test_dropped_socket_resumes_and_replays_missed_events_once(
    world: World, run_client: RunClient
) -> None:
    _, recorder = await started_bot(run_client, "ready", "resumed", "raw_reaction_add")
    server = world.server
    card = server.send_as(world.alice, world.channel, "card")

    server.react(world.bob, card, ONE)
    assert server.drop_connections() == 1
    server.react(world.alice, card, TWO)
    server.react(world.bob, card, THREE)
    await recorder.wait_for("resumed")
    server.react(world.alice, card, FOUR)
    await recorder.wait_for("raw_reaction_add", check=lambda p: p.emoji.name == FOUR)

    assert [p.emoji.name for p in recorder.all("raw_reaction_add")] == [ONE, TWO, THREE, FOUR]
    assert len(recorder.all("ready")) == 1
    assert server.sessions[server.resume_payloads[0]["session_id"]].resumes == 1


async def test_invalid_session_makes_client_identify_again(
    world: World, run_client: RunClient
) -> None:
    bot, recorder = await started_bot(run_client, "ready")
    server = world.server

    server.invalidate_sessions(resumable=False)
    await recorder.wait_for("ready", count=2)

    assert len(server.identify_payloads) == 2
    assert len(server.live_sessions) == 1
    assert bot.get_guild(world.guild.id) is not None


# -- messages, reactions, permissions -------------------------------------------------------------


async def test_message_with_embed_and_reaction_land_in_state(
    world: World, run_client: RunClient
) -> None:
    bot, recorder = await started_bot(run_client, "message", "raw_reaction_add")
    server = world.server

    sent = await text_channel(bot, world).send("Card 1", embed=discord.Embed(title="What is SGD?"))
    await sent.add_reaction(THUMBS_UP)
    echoed = await recorder.wait_for("message")
    reaction = await recorder.wait_for("raw_reaction_add")

    stored = server.messages[sent.id]
    assert (
        stored.content == "Card 1"
        and stored.embed is not None
        and stored.embed["title"] == "What is SGD?"
    )
    assert stored.reactors(THUMBS_UP) == [server.bot.id]
    assert echoed.id == sent.id and echoed.embeds[0].title == "What is SGD?"
    assert (reaction.user_id, reaction.emoji.name) == (server.bot.id, THUMBS_UP)


async def test_member_reactions_reach_raw_handlers(world: World, run_client: RunClient) -> None:
    _, recorder = await started_bot(run_client, "raw_reaction_add", "raw_reaction_remove")
    server = world.server
    card = server.send_as(world.alice, world.channel, "card")

    server.react(world.alice, card, THREE)
    server.unreact(world.alice, card, THREE)
    removed = await recorder.wait_for("raw_reaction_remove")
    added = await recorder.wait_for("raw_reaction_add")

    assert (added.user_id, added.message_id, added.emoji.name) == (world.alice.id, card.id, THREE)
    assert added.member is not None and added.member.name == "alice"
    assert (removed.user_id, removed.emoji.name) == (world.alice.id, THREE)
    assert card.reactions == {}


async def test_message_edit_and_delete_dispatch_events(world: World, run_client: RunClient) -> None:
    bot, recorder = await started_bot(run_client, "raw_message_edit", "raw_message_delete")
    server = world.server

    sent = await text_channel(bot, world).send("draft")
    await sent.edit(content="final")
    await sent.delete()
    await recorder.wait_for("raw_message_delete")

    stored = server.messages[sent.id]
    assert stored.deleted and stored.content == "final" and stored.edits[0]["content"] == "draft"
    assert recorder.all("raw_message_edit")[0].data["content"] == "final"
    assert server.channel_messages(world.channel) == []


async def test_file_upload_is_stored_and_served(world: World, run_client: RunClient) -> None:
    bot, _ = await started_bot(run_client)

    sent = await text_channel(bot, world).send(
        file=discord.File(io.BytesIO(b"front,back\n"), "deck.csv")
    )

    assert world.server.messages[sent.id].attachments[0].data == b"front,back\n"
    assert await sent.attachments[0].read() == b"front,back\n"


async def test_threads_are_created_and_dispatched(world: World, run_client: RunClient) -> None:
    bot, recorder = await started_bot(run_client, "thread_create")
    channel = text_channel(bot, world)

    starter = await channel.send("Session 1")
    thread = await starter.create_thread(name="Session 1 answers")
    await thread.send("first answer")
    await recorder.wait_for("thread_create")

    assert thread.id == starter.id and thread.parent_id == channel.id
    assert world.server.last_message(thread.id) is not None
    assert world.server.last_message(thread.id).content == "first answer"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("deny", "send"),
    [
        (Perm.SEND_MESSAGES, {"content": "hi"}),
        (Perm.EMBED_LINKS, {"embed": discord.Embed(title="card")}),
        (Perm.VIEW_CHANNEL, {"content": "hi"}),
    ],
    ids=["send-messages", "embed-links", "view-channel"],
)
async def test_missing_permission_raises_forbidden(
    world: World, run_client: RunClient, deny: Perm, send: dict[str, object]
) -> None:
    bot, _ = await started_bot(run_client)
    world.server.set_overwrite(world.channel, world.guild.everyone, deny=deny)

    with pytest.raises(discord.Forbidden) as error:
        await text_channel(bot, world).send(**send)  # type: ignore[call-overload]

    assert error.value.code == (50001 if deny == Perm.VIEW_CHANNEL else 50013)


async def test_member_overwrite_beats_role_overwrite(world: World, run_client: RunClient) -> None:
    bot, _ = await started_bot(run_client)
    server = world.server
    server.set_overwrite(world.channel, world.guild.everyone, deny=Perm.SEND_MESSAGES)
    server.set_overwrite(world.channel, server.bot, allow=Perm.SEND_MESSAGES)

    await text_channel(bot, world).send("allowed")

    assert server.last_message(world.channel).content == "allowed"  # type: ignore[union-attr]


async def test_add_reactions_needed_only_for_a_new_emoji(
    world: World, run_client: RunClient
) -> None:
    bot, _ = await started_bot(run_client)
    server = world.server
    world.server.set_overwrite(world.channel, world.guild.everyone, deny=Perm.ADD_REACTIONS)
    card = server.send_as(world.alice, world.channel, "card")
    server.react(world.alice, card, ONE)
    message = await text_channel(bot, world).fetch_message(card.id)

    await message.add_reaction(ONE)
    with pytest.raises(discord.Forbidden) as error:
        await message.add_reaction(TWO)

    assert error.value.code == 50013
    assert card.reactors(ONE) == [world.alice.id, server.bot.id]


async def test_dm_to_member_with_closed_dms_raises_forbidden(
    world: World, run_client: RunClient
) -> None:
    bot, _ = await started_bot(run_client)
    world.server.set_dms_open(world.alice, False)
    alice = await bot.fetch_user(world.alice.id)

    with pytest.raises(discord.Forbidden) as error:
        await alice.send("Your daily card")

    assert error.value.code == 50007


async def test_fetch_channel_guild_and_member(world: World, run_client: RunClient) -> None:
    bot, _ = await started_bot(run_client)

    channel = await bot.fetch_channel(world.channel.id)
    guild = await bot.fetch_guild(world.guild.id)
    member = await guild.fetch_member(world.alice.id)

    assert isinstance(channel, discord.TextChannel) and channel.name == "flashcards"
    assert guild.name == "Study group" and guild.owner_id == world.guild.owner_id
    assert member.name == "alice"
    with pytest.raises(discord.NotFound) as error:
        await guild.fetch_member(12345)
    assert error.value.code == 10007


async def test_auto_sharded_bot_asks_gateway_bot_and_gets_shard_in_ready(
    world: World, run_client: RunClient
) -> None:
    bot = commands.AutoShardedBot(
        command_prefix=[], intents=bot_intents(), guild_ready_timeout=0.05
    )

    await run_client(bot)

    assert world.server.requests_to("GET /gateway/bot")
    assert world.server.identify_payloads[0]["shard"] == [0, 1]
    assert bot.get_guild(world.guild.id) is not None


async def test_dm_card_with_button_and_member_dm_reply(world: World, run_client: RunClient) -> None:
    intents = bot_intents()
    intents.dm_messages = True
    bot, recorder = await started_bot(run_client, "message", intents=intents)
    server = world.server
    alice = await bot.fetch_user(world.alice.id)
    view = MarkKnown()

    sent = await alice.send("Card 1", view=view)
    callback = await server.press_button(world.alice, sent.id, "card:1:known")
    server.send_as(world.alice, server.dm_channel(world.alice), "thanks")
    reply = await recorder.wait_for("message", check=lambda m: m.author.id == world.alice.id)

    assert view.clicked_by == [world.alice.id] and callback.type == 7
    assert server.messages[sent.id].content == "marked as known"
    assert isinstance(reply.channel, discord.DMChannel) and reply.content == "thanks"


async def test_reaction_listing_pages_through_offline_reactions(
    world: World, run_client: RunClient
) -> None:
    server = world.server
    card = server.send_as(world.alice, world.channel, "card")
    reactors = [server.add_member(world.guild, f"student{i}") for i in range(130)]
    for member in reactors:
        server.add_reaction(member, card, THUMBS_UP)  # while the bot is offline: no event
    bot, _ = await started_bot(run_client)

    message = await text_channel(bot, world).fetch_message(card.id)
    users = [user.id async for user in message.reactions[0].users()]

    # discord.py yields each page reversed; Discord lists by ascending id and pages by `after`.
    assert sorted(users) == sorted(m.id for m in reactors) and len(set(users)) == 130
    pages = [
        r.query
        for r in server.requests_to(
            "GET /channels/{channel_id}/messages/{message_id}/reactions/{emoji}"
        )
    ]
    assert [p["limit"] for p in pages] == ["100", "30"] and "after" in pages[1]
    assert server.events("MESSAGE_REACTION_ADD") == []


# -- rate limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("is_global", [False, True], ids=["route", "global"])
async def test_429_is_retried_and_message_arrives(
    world: World, run_client: RunClient, is_global: bool
) -> None:
    bot, _ = await started_bot(run_client)
    server = world.server
    server.force_rate_limit(MESSAGES, times=2, retry_after=0.02, is_global=is_global)

    await text_channel(bot, world).send("after two 429s")

    assert [r.status for r in server.requests_to(MESSAGES)] == [429, 429, 200]
    assert [m.content for m in server.channel_messages(world.channel)] == ["after two 429s"]


async def test_every_kth_request_is_rate_limited(world: World, run_client: RunClient) -> None:
    bot, _ = await started_bot(run_client)
    world.server.force_rate_limit(MESSAGES, every=2, duration=10.0, retry_after=0.01)

    for n in range(3):
        await text_channel(bot, world).send(f"card {n}")

    assert [r.status for r in world.server.requests_to(MESSAGES)] == [200, 429, 200, 429, 200]
    assert len(world.server.channel_messages(world.channel)) == 3


async def test_429_without_via_header_is_not_retried(world: World, run_client: RunClient) -> None:
    bot, _ = await started_bot(run_client)
    world.server.force_rate_limit(MESSAGES, times=1, via=False)

    with pytest.raises(discord.HTTPException) as error:
        await text_channel(bot, world).send("blocked")

    assert error.value.status == 429


async def test_enforced_limits_pace_the_client_without_429s(
    world: World, run_client: RunClient
) -> None:
    server = world.server
    server.rate_limits = RateLimits(message_create=(2, 0.1))
    bot, _ = await started_bot(run_client)
    channel = text_channel(bot, world)

    for n in range(5):
        await channel.send(f"card {n}")

    statuses = [r.status for r in server.requests_to(MESSAGES)]
    assert statuses == [200] * 5
    assert len(server.channel_messages(world.channel)) == 5


# -- application commands and components ----------------------------------------------------------


def add_commands(bot: FastBot, guild_id: int) -> None:
    @bot.tree.command()
    async def secret(interaction: discord.Interaction) -> None:
        """Tell only me."""
        await interaction.response.send_message("psst", ephemeral=True)

    @bot.tree.command()
    async def shout(interaction: discord.Interaction) -> None:
        """Tell everyone."""
        await interaction.response.send_message(embed=discord.Embed(title="HEY"))

    @bot.tree.command()
    async def slow(interaction: discord.Interaction, count: int) -> None:
        """Defer, then follow up."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"done {count}")
        await interaction.followup.send("public follow-up")

    @bot.tree.command()
    async def quiz(interaction: discord.Interaction, member: discord.Member) -> None:
        """Quiz a member."""
        await interaction.response.send_message(f"quizzing {member.display_name}")

    deck = app_commands.Group(name="deck", description="Manage decks", guild_ids=[guild_id])

    @deck.command(name="show")
    async def show(interaction: discord.Interaction, name: str, limit: int = 5) -> None:
        """Show a deck."""
        await interaction.response.send_message(f"{name}:{limit}")

    @show.autocomplete("name")
    async def deck_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=n, value=n)
            for n in ("dl", "ml", "db")
            if n.startswith(current)
        ]

    @deck.command(name="upload")
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        """Read an attached file."""
        data = await file.read()
        await interaction.response.send_message(f"{file.filename}:{file.size}:{data.decode()}")

    bot.tree.add_command(deck)


async def synced_bot(world: World, run_client: RunClient) -> FastBot:
    bot = FastBot()
    add_commands(bot, world.guild.id)
    await run_client(bot)
    await bot.tree.sync()
    await bot.tree.sync(guild=discord.Object(world.guild.id))
    return bot


async def test_tree_sync_registers_commands_with_ids(world: World, run_client: RunClient) -> None:
    bot = FastBot()
    add_commands(bot, world.guild.id)
    await run_client(bot)

    synced = await bot.tree.sync()
    guild_synced = await bot.tree.sync(guild=discord.Object(world.guild.id))

    server = world.server
    assert sorted(c.name for c in synced) == ["quiz", "secret", "shout", "slow"]
    assert {c.id for c in synced} == {c.id for c in server.global_commands()}
    assert [c.name for c in guild_synced] == ["deck"]
    assert server.find_command("deck", world.guild).options[0]["name"] == "show"
    resynced = await bot.tree.sync()
    assert {c.id for c in resynced} == {c.id for c in synced}  # ids are stable across syncs


async def test_slash_command_ephemeral_and_public_responses(
    world: World, run_client: RunClient
) -> None:
    await synced_bot(world, run_client)
    server = world.server

    private = await server.invoke_command(world.alice, world.channel, "secret")
    public = await server.invoke_command(world.alice, world.channel, "shout")

    assert private.ephemeral and private.content == "psst"
    assert not public.ephemeral and public.embeds[0]["title"] == "HEY"
    visible = server.channel_messages(world.channel)
    assert [m.embeds[0]["title"] for m in visible] == ["HEY"]  # the ephemeral one is not there
    assert server.events("MESSAGE_CREATE")[-1]["interaction_metadata"]["user"]["id"] == str(
        world.alice.id
    )


async def test_slash_command_defer_then_followups(world: World, run_client: RunClient) -> None:
    await synced_bot(world, run_client)
    server = world.server

    interaction = server.invoke_command(world.alice, world.channel, "slow", {"count": 3})
    callback = await interaction
    first = await interaction.followup(1)
    second = await interaction.followup(2)

    assert callback.deferred and callback.ephemeral
    assert first.id == interaction.original_id and first.content == "done 3" and first.ephemeral
    assert (await interaction.original_message()).content == "done 3"
    assert not second.ephemeral and server.last_message(world.channel) is second


async def test_deferred_public_response_is_edited(world: World, run_client: RunClient) -> None:
    bot = FastBot()

    @bot.tree.command()
    async def today(interaction: discord.Interaction) -> None:
        """Today's cards."""
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="3 cards due")
        fetched = await interaction.original_response()
        await interaction.followup.send(f"original says: {fetched.content}", ephemeral=True)

    await run_client(bot)
    await bot.tree.sync()
    server = world.server

    interaction = server.invoke_command(world.alice, world.channel, "today")
    note = await interaction.followup(1)

    original = await interaction.original_message()
    assert original.content == "3 cards due" and not original.ephemeral
    assert [e["flags"] for e in server.events("MESSAGE_CREATE")] == [128]  # "thinking..."
    assert server.events("MESSAGE_UPDATE")[0]["content"] == "3 cards due"
    assert note.ephemeral and note.content == "original says: 3 cards due"


async def test_slash_subcommand_options_and_resolved_member(
    world: World, run_client: RunClient
) -> None:
    await synced_bot(world, run_client)
    server = world.server

    shown = await server.invoke_command(
        world.alice, world.channel, "deck show", {"name": "dl", "limit": 2}
    )
    quizzed = await server.invoke_command(world.alice, world.channel, "quiz", {"member": world.bob})

    assert shown.content == "dl:2"
    assert quizzed.content == "quizzing bob"


async def test_attachment_option_is_resolved_and_served(
    world: World, run_client: RunClient
) -> None:
    await synced_bot(world, run_client)
    file = Attachment(id=0, filename="deck.csv", data=b"front,back\n")

    read = await world.server.invoke_command(
        world.alice, world.channel, "deck upload", {"file": file}
    )

    assert read.content == "deck.csv:11:front,back\n"


async def test_user_context_menu_gets_resolved_target(world: World, run_client: RunClient) -> None:
    bot = FastBot()

    @bot.tree.context_menu(name="Quiz member")
    async def quiz_member(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"quizzing {member.name}", ephemeral=True)

    await run_client(bot)
    await bot.tree.sync()

    reply = await world.server.invoke_context_menu(
        world.alice, world.channel, "Quiz member", world.bob
    )

    assert reply.content == "quizzing bob"


async def test_autocomplete_returns_choices(world: World, run_client: RunClient) -> None:
    await synced_bot(world, run_client)

    choices = await world.server.autocomplete(
        world.alice, world.channel, "deck show", {"name": "d"}, focused="name"
    ).choices()

    assert choices == [{"name": "dl", "value": "dl"}, {"name": "db", "value": "db"}]


async def test_unsynced_command_cannot_be_invoked(world: World, run_client: RunClient) -> None:
    with pytest.raises(LookupError):
        world.server.invoke_command(world.alice, world.channel, "review")


class AddCard(discord.ui.Modal, title="Add a card"):
    question: discord.ui.TextInput["AddCard"] = discord.ui.TextInput(
        label="Question", custom_id="question"
    )
    answer: discord.ui.TextInput["AddCard"] = discord.ui.TextInput(
        label="Answer", custom_id="answer", style=discord.TextStyle.long
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"added {self.question}", ephemeral=True)


async def test_modal_opened_by_command_is_submitted(world: World, run_client: RunClient) -> None:
    bot = FastBot()

    @bot.tree.command(name="add-card")
    @app_commands.default_permissions(manage_messages=True)
    async def add_card(interaction: discord.Interaction) -> None:
        """Add a card to a deck."""
        await interaction.response.send_modal(AddCard())

    await run_client(bot)
    await bot.tree.sync()
    server = world.server
    mods = server.add_role(world.guild, "mods", Perm.MANAGE_MESSAGES)
    server.set_member_roles(world.guild, world.bob, [mods])

    with pytest.raises(PermissionError):
        server.invoke_command(world.alice, world.channel, "add-card")
    opened = server.invoke_command(world.bob, world.channel, "add-card")
    assert (await opened).type == 9
    submitted = await server.submit_modal(opened, {"question": "SGD?", "answer": "A descent."})

    assert submitted.ephemeral and submitted.content == "added SGD?"


class MarkKnown(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)  # no timeout task left behind when the bot closes
        self.clicked_by: list[int] = []

    @discord.ui.button(label="I knew it", custom_id="card:1:known")
    async def known(
        self, interaction: discord.Interaction, button: discord.ui.Button["MarkKnown"]
    ) -> None:
        self.clicked_by.append(interaction.user.id)
        await interaction.response.edit_message(content="marked as known", view=None)


class PickDeck(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.picked: list[str] = []

    @discord.ui.select(
        custom_id="pick-deck",
        options=[discord.SelectOption(label=n, value=n) for n in ("dl", "ml")],
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select["PickDeck"]
    ) -> None:
        self.picked.extend(select.values)
        await interaction.response.defer()


async def test_select_menu_reaches_view_callback(world: World, run_client: RunClient) -> None:
    bot, _ = await started_bot(run_client)
    view = PickDeck()
    sent = await text_channel(bot, world).send("Which deck?", view=view)

    callback = await world.server.select(world.bob, sent.id, "pick-deck", ["ml"])

    assert view.picked == ["ml"] and callback.type == 6


async def test_button_click_reaches_view_callback(world: World, run_client: RunClient) -> None:
    bot, recorder = await started_bot(run_client, "raw_message_edit")
    server = world.server
    view = MarkKnown()
    sent = await text_channel(bot, world).send("Card 1", view=view)

    callback = await server.press_button(world.alice, sent.id, "card:1:known")

    assert view.clicked_by == [world.alice.id]
    assert callback.type == 7 and server.messages[sent.id].content == "marked as known"
    assert server.messages[sent.id].components == []
    await recorder.wait_for("raw_message_edit", check=lambda e: e.message_id == sent.id)


async def test_interaction_answered_late_or_twice_is_rejected(
    world: World, run_client: RunClient
) -> None:
    bot = await synced_bot(world, run_client)
    errors: list[app_commands.AppCommandError] = []

    @bot.tree.error
    async def record_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        errors.append(error)

    server = world.server
    answered = server.invoke_command(world.alice, world.channel, "secret")
    await answered

    async with aiohttp.ClientSession() as http:
        url = f"{server.api_base}/interactions/{answered.id}/{answered.token}/callback"
        async with http.post(url, json={"type": 4, "data": {"content": "again"}}) as response:
            assert response.status == 400 and (await response.json())["code"] == 40060
    server.interaction_deadline = 0.0  # every answer is now too late, like after 3 s
    late = server.invoke_command(world.alice, world.channel, "secret")
    rejected = await server.wait_for(CALLBACK, check=lambda r: r.status == 404)
    await server.wait_for(lambda: errors)

    assert rejected.params["interaction_id"] == str(late.id) and late.callback is None
    assert isinstance(errors[0], app_commands.CommandInvokeError)
    assert isinstance(errors[0].original, discord.NotFound) and errors[0].original.code == 10062


def test_permissions_follow_discord_algorithm() -> None:
    server = FakeDiscord()
    guild = server.add_guild("g", everyone_permissions=int(Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES))
    channel = server.add_channel(guild, "c")
    mods = server.add_role(guild, "mods", Perm.MANAGE_MESSAGES)
    admins = server.add_role(guild, "admins", Perm.ADMINISTRATOR)
    mod = server.add_member(guild, "mod", roles=[mods])
    admin = server.add_member(guild, "admin", roles=[admins])
    server.set_overwrite(channel, guild.everyone, deny=Perm.SEND_MESSAGES)
    server.set_overwrite(channel, mods, allow=Perm.SEND_MESSAGES)

    assert not server.permissions_for(channel, server.bot) & Perm.SEND_MESSAGES
    assert server.permissions_for(channel, mod) & Perm.SEND_MESSAGES
    assert server.permissions_for(channel, admin) == server.permissions_for(channel, guild.owner_id)
    assert server.permissions_for(channel, server.bot) & Perm.VIEW_CHANNEL

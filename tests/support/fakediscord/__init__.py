"""Loopback Discord: a Discord-compatible REST API and gateway for end-to-end tests.

The real discord.py client talks to this server over real HTTP and a real websocket on
127.0.0.1, so the wire format, permission errors, rate-limit handling, reconnects and resumes
are exercised the way they are in production. The module deliberately does not import
discord.py: it speaks the documented wire format, and a discord.py quirk that the server had to
accommodate is commented where it matters. Client-side wiring lives in
``tests/support/harness.py``.

A test builds a world, starts a bot against it, acts as members and reads the state back::

    server = FakeDiscord()
    await server.start()
    guild = server.add_guild("Study group")
    channel = server.add_channel(guild, "flashcards")
    alice = server.add_member(guild, "alice")
    ...                                   # start the bot at server.api_base / server.gateway_url
    server.react(alice, message, "👍")     # MESSAGE_REACTION_ADD over the gateway
    reply = await server.invoke_command(alice, channel, "review", options={"deck": "dl"})
    assert reply.ephemeral
    await server.stop()

Mutators are synchronous: gateway events are queued per connection and written in order by a
writer task, so state changes and dispatches happen atomically with respect to the event loop.
Waiting is always on conditions (``await server.wait_for(...)``), never on sleeps.

The API a test uses (every "Ref" argument takes a model object, an int id or a numeric str):
- lifecycle: ``start()``, ``stop()`` (or ``async with FakeDiscord()``); ``api_base``,
  ``gateway_url``, ``token``, ``bot`` (the bot User), ``application_id``.
- world: ``add_guild``, ``add_channel``, ``add_role``, ``add_member``, ``add_user``,
  ``add_emoji``, ``set_overwrite``, ``set_member_roles``, ``set_role_permissions``,
  ``remove_member``, ``set_dms_open``, ``dm_channel``; changes made while a bot is connected
  are dispatched (GUILD_CREATE, CHANNEL_UPDATE, ...).
- members acting: ``send_as``, ``react``/``unreact`` (``dispatch=False`` or ``add_reaction``:
  state only, as if the bot was offline), ``invoke_command``, ``autocomplete``,
  ``invoke_context_menu``, ``press_button``, ``select``, ``submit_modal``. Interactions return
  an :class:`InteractionRecord`: ``await record`` is the bot's initial callback.
- state: ``users``, ``guilds``, ``channels``, ``messages``, ``commands``, ``interactions``,
  ``channel_messages(c)``, ``last_message(c)``, ``find_command``, ``permissions_for``;
  logs: ``requests``/``requests_to(route)``, ``dispatched``/``events(name)``,
  ``identify_payloads``/``identified_intents``, ``resume_payloads``, ``sessions``,
  ``connections``.
- gateway faults: ``reconnect_all()`` (op 7), ``drop_connections()`` (TCP abort),
  ``invalidate_sessions(resumable=...)`` (op 9); ``dispatch(name, data)`` sends a raw event.
- rate limits: ``force_rate_limit(route, times=/every=/duration=, is_global=, via=)``,
  ``clear_rate_limits()``; ``FakeDiscord(rate_limits=RateLimits())`` enforces real limits.
- waiting: ``wait_for(callable | "EVENT_NAME" | "METHOD /route", check=, count=, timeout=)``,
  ``wait_for_message(channel, check)``.

Fidelity notes (what real Discord does and this server mirrors):
- permissions are computed like Discord: owner and administrator bypass, @everyone + role
  permissions, then channel overwrites everyone → roles → member, and implicit denials;
- events are filtered by the identified intents, and message content is blanked for sessions
  without the MESSAGE_CONTENT intent (except the bot's own messages, DMs and mentions);
- privileged intents the application has not enabled close the gateway with 4014;
- an interaction must be answered within ``interaction_deadline`` seconds (3 s) and only once;
- the first follow-up after a deferral fills the deferred "thinking" message.

The package, one module per concern (``FakeDiscord`` holds all state; the other modules are
functions over it, so a rule of Discord's lives in the module of its concern):
- ``server``: ``FakeDiscord``, the world a test builds and reads and the acts of its members;
- ``wire``: permission and intent bits, wire type numbers, ids, Discord's JSON errors;
- ``models``: the stored state (users, guilds, channels, messages, commands, logs);
- ``routing``: the aiohttp application, route table and request-recording middleware;
- ``rest``: request bodies, lookups, and the user, application, gateway-URL, guild and CDN routes;
- ``messages``: channels, messages, reactions and threads;
- ``commands``: application command validation and registry;
- ``interactions``: interactions a member starts and the callbacks and webhooks answering them;
- ``gateway``: websocket connections, sessions, IDENTIFY/RESUME and intent filtering;
- ``ratelimits``: forced 429s and enforced real limits.
"""

from __future__ import annotations

from tests.support.fakediscord.gateway import GatewayConnection, GatewaySession
from tests.support.fakediscord.interactions import InteractionCallback, InteractionRecord
from tests.support.fakediscord.models import (
    Attachment,
    Channel,
    Command,
    DispatchRecord,
    Emoji,
    Guild,
    Member,
    Message,
    Overwrite,
    RequestRecord,
    Role,
    User,
)
from tests.support.fakediscord.ratelimits import RateLimitRule, RateLimits
from tests.support.fakediscord.server import FakeDiscord
from tests.support.fakediscord.wire import (
    DEFAULT_EVERYONE_PERMISSIONS,
    ChannelType,
    DiscordHTTPError,
    Intent,
    Perm,
)

__all__ = [
    "DEFAULT_EVERYONE_PERMISSIONS",
    "Attachment",
    "Channel",
    "ChannelType",
    "Command",
    "DiscordHTTPError",
    "DispatchRecord",
    "Emoji",
    "FakeDiscord",
    "GatewayConnection",
    "GatewaySession",
    "Guild",
    "Intent",
    "InteractionCallback",
    "InteractionRecord",
    "Member",
    "Message",
    "Overwrite",
    "Perm",
    "RateLimitRule",
    "RateLimits",
    "RequestRecord",
    "Role",
    "User",
]

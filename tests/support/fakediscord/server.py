"""Loopback Discord: a Discord-compatible REST API and gateway for end-to-end tests.

The real discord.py client talks to this server over real HTTP and a real websocket on
127.0.0.1, so the wire format, permission errors, rate-limit handling, reconnects and resumes
are exercised the way they are in production. The module deliberately does not import
discord.py: it speaks the documented wire format, and a discord.py quirk that the server had to
accommodate is commented where it matters. Client-side wiring lives in ``tests/support/harness.py``.

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
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import enum
import json
import math
import re
import secrets
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from aiohttp import BodyPartReader, WSMsgType, web

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

T = TypeVar("T")
JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000
API_VERSIONS = (10, 9)
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
EPHEMERAL = 1 << 6
LOADING = 1 << 7
HAS_THREAD = 1 << 5
SUPPRESS_EMBEDS = 1 << 2
MAX_REACTION_EMOJIS = 20
REPLAY_BUFFER = 100_000


class Perm(enum.IntFlag):
    """Discord permission bits (https://discord.com/developers/docs/topics/permissions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41
    USE_SOUNDBOARD = 1 << 42
    CREATE_GUILD_EXPRESSIONS = 1 << 43
    CREATE_EVENTS = 1 << 44
    USE_EXTERNAL_SOUNDS = 1 << 45
    SEND_VOICE_MESSAGES = 1 << 46
    SEND_POLLS = 1 << 49
    USE_EXTERNAL_APPS = 1 << 50
    PIN_MESSAGES = 1 << 51
    BYPASS_SLOWMODE = 1 << 52


ALL_PERMISSIONS = int(sum(Perm))
# What a fresh guild's @everyone role can do in text channels.
DEFAULT_EVERYONE_PERMISSIONS = int(
    Perm.CREATE_INSTANT_INVITE
    | Perm.ADD_REACTIONS
    | Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.MENTION_EVERYONE
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.CONNECT
    | Perm.SPEAK
    | Perm.USE_VAD
    | Perm.CHANGE_NICKNAME
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.CREATE_PRIVATE_THREADS
    | Perm.USE_EXTERNAL_STICKERS
    | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.SEND_POLLS
)
# Permissions a member keeps in a DM (there are no roles or overwrites there).
DM_PERMISSIONS = int(
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS
    | Perm.USE_EXTERNAL_EMOJIS
)
# Without Send Messages, Discord also denies these in a text channel.
_NEEDS_SEND = int(
    Perm.MENTION_EVERYONE | Perm.SEND_TTS_MESSAGES | Perm.ATTACH_FILES | Perm.EMBED_LINKS
)


class Intent(enum.IntFlag):
    """Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents)."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MODERATION = 1 << 2
    GUILD_EXPRESSIONS = 1 << 3
    GUILD_INTEGRATIONS = 1 << 4
    GUILD_WEBHOOKS = 1 << 5
    GUILD_INVITES = 1 << 6
    GUILD_VOICE_STATES = 1 << 7
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    GUILD_MESSAGE_TYPING = 1 << 11
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    DIRECT_MESSAGE_TYPING = 1 << 14
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16
    AUTO_MODERATION_CONFIGURATION = 1 << 20
    AUTO_MODERATION_EXECUTION = 1 << 21
    GUILD_MESSAGE_POLLS = 1 << 24
    DIRECT_MESSAGE_POLLS = 1 << 25


PRIVILEGED_INTENTS = int(Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES | Intent.MESSAGE_CONTENT)

# Application flags that say a privileged intent is switched on in the developer portal.
_APP_FLAG_FOR_INTENT = {
    Intent.GUILD_PRESENCES: 1 << 13,
    Intent.GUILD_MEMBERS: 1 << 15,
    Intent.MESSAGE_CONTENT: 1 << 19,
}


class ChannelType(enum.IntEnum):
    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    GUILD_FORUM = 15


THREAD_TYPES = frozenset({10, 11, 12})

# Interaction types and callback types, by their wire numbers.
INTERACTION_PING, INTERACTION_COMMAND, INTERACTION_COMPONENT = 1, 2, 3
INTERACTION_AUTOCOMPLETE, INTERACTION_MODAL_SUBMIT = 4, 5
CALLBACK_PONG, CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE = 1, 4, 5
CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE, CALLBACK_AUTOCOMPLETE, CALLBACK_MODAL = 6, 7, 8, 9
# Which callback types Discord accepts for each interaction type.
_CALLBACKS_FOR = {
    INTERACTION_COMMAND: {CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_MODAL},
    INTERACTION_COMPONENT: {
        CALLBACK_MESSAGE,
        CALLBACK_DEFERRED_MESSAGE,
        CALLBACK_DEFERRED_UPDATE,
        CALLBACK_UPDATE,
        CALLBACK_MODAL,
    },
    INTERACTION_AUTOCOMPLETE: {CALLBACK_AUTOCOMPLETE},
    INTERACTION_MODAL_SUBMIT: {
        CALLBACK_MESSAGE,
        CALLBACK_DEFERRED_MESSAGE,
        CALLBACK_DEFERRED_UPDATE,
        CALLBACK_UPDATE,
    },
}


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


Ref = int | str | _HasId


def _id(ref: Ref) -> int:
    """Accept a model object, an int or a numeric string wherever an id is expected."""
    if isinstance(ref, int):
        return ref
    if isinstance(ref, str):
        return int(ref)
    return int(ref.id)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _now() -> datetime:
    return datetime.now(UTC)


class _Snowflakes:
    """Time-based snowflakes, strictly increasing so id order is creation order like Discord's."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


# ---------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------


@dataclass
class User:
    id: int
    name: str
    bot: bool = False
    global_name: str | None = None
    # False makes any message to this user's DM channel fail with 50007, as when a member
    # has "Allow direct messages from server members" switched off.
    dms_open: bool = True

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
        }


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Overwrite:
    id: int
    type: int  # 0 = role, 1 = member
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class Channel:
    id: int
    name: str
    type: int = ChannelType.GUILD_TEXT
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    nsfw: bool = False
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    last_message_id: int | None = None
    # Threads only.
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    created_at: datetime = field(default_factory=_now)
    message_count: int = 0
    # DMs only.
    recipient_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM


@dataclass
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: datetime = field(default_factory=_now)

    @property
    def id(self) -> int:
        return self.user.id

    def payload(self, *, with_user: bool = True) -> JSON:
        data: JSON = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": _iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class Emoji:
    id: int
    name: str
    guild_id: int
    animated: bool = False

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "roles": [],
            "require_colons": True,
            "managed": False,
            "animated": self.animated,
            "available": True,
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    emojis: dict[int, Emoji] = field(default_factory=dict)
    locale: str = "en-US"

    @property
    def everyone(self) -> Role:
        """The @everyone role, whose id is the guild id."""
        return self.roles[self.id]


@dataclass
class Attachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None
    url: str = ""

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
            "flags": 0,
        }
        if self.description is not None:
            data["description"] = self.description
        return data


@dataclass
class Message:
    """A message as the server stores it. ``reactions`` maps emoji keys (the unicode emoji, or
    ``name:id`` for custom emoji) to an insertion-ordered set of user ids."""

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    nonce: str | None = None
    created_at: datetime = field(default_factory=_now)
    edited_at: datetime | None = None
    reactions: dict[str, dict[int, None]] = field(default_factory=dict)
    # Snapshots of (content, embeds, components, flags) before each edit, oldest first.
    edits: list[JSON] = field(default_factory=list)
    deleted: bool = False
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: JSON | None = None
    message_reference: JSON | None = None
    thread_id: int | None = None
    mention_ids: list[int] = field(default_factory=list)
    pinned: bool = False

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True for a deferred interaction response that has not been filled in yet."""
        return bool(self.flags & LOADING)

    @property
    def embed(self) -> JSON | None:
        return self.embeds[0] if self.embeds else None

    def reactors(self, emoji: str) -> list[int]:
        return list(self.reactions.get(emoji, {}))

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in _walk_components(self.components) if "custom_id" in c]


@dataclass
class Command:
    """A registered application command; ``payload`` is what the bot sent, defaults filled in."""

    id: int
    application_id: int
    guild_id: int | None
    version: int
    payload: JSON

    @property
    def name(self) -> str:
        return str(self.payload["name"])

    @property
    def type(self) -> int:
        return int(self.payload.get("type", 1))

    @property
    def options(self) -> list[JSON]:
        return list(self.payload.get("options") or [])

    def to_json(self) -> JSON:
        data = dict(self.payload)
        data.update(
            id=str(self.id),
            application_id=str(self.application_id),
            version=str(self.version),
        )
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass
class InteractionCallback:
    """The bot's initial answer to an interaction (``POST /interactions/{id}/{token}/callback``)."""

    type: int
    data: JSON

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def deferred(self) -> bool:
        return self.type in (CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE)

    @property
    def content(self) -> str | None:
        content = self.data.get("content")
        return None if content is None else str(content)

    @property
    def embeds(self) -> list[JSON]:
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        return list(self.data.get("components") or [])

    @property
    def choices(self) -> list[JSON]:
        """Autocomplete choices (callback type 8)."""
        return list(self.data.get("choices") or [])


class InteractionRecord:
    """An interaction the server dispatched, and everything the bot answered to it.

    ``await record`` (or ``await record.response()``) waits for the initial callback. After a
    deferral, ``await record.original_message()`` waits for the filled-in response, and
    ``await record.followup(n)`` for the n-th follow-up message. The first follow-up after a
    deferral fills the deferred message, so it is both ``original`` and ``followups[0]``.
    """

    def __init__(self, server: FakeDiscord, payload: JSON) -> None:
        self._server = server
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.user_id = int((payload.get("member") or payload)["user"]["id"])
        self.channel_id = int(payload["channel_id"])
        self.dispatched_at = time.monotonic()
        self.callback: InteractionCallback | None = None
        self.original_id: int | None = None
        self.followup_ids: list[int] = []
        # For component interactions: the message the component is on.
        self.source_message_id: int | None = (
            int(payload["message"]["id"]) if "message" in payload else None
        )

    def __repr__(self) -> str:
        return f"<InteractionRecord id={self.id} type={self.type} callback={self.callback!r}>"

    def __await__(self) -> Generator[Any, None, InteractionCallback]:
        return self.response().__await__()

    @property
    def original(self) -> Message | None:
        return self._server.messages.get(self.original_id) if self.original_id else None

    @property
    def followups(self) -> list[Message]:
        return [self._server.messages[i] for i in self.followup_ids]

    @property
    def ephemeral(self) -> bool:
        return self.callback is not None and self.callback.ephemeral

    async def response(self, timeout: float = 5.0) -> InteractionCallback:  # noqa: ASYNC109 - bounds a whole wait loop
        """Wait for the bot's initial callback."""
        return await self._server._wait(lambda: self.callback, timeout, f"a callback to {self!r}")

    async def choices(self, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109 - bounds a whole wait loop
        """Wait for an autocomplete answer and return its choices."""
        return (await self.response(timeout)).choices

    async def original_message(self, timeout: float = 5.0) -> Message:  # noqa: ASYNC109 - bounds a whole wait loop
        """Wait for the response message, past any deferred "thinking" state."""

        def ready() -> Message | None:
            original = self.original
            return original if original is not None and not original.loading else None

        return await self._server._wait(ready, timeout, f"the original response of {self!r}")

    async def followup(self, n: int = 1, timeout: float = 5.0) -> Message:  # noqa: ASYNC109 - bounds a whole wait loop
        """Wait for the n-th follow-up message (1-based) and return it."""
        await self._server._wait(
            lambda: len(self.followup_ids) >= n, timeout, f"{n} follow-up(s) to {self!r}"
        )
        return self.followups[n - 1]


@dataclass
class RequestRecord:
    method: str
    path: str
    route: str | None  # e.g. "POST /channels/{channel_id}/messages"; None if no route matched
    params: dict[str, str]
    query: dict[str, str]
    time: float  # time.monotonic()
    status: int = 0
    body: Any = None


@dataclass
class DispatchRecord:
    name: str
    data: JSON
    time: float
    session_ids: list[str]


@dataclass
class RateLimitRule:
    """Forces 429s on a route: for the next ``times`` matching requests, and/or every
    ``every``-th matching request until ``duration`` seconds have passed."""

    route: str  # "METHOD /template" or "*" for every route
    times: int | None = None
    every: int | None = None
    until: float | None = None
    retry_after: float = 0.05
    is_global: bool = False
    scope: str = "user"
    via: bool = True  # without Via discord.py treats the 429 as a Cloudflare ban
    channel_id: int | None = None
    seen: int = 0
    fired: int = 0

    def matches(self, route: str, params: Mapping[str, str], now: float) -> bool:
        if self.route not in ("*", route):
            return False
        if self.channel_id is not None and params.get("channel_id") != str(self.channel_id):
            return False
        return self.until is None or now < self.until

    def fire(self) -> bool:
        """Count a matching request; True if this one must be rate limited."""
        self.seen += 1
        if self.times is not None and self.fired < self.times:
            self.fired += 1
            return True
        if self.every is not None and self.seen % self.every == 0:
            self.fired += 1
            return True
        return False


@dataclass
class RateLimits:
    """Real Discord limits, enforced when passed to ``FakeDiscord(rate_limits=...)``.

    Each entry is (requests, per seconds), fixed window per bucket and major parameter, and
    every response carries X-RateLimit-* headers so discord.py paces itself.
    """

    message_create: tuple[int, float] = (5, 5.0)
    reactions: tuple[int, float] = (1, 0.25)
    default: tuple[int, float] = (50, 1.0)
    global_limit: tuple[int, float] = (50, 1.0)
    per_route: dict[str, tuple[int, float]] = field(default_factory=dict)

    def bucket_for(self, route: str) -> tuple[str, int, float]:
        """(bucket hash, limit, per) for a route template."""
        if route in self.per_route:
            limit, per = self.per_route[route]
            return _bucket_hash(route), limit, per
        if route == "POST /channels/{channel_id}/messages":
            return "msgcreate", *self.message_create
        if "/reactions" in route:
            return "reactions", *self.reactions
        return _bucket_hash(route), *self.default


def _bucket_hash(route: str) -> str:
    return f"{abs(hash(route)) & 0xFFFFFFFF:08x}"


@dataclass
class _Window:
    limit: int
    per: float
    started: float | None = None
    used: int = 0

    def hit(self, now: float) -> tuple[bool, int, float]:
        """Take a token. Returns (allowed, remaining, reset_after)."""
        if self.started is None or now >= self.started + self.per:
            self.started, self.used = now, 0
        # Rounded up to the millisecond sent in headers, so a client that waits exactly
        # Reset-After never arrives before the window has really reset.
        reset_after = math.ceil((self.started + self.per - now) * 1000) / 1000
        if self.used >= self.limit:
            return False, 0, reset_after
        self.used += 1
        return True, self.limit - self.used, reset_after


class DiscordHTTPError(Exception):
    """Raised inside handlers; becomes Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def response(self) -> web.Response:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return _json(body, self.status)


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly "application/json";
    # web.json_response would append "; charset=utf-8" and the client would get a str.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _no_content() -> web.Response:
    return web.Response(status=204)


def _form_error(field_name: str, code: str, message: str) -> DiscordHTTPError:
    errors: JSON = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field_name.split(".")):
        errors = {part: errors}
    return DiscordHTTPError(400, 50035, "Invalid Form Body", errors)


def _walk_components(components: Iterable[JSON]) -> Iterable[JSON]:
    for component in components:
        yield component
        yield from _walk_components(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            yield component["accessory"]


def _emoji_payload(key: str) -> JSON:
    """Gateway/REST emoji object for a reaction key (see ``FakeDiscord._emoji_key``)."""
    if ":" in key:
        name, _, emoji_id = key.rpartition(":")
        return {"id": emoji_id, "name": name, "animated": False}
    return {"id": None, "name": key}


# ---------------------------------------------------------------------------------------------
# Gateway
# ---------------------------------------------------------------------------------------------


@dataclass
class _Close:
    code: int
    reason: str = ""


class GatewayConnection:
    """One websocket. Frames are queued and written by a writer task, in order."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.transport = request.transport
        self.path = request.path
        self.query = dict(request.query)
        self.session: GatewaySession | None = None
        self.received: list[JSON] = []  # every frame the client sent, parsed
        self.close_code: int | None = None
        self._outgoing: asyncio.Queue[str | _Close] = asyncio.Queue()

    def __repr__(self) -> str:
        session = self.session.id if self.session else None
        return f"<GatewayConnection path={self.path} session={session}>"

    def send(self, payload: JSON) -> None:
        self._outgoing.put_nowait(json.dumps(payload))

    def send_frame(self, frame: str) -> None:
        self._outgoing.put_nowait(frame)

    def close(self, code: int, reason: str = "") -> None:
        self._outgoing.put_nowait(_Close(code, reason))

    def abort(self) -> None:
        """Drop the TCP connection without a close frame, like a network failure."""
        if self.transport is not None:
            self.transport.abort()

    async def pump(self) -> None:
        while True:
            item = await self._outgoing.get()
            if isinstance(item, _Close):
                await self.ws.close(code=item.code, message=item.reason.encode())
                return
            try:
                await self.ws.send_str(item)
            except (ConnectionError, RuntimeError):
                return  # the socket went away; the reader loop notices and cleans up


@dataclass
class GatewaySession:
    """A gateway session: outlives connections so a client can RESUME and get missed events."""

    id: str
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0
    alive: bool = True
    connection: GatewayConnection | None = None
    # (seq, event name, frame) of recent dispatches, for replay on RESUME. Bounded so a long
    # benchmark does not hold every frame; a resume from before the window is refused (op 9).
    events: deque[tuple[int, str, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    resumes: int = 0
    presence: JSON | None = None

    def has(self, intent: Intent) -> bool:
        return bool(self.intents & intent)

    def dispatch(self, name: str, data: JSON) -> int:
        self.seq += 1
        frame = json.dumps({"op": 0, "t": name, "s": self.seq, "d": data})
        self.events.append((self.seq, name, frame))
        if self.connection is not None:
            self.connection.send_frame(frame)
        return self.seq

    def handles_guild(self, guild_id: int | None) -> bool:
        if self.shard is None:
            return True
        shard_id, shard_count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (guild_id >> 22) % shard_count == shard_id


_GUILDS_EVENTS = frozenset(
    {
        "GUILD_CREATE",
        "GUILD_UPDATE",
        "GUILD_DELETE",
        "GUILD_ROLE_CREATE",
        "GUILD_ROLE_UPDATE",
        "GUILD_ROLE_DELETE",
        "CHANNEL_CREATE",
        "CHANNEL_UPDATE",
        "CHANNEL_DELETE",
        "CHANNEL_PINS_UPDATE",
        "THREAD_CREATE",
        "THREAD_UPDATE",
        "THREAD_DELETE",
        "THREAD_LIST_SYNC",
        "THREAD_MEMBER_UPDATE",
        "THREAD_MEMBERS_UPDATE",
    }
)
_MEMBER_EVENTS = frozenset({"GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"})
_MESSAGE_EVENTS = frozenset(
    {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"}
)
_REACTION_EVENTS = frozenset(
    {
        "MESSAGE_REACTION_ADD",
        "MESSAGE_REACTION_REMOVE",
        "MESSAGE_REACTION_REMOVE_ALL",
        "MESSAGE_REACTION_REMOVE_EMOJI",
    }
)


def _required_intent(name: str, data: JSON) -> int:
    """The intent a session needs to receive an event (0 for events everyone gets)."""
    in_guild = data.get("guild_id") is not None or name.startswith("GUILD_")
    if name in _GUILDS_EVENTS:
        return Intent.GUILDS
    if name in _MEMBER_EVENTS:
        return Intent.GUILD_MEMBERS
    if name in _MESSAGE_EVENTS:
        return Intent.GUILD_MESSAGES if in_guild else Intent.DIRECT_MESSAGES
    if name in _REACTION_EVENTS:
        return Intent.GUILD_MESSAGE_REACTIONS if in_guild else Intent.DIRECT_MESSAGE_REACTIONS
    if name == "TYPING_START":
        return Intent.GUILD_MESSAGE_TYPING if in_guild else Intent.DIRECT_MESSAGE_TYPING
    return 0


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_NO_AUTH_PREFIXES = ("/interactions/", "/webhooks/")
# Where a handler leaves the parsed request body for the request log.
_BODY = web.RequestKey("fakediscord_body", object)
_MENTION = re.compile(r"<@!?(\d+)>")
_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


class FakeDiscord:
    """A Discord-compatible REST API + gateway on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "Flashdrop",
        privileged_intents: int = 0,
        rate_limits: RateLimits | None = None,
        heartbeat_interval: float = 41.25,
        interaction_deadline: float | None = 3.0,
    ) -> None:
        """
        Args:
            token: the bot token the server accepts (``Authorization: Bot <token>``).
            privileged_intents: privileged intents switched on for the application;
                identifying with others closes the gateway with 4014, as on Discord.
            rate_limits: enforce real rate limits (off by default).
            heartbeat_interval: seconds, sent in HELLO.
            interaction_deadline: seconds the bot has for the initial interaction response
                before the token expires (None disables the check).
        """
        self.token = token
        self.privileged_intents = privileged_intents
        self.rate_limits = rate_limits
        self.heartbeat_interval = heartbeat_interval
        self.interaction_deadline = interaction_deadline

        self._ids = _Snowflakes()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.commands: dict[int, Command] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.requests: list[RequestRecord] = []
        self.dispatched: list[DispatchRecord] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self.rate_limit_rules: list[RateLimitRule] = []
        self.identify_payloads: list[JSON] = []
        self.resume_payloads: list[JSON] = []

        self.bot = self.add_user(bot_name, bot=True)
        self.application_id = self.bot.id  # modern applications share the bot user's id
        self.app_owner = self.add_user(f"{bot_name} owner")

        self._channel_messages: dict[int, list[int]] = {}
        self._dm_channels: dict[int, int] = {}
        self._windows: dict[str, _Window] = {}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        # "/" too: a bot configured with a bare ws://host:port (as /gateway/bot returns) works.
        for path in ("/", "/gateway", "/gateway/", "/resume-gateway", "/resume-gateway/"):
            app.router.add_get(path, self._gateway)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn)
        for version in API_VERSIONS:
            for method, path, handler in self._routes():
                app.router.add_route(method, f"/api/v{version}{path}", handler)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Close every gateway connection and the HTTP server."""
        for connection in list(self.connections):
            connection.close(1001, "server stopping")
        for connection in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.ws.close(code=1001), timeout=1.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    # -- waiting ----------------------------------------------------------------------------------

    def _notify(self) -> None:
        # Waiters hold the current event; swapping in a fresh one re-arms for the next change.
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self,
        what: str | Callable[[], T],
        *,
        check: Callable[[Any], bool] | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounds a whole wait loop
    ) -> Any:
        """Wait until a condition holds; return its value.

        ``what`` is one of:
        - a callable, re-evaluated on every state change until it returns something truthy;
        - a gateway event name ("MESSAGE_REACTION_ADD"): the ``count``-th dispatched event of
          that name whose data passes ``check`` (past events count, so there is no race);
        - a route ("POST /channels/{channel_id}/messages"): the ``count``-th answered request
          to it whose RequestRecord passes ``check``.
        """
        if callable(what):
            return await self._wait(what, timeout, getattr(what, "__name__", "condition"))
        name = what
        if " " in name:

            def find_request() -> RequestRecord | None:
                hits = [r for r in self.requests if r.route == name and (not check or check(r))]
                return hits[count - 1] if len(hits) >= count else None

            return await self._wait(find_request, timeout, f"{count} x {name}")

        def find_event() -> JSON | None:
            hits = [
                d.data for d in self.dispatched if d.name == name and (not check or check(d.data))
            ]
            return hits[count - 1] if len(hits) >= count else None

        return await self._wait(find_event, timeout, f"{count} x {name} dispatched")

    async def wait_for_message(
        self,
        channel: Ref,
        check: Callable[[Message], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounds a whole wait loop
    ) -> Message:
        """The first visible message in ``channel`` passing ``check`` (past ones count)."""

        def find() -> Message | None:
            return next(
                (m for m in self.channel_messages(channel) if check is None or check(m)), None
            )

        return await self._wait(find, timeout, f"a message in channel {_id(channel)}")

    async def _wait(self, predicate: Callable[[], T | None], within: float, what: str) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            changed = self._changed  # taken before evaluating so no change can slip through
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [f"{r.method} {r.path} -> {r.status}" for r in self.requests[-8:]]
                raise TimeoutError(
                    f"timed out after {within}s waiting for {what}; last requests: {recent}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    # -- world building ---------------------------------------------------------------------------

    def new_id(self) -> int:
        return self._ids.next()

    def add_user(
        self, name: str, *, bot: bool = False, id: int | None = None, dms_open: bool = True
    ) -> User:
        user = User(id=id or self.new_id(), name=name, bot=bot, dms_open=dms_open)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str = "Test guild",
        *,
        owner: Ref | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int | None = None,
        id: int | None = None,
        locale: str = "en-US",
    ) -> Guild:
        """Create a guild the bot is a member of.

        Without ``owner`` a separate owner member is created (an owner bypasses every
        permission check, so it must not be the bot unless a test wants that). With
        ``bot_permissions`` the bot gets a managed role carrying them, as when invited with a
        permissions integer.
        """
        guild_id = id or self.new_id()
        owner_user = self.add_user(f"{name} owner") if owner is None else self.users[_id(owner)]
        guild = Guild(id=guild_id, name=name, owner_id=owner_user.id, locale=locale)
        guild.roles[guild_id] = Role(guild_id, guild_id, "@everyone", everyone_permissions)
        self.guilds[guild_id] = guild
        guild.members[owner_user.id] = Member(owner_user, guild_id)
        bot_roles: list[int] = []
        if bot_permissions is not None:
            role = Role(
                self.new_id(),
                guild_id,
                self.bot.name,
                bot_permissions,
                position=1,
                managed=True,
                bot_id=self.bot.id,
            )
            guild.roles[role.id] = role
            bot_roles.append(role.id)
        guild.members[self.bot.id] = Member(self.bot, guild_id, roles=bot_roles)
        self._dispatch_each(
            "GUILD_CREATE", lambda s: self._guild_create_payload(guild, s, joined=True), guild_id
        )
        self._notify()
        return guild

    def add_role(
        self,
        guild: Ref,
        name: str,
        permissions: int = 0,
        *,
        position: int | None = None,
        color: int = 0,
        hoist: bool = False,
        id: int | None = None,
    ) -> Role:
        g = self.guilds[_id(guild)]
        role = Role(
            id or self.new_id(),
            g.id,
            name,
            int(permissions),
            position=len(g.roles) if position is None else position,
            color=color,
            hoist=hoist,
        )
        g.roles[role.id] = role
        self._dispatch("GUILD_ROLE_CREATE", {"guild_id": str(g.id), "role": role.payload()})
        return role

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        role.permissions = int(permissions)
        self._dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role.payload()}
        )

    def add_channel(
        self,
        guild: Ref,
        name: str,
        *,
        type: int = ChannelType.GUILD_TEXT,
        topic: str | None = None,
        parent: Ref | None = None,
        id: int | None = None,
    ) -> Channel:
        g = self.guilds[_id(guild)]
        channel = Channel(
            id=id or self.new_id(),
            name=name,
            type=type,
            guild_id=g.id,
            position=len(g.channel_ids),
            topic=topic,
            parent_id=_id(parent) if parent is not None else None,
        )
        self.channels[channel.id] = channel
        g.channel_ids.append(channel.id)
        self._channel_messages[channel.id] = []
        self._dispatch("CHANNEL_CREATE", self._channel_payload(channel))
        return channel

    def add_member(
        self,
        guild: Ref,
        name: str | None = None,
        *,
        user: Ref | None = None,
        bot: bool = False,
        roles: Iterable[Ref] = (),
        nick: str | None = None,
        dms_open: bool = True,
    ) -> Member:
        """Add a member (creating the user unless ``user`` names an existing one)."""
        g = self.guilds[_id(guild)]
        if user is not None and _id(user) in self.users:
            u = self.users[_id(user)]
        else:
            if name is None:
                raise ValueError("add_member needs a name or an existing user")
            u = self.add_user(
                name, bot=bot, id=_id(user) if user is not None else None, dms_open=dms_open
            )
        member = Member(u, g.id, roles=[_id(r) for r in roles], nick=nick)
        g.members[u.id] = member
        self._dispatch("GUILD_MEMBER_ADD", {"guild_id": str(g.id), **member.payload()})
        return member

    def set_member_roles(self, guild: Ref, member: Ref, roles: Iterable[Ref]) -> None:
        m = self.guilds[_id(guild)].members[_id(member)]
        m.roles = [_id(r) for r in roles]
        self._dispatch("GUILD_MEMBER_UPDATE", {"guild_id": str(m.guild_id), **m.payload()})

    def remove_member(self, guild: Ref, member: Ref) -> None:
        g = self.guilds[_id(guild)]
        m = g.members.pop(_id(member))
        self._dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(g.id), "user": m.user.payload()})

    def add_emoji(self, guild: Ref, name: str, *, animated: bool = False) -> Emoji:
        g = self.guilds[_id(guild)]
        emoji = Emoji(self.new_id(), name, g.id, animated)
        g.emojis[emoji.id] = emoji
        return emoji

    def set_overwrite(
        self, channel: Ref, target: Ref, *, allow: int = 0, deny: int = 0
    ) -> Overwrite:
        """Set a channel permission overwrite for a role (an id of a role, or a Role) or a
        member (anything else), replacing any previous one for that target."""
        ch = self.channels[_id(channel)]
        guild = self.guilds[ch.guild_id] if ch.guild_id else None
        target_id = _id(target)
        kind = 0 if isinstance(target, Role) or (guild and target_id in guild.roles) else 1
        overwrite = Overwrite(target_id, kind, int(allow), int(deny))
        ch.overwrites[target_id] = overwrite
        self._dispatch("CHANNEL_UPDATE", self._channel_payload(ch))
        return overwrite

    def set_dms_open(self, user: Ref, is_open: bool) -> None:
        self.users[_id(user)].dms_open = is_open

    def dm_channel(self, user: Ref) -> Channel:
        """The DM channel between the bot and a user (created on first use)."""
        user_id = _id(user)
        if user_id in self._dm_channels:
            return self.channels[self._dm_channels[user_id]]
        channel = Channel(id=self.new_id(), name="", type=ChannelType.DM, recipient_id=user_id)
        self.channels[channel.id] = channel
        self._channel_messages[channel.id] = []
        self._dm_channels[user_id] = channel.id
        return channel

    # -- reading state ----------------------------------------------------------------------------

    def channel_messages(self, channel: Ref) -> list[Message]:
        """Visible (non-ephemeral, non-deleted) messages of a channel, oldest first."""
        ids = self._channel_messages.get(_id(channel), [])
        return [m for m in (self.messages[i] for i in ids) if not m.deleted]

    def last_message(self, channel: Ref) -> Message | None:
        messages = self.channel_messages(channel)
        return messages[-1] if messages else None

    def global_commands(self) -> list[Command]:
        return [c for c in self.commands.values() if c.guild_id is None]

    def guild_commands(self, guild: Ref) -> list[Command]:
        return [c for c in self.commands.values() if c.guild_id == _id(guild)]

    def find_command(self, name: str, guild: Ref | None = None, *, type: int = 1) -> Command:
        """A registered command by name, guild commands first (as Discord resolves them)."""
        scopes = ([_id(guild)] if guild is not None else []) + [None]
        for scope in scopes:
            for command in self.commands.values():
                if command.guild_id == scope and command.name == name and command.type == type:
                    return command
        registered = sorted(c.name for c in self.commands.values())
        raise LookupError(f"command {name!r} is not registered (synced: {registered})")

    def requests_to(self, route: str) -> list[RequestRecord]:
        """Answered requests for a route template such as "POST /channels/{channel_id}/messages"."""
        return [r for r in self.requests if r.route == route]

    def events(self, name: str) -> list[JSON]:
        return [d.data for d in self.dispatched if d.name == name]

    @property
    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.alive]

    @property
    def identified_intents(self) -> list[int]:
        """The intents of every IDENTIFY received, in order."""
        return [int(p.get("intents", 0)) for p in self.identify_payloads]

    # -- permissions ------------------------------------------------------------------------------

    def base_permissions(self, guild: Ref, user: Ref) -> int:
        g = self.guilds[_id(guild)]
        user_id = _id(user)
        if user_id == g.owner_id:
            return ALL_PERMISSIONS
        member = g.members.get(user_id)
        if member is None:
            return 0
        permissions = g.everyone.permissions
        for role_id in member.roles:
            if role_id in g.roles:
                permissions |= g.roles[role_id].permissions
        if permissions & Perm.ADMINISTRATOR:
            return ALL_PERMISSIONS
        return permissions

    def permissions_for(self, channel: Ref, user: Ref) -> int:
        """Discord's permission algorithm: base, then overwrites everyone → roles → member."""
        ch = self.channels[_id(channel)]
        if ch.is_dm:
            return DM_PERMISSIONS
        assert ch.guild_id is not None
        source = self.channels[ch.parent_id] if ch.is_thread and ch.parent_id else ch
        base = self.base_permissions(ch.guild_id, user)
        if base & Perm.ADMINISTRATOR:
            return ALL_PERMISSIONS
        user_id = _id(user)
        g = self.guilds[ch.guild_id]
        member = g.members.get(user_id)
        permissions = base
        everyone = source.overwrites.get(g.id)
        if everyone is not None:
            permissions = (permissions & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.roles if member else []:
            overwrite = source.overwrites.get(role_id)
            if overwrite is not None and overwrite.type == 0:
                allow |= overwrite.allow
                deny |= overwrite.deny
        permissions = (permissions & ~deny) | allow
        own = source.overwrites.get(user_id)
        if own is not None and own.type == 1:
            permissions = (permissions & ~own.deny) | own.allow
        if not permissions & Perm.VIEW_CHANNEL:
            return 0
        if not ch.is_thread and not permissions & Perm.SEND_MESSAGES:
            permissions &= ~_NEEDS_SEND
        return permissions

    def _require(self, channel: Channel, user_id: int, needed: int) -> None:
        have = self.permissions_for(channel, user_id)
        if not have & Perm.VIEW_CHANNEL:
            raise DiscordHTTPError(403, 50001, "Missing Access")
        if needed & ~have:
            raise DiscordHTTPError(403, 50013, "Missing Permissions")

    # -- payloads ---------------------------------------------------------------------------------

    def _channel_payload(self, ch: Channel) -> JSON:
        if ch.is_dm:
            assert ch.recipient_id is not None
            return {
                "id": str(ch.id),
                "type": ch.type,
                "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
                "recipients": [self.users[ch.recipient_id].payload()],
                "flags": 0,
            }
        data: JSON = {
            "id": str(ch.id),
            "type": ch.type,
            "guild_id": str(ch.guild_id),
            "name": ch.name,
            "position": ch.position,
            "permission_overwrites": [o.payload() for o in ch.overwrites.values()],
            "topic": ch.topic,
            "nsfw": ch.nsfw,
            "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
            "rate_limit_per_user": 0,
            "parent_id": str(ch.parent_id) if ch.parent_id else None,
            "flags": 0,
        }
        if ch.type == ChannelType.GUILD_VOICE:
            data.update(bitrate=64000, user_limit=0, rtc_region=None)
        if ch.is_thread:
            data.update(
                owner_id=str(ch.owner_id),
                message_count=ch.message_count,
                member_count=1,
                total_message_sent=ch.message_count,
                thread_metadata={
                    "archived": ch.archived,
                    "auto_archive_duration": ch.auto_archive_duration,
                    "archive_timestamp": _iso(ch.created_at),
                    "locked": ch.locked,
                    "create_timestamp": _iso(ch.created_at),
                },
            )
            data.pop("permission_overwrites")
            data.pop("position")
        return data

    def _guild_payload(self, g: Guild) -> JSON:
        return {
            "id": str(g.id),
            "name": g.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(g.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in g.roles.values()],
            "emojis": [e.payload() for e in g.emojis.values()],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": g.locale,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def _guild_create_payload(
        self, g: Guild, session: GatewaySession, *, joined: bool = False
    ) -> JSON:
        # Discord only sends the full member list with the presences intent; otherwise just
        # the bot itself (and members in voice, which this server does not model).
        if session.has(Intent.GUILD_PRESENCES):
            members = [m.payload() for m in g.members.values()]
        else:
            members = [g.members[self.bot.id].payload()] if self.bot.id in g.members else []
        channels = [self.channels[c] for c in g.channel_ids]
        threads = [
            c
            for c in self.channels.values()
            if c.guild_id == g.id and c.is_thread and not c.archived
        ]
        data = self._guild_payload(g)
        data.update(
            joined_at=_iso(g.members[self.bot.id].joined_at) if self.bot.id in g.members else None,
            large=False,
            unavailable=False,
            member_count=len(g.members),
            voice_states=[],
            members=members,
            channels=[self._channel_payload(c) for c in channels if not c.is_thread],
            threads=[self._channel_payload(t) for t in threads],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
            embedded_activities=[],
        )
        if joined:
            # A guild joined mid-session was never announced as unavailable: Discord leaves the
            # key out, which is how discord.py tells on_guild_join from on_guild_available.
            del data["unavailable"]
        return data

    def _message_payload(self, msg: Message, *, event: bool = False) -> JSON:
        author = self.users[msg.author_id]
        data: JSON = {
            "id": str(msg.id),
            "channel_id": str(msg.channel_id),
            "author": author.payload(),
            "content": msg.content,
            "timestamp": _iso(msg.created_at),
            "edited_timestamp": _iso(msg.edited_at),
            "tts": msg.tts,
            "mention_everyone": False,
            "mentions": [self.users[u].payload() for u in msg.mention_ids if u in self.users],
            "mention_roles": [],
            "attachments": [a.payload() for a in msg.attachments],
            "embeds": copy.deepcopy(msg.embeds),
            "components": copy.deepcopy(msg.components),
            "pinned": msg.pinned,
            "type": msg.type,
            "flags": msg.flags,
        }
        if msg.reactions:
            data["reactions"] = [
                {
                    "emoji": _emoji_payload(key),
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "me": self.bot.id in users,
                    "me_burst": False,
                    "burst_colors": [],
                }
                for key, users in msg.reactions.items()
                if users
            ]
        if msg.nonce is not None:
            data["nonce"] = msg.nonce
        if msg.webhook_id is not None:
            data["webhook_id"] = str(msg.webhook_id)
        if msg.application_id is not None:
            data["application_id"] = str(msg.application_id)
        if msg.interaction_metadata is not None:
            data["interaction_metadata"] = msg.interaction_metadata
        if msg.message_reference is not None:
            data["message_reference"] = msg.message_reference
            referenced = self.messages.get(int(msg.message_reference.get("message_id") or 0))
            if referenced is not None and not referenced.deleted:
                data["referenced_message"] = self._message_payload(referenced)
        if msg.thread_id is not None and msg.thread_id in self.channels:
            data["thread"] = self._channel_payload(self.channels[msg.thread_id])
        if event and msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
            member = self.guilds[msg.guild_id].members.get(msg.author_id)
            if member is not None and msg.webhook_id is None:
                data["member"] = member.payload(with_user=False)
        return data

    def _member_in_channel(self, channel: Channel, user_id: int) -> Member | None:
        if channel.guild_id is None:
            return None
        return self.guilds[channel.guild_id].members.get(user_id)

    # -- dispatching ------------------------------------------------------------------------------

    def dispatch(self, name: str, data: JSON) -> None:
        """Send a raw gateway event to every live session that is entitled to it."""
        self._dispatch(name, data)

    def _dispatch(self, name: str, data: JSON) -> None:
        guild_id = data.get("guild_id") or (data.get("id") if name.startswith("GUILD_") else None)
        self._dispatch_each(name, lambda _session: data, int(guild_id) if guild_id else None)

    def _dispatch_each(
        self, name: str, build: Callable[[GatewaySession], JSON], guild_id: int | None
    ) -> None:
        delivered: list[str] = []
        sample: JSON | None = None
        for session in self.live_sessions:
            if not session.handles_guild(guild_id):
                continue
            data = build(session)
            sample = data if sample is None else sample
            needed = _required_intent(name, data)
            if needed and not session.intents & needed:
                continue
            session.dispatch(name, self._redact(session, name, data))
            delivered.append(session.id)
        if sample is None:
            # Record what would have been sent even with no session, for assertions.
            sample = build(GatewaySession("-", int(sum(Intent)), None))
        self.dispatched.append(DispatchRecord(name, sample, time.monotonic(), delivered))
        self._notify()

    def _redact(self, session: GatewaySession, name: str, data: JSON) -> JSON:
        """Blank message content for sessions without the MESSAGE_CONTENT intent, like Discord:
        the bot still sees its own messages, DMs and messages that mention it."""
        if name not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or session.has(Intent.MESSAGE_CONTENT):
            return data
        if "guild_id" not in data or data.get("author", {}).get("id") == str(self.bot.id):
            return data
        if any(u.get("id") == str(self.bot.id) for u in data.get("mentions", [])):
            return data
        redacted = dict(data)
        redacted.update(content="", embeds=[], attachments=[], components=[])
        redacted.pop("poll", None)
        return redacted

    # -- acting as members ------------------------------------------------------------------------

    def send_as(
        self,
        user: Ref,
        channel: Ref,
        content: str = "",
        *,
        embeds: Sequence[JSON] = (),
        reply_to: Ref | None = None,
    ) -> Message:
        """A member posts a message (MESSAGE_CREATE is dispatched)."""
        ch = self.channels[_id(channel)]
        reference = None
        if reply_to is not None:
            reference = {"message_id": str(_id(reply_to)), "channel_id": str(ch.id), "type": 0}
            if ch.guild_id:
                reference["guild_id"] = str(ch.guild_id)
        msg = self._create_message(
            ch,
            _id(user),
            {"content": content, "embeds": list(embeds), "message_reference": reference},
            [],
        )
        return msg

    def react(self, user: Ref, message: Ref, emoji: str, *, dispatch: bool = True) -> None:
        """A member reacts. With ``dispatch=False`` only the state changes, as if the
        reaction had been added while the bot was offline (it shows up in reaction listings)."""
        msg = self.messages[_id(message)]
        self._add_reaction(msg, _id(user), emoji, dispatch=dispatch)

    def unreact(self, user: Ref, message: Ref, emoji: str, *, dispatch: bool = True) -> None:
        msg = self.messages[_id(message)]
        self._remove_reaction(msg, _id(user), emoji, dispatch=dispatch)

    def add_reaction(self, user: Ref, message: Ref, emoji: str) -> None:
        """Record a reaction without telling the bot (it happened while the bot was down)."""
        self.react(user, message, emoji, dispatch=False)

    def invoke_command(
        self,
        user: Ref,
        channel: Ref,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        raw_options: list[JSON] | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        """A member runs a slash command; ``command`` may name a subcommand ("deck import")
        or one in a group ("admin deck import"). Option types come from the registered
        command, so ``options`` is just {name: value}; ids of users, roles and channels are
        resolved from the server's state."""
        return self._invoke(user, channel, command, options, raw_options, None, locale)

    def autocomplete(
        self,
        user: Ref,
        channel: Ref,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        locale: str = "en-US",
    ) -> InteractionRecord:
        """A member types into an autocompleted option; ``await record.choices()`` answers."""
        return self._invoke(user, channel, command, options, None, focused, locale)

    def invoke_context_menu(
        self, user: Ref, channel: Ref, command: str, target: Ref
    ) -> InteractionRecord:
        """Run a user (target is a user/member) or message (target is a Message) command."""
        ch = self.channels[_id(channel)]
        is_message = isinstance(target, Message)
        command_type = 3 if is_message else 2
        cmd = self.find_command(command, ch.guild_id, type=command_type)
        self._check_can_use(cmd, ch, _id(user))
        target_id = _id(target)
        resolved: JSON
        if is_message:
            resolved = {
                "messages": {str(target_id): self._message_payload(self.messages[target_id])}
            }
        else:
            resolved = self._resolve_users([target_id], ch)
        data: JSON = {
            "id": str(cmd.id),
            "name": cmd.name,
            "type": command_type,
            "target_id": str(target_id),
            "resolved": resolved,
        }
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        return self._dispatch_interaction(INTERACTION_COMMAND, _id(user), ch, data)

    def press_button(self, user: Ref, message: Ref, custom_id: str) -> InteractionRecord:
        """A member clicks a button on a message (the button must be on it)."""
        return self._component(user, message, custom_id, None)

    def select(
        self, user: Ref, message: Ref, custom_id: str, values: Sequence[str]
    ) -> InteractionRecord:
        """A member picks values in a select menu on a message."""
        return self._component(user, message, custom_id, list(values))

    def _component(
        self, user: Ref, message: Ref, custom_id: str, values: list[str] | None
    ) -> InteractionRecord:
        msg = self.messages[_id(message)]
        component = next(
            (c for c in _walk_components(msg.components) if c.get("custom_id") == custom_id), None
        )
        if component is None:
            raise LookupError(f"no component {custom_id!r} on message {msg.id}: {msg.custom_ids()}")
        if component.get("disabled"):
            raise LookupError(f"component {custom_id!r} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            data["values"] = values
        ch = self.channels[msg.channel_id]
        payload_message = self._message_payload(msg)
        return self._dispatch_interaction(
            INTERACTION_COMPONENT, _id(user), ch, data, message=payload_message
        )

    def _invoke(
        self,
        user: Ref,
        channel: Ref,
        command: str,
        options: Mapping[str, Any] | None,
        raw_options: list[JSON] | None,
        focused: str | None,
        locale: str,
    ) -> InteractionRecord:
        ch = self.channels[_id(channel)]
        guild_id = ch.guild_id if not ch.is_dm else None
        root, *path = command.split()
        cmd = self.find_command(root, guild_id)
        self._check_can_use(cmd, ch, _id(user))
        resolved: JSON = {}
        if raw_options is not None:
            built = raw_options
        else:
            schema = cmd.options
            # Walk down groups/subcommands, building the nested option structure as we go.
            containers: list[JSON] = []
            for part in path:
                sub = next(
                    (o for o in schema if o["name"] == part and o.get("type") in (1, 2)), None
                )
                if sub is None:
                    raise LookupError(f"{root!r} has no subcommand {part!r}")
                containers.append({"type": sub["type"], "name": part, "options": []})
                schema = sub.get("options") or []
            leaf = self._build_options(schema, options or {}, focused, ch, resolved)
            built = leaf
            for container in reversed(containers):
                container["options"] = built
                built = [container]
        data: JSON = {"id": str(cmd.id), "name": cmd.name, "type": 1, "options": built}
        if resolved:
            data["resolved"] = resolved
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        kind = INTERACTION_AUTOCOMPLETE if focused else INTERACTION_COMMAND
        return self._dispatch_interaction(kind, _id(user), ch, data, locale=locale)

    def _check_can_use(self, command: Command, channel: Channel, user_id: int) -> None:
        """Discord hides a command from members lacking its default_member_permissions."""
        required = command.payload.get("default_member_permissions")
        if required is None or channel.is_dm:
            return
        if int(required) & ~self.permissions_for(channel, user_id):
            raise PermissionError(f"{self.users[user_id].name} cannot use /{command.name}")

    def submit_modal(
        self, interaction: InteractionRecord, values: Mapping[str, str | Sequence[str]]
    ) -> InteractionRecord:
        """The member fills in and submits the modal the bot opened in answer to
        ``interaction``: ``values`` maps text input custom_ids to text (select menus in the
        modal to lists of values). Returns the new modal-submit interaction."""
        callback = interaction.callback
        if callback is None or callback.type != CALLBACK_MODAL:
            raise LookupError(f"{interaction!r} was not answered with a modal")
        unused = dict(values)

        def fill(component: JSON) -> JSON:
            kind = component["type"]
            if kind == 1:
                return {"type": 1, "components": [fill(c) for c in component["components"]]}
            if kind == 18:  # label wrapping one component
                return {"type": 18, "component": fill(component["component"])}
            custom_id = component.get("custom_id")
            filled: JSON = {"type": kind}
            if custom_id is None:
                return filled
            filled["custom_id"] = custom_id
            given = unused.pop(custom_id, None)
            if kind == 4:  # text input
                value = given if given is not None else component.get("value") or ""
                if component.get("required", True) and not value:
                    raise LookupError(f"required text input {custom_id!r} left empty")
                filled["value"] = value
            else:
                filled["values"] = list(given or [])
            return filled

        components = [fill(c) for c in callback.data.get("components") or []]
        if unused:
            raise LookupError(f"the modal has no input(s) {sorted(unused)}")
        data = {"custom_id": callback.data["custom_id"], "components": components}
        source = self.messages.get(interaction.source_message_id or 0)
        return self._dispatch_interaction(
            INTERACTION_MODAL_SUBMIT,
            interaction.user_id,
            self.channels[interaction.channel_id],
            data,
            message=self._message_payload(source) if source is not None else None,
        )

    def _build_options(
        self,
        schema: list[JSON],
        values: Mapping[str, Any],
        focused: str | None,
        channel: Channel,
        resolved: JSON,
    ) -> list[JSON]:
        by_name = {o["name"]: o for o in schema}
        unknown = set(values) - set(by_name)
        if unknown:
            raise LookupError(
                f"unknown option(s) {sorted(unknown)}; the command has {sorted(by_name)}"
            )
        missing = [
            o["name"]
            for o in schema
            if o.get("required") and o["name"] not in values and o["name"] != focused
        ]
        if missing and focused is None:
            raise LookupError(f"missing required option(s) {missing}")
        built: list[JSON] = []
        for name, value in values.items():
            kind = int(by_name[name]["type"])
            option: JSON = {"name": name, "type": kind}
            if name == focused:
                option.update(value=str(value), focused=True)
            elif kind in (6, 7, 8, 9):
                target = _id(value)
                option["value"] = str(target)
                self._resolve_into(resolved, kind, target, channel)
            elif kind == 10:
                option["value"] = float(value)
            else:
                option["value"] = value
            built.append(option)
        return built

    def _resolve_users(self, user_ids: Iterable[int], channel: Channel) -> JSON:
        resolved: JSON = {}
        for user_id in user_ids:
            self._resolve_into(resolved, 6, user_id, channel)
        return resolved

    def _resolve_into(self, resolved: JSON, kind: int, target: int, channel: Channel) -> None:
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        if kind in (6, 9) and target in self.users:
            resolved.setdefault("users", {})[str(target)] = self.users[target].payload()
            if guild is not None and target in guild.members:
                member = guild.members[target].payload(with_user=False)
                member["permissions"] = str(self.permissions_for(channel, target))
                resolved.setdefault("members", {})[str(target)] = member
        elif kind in (8, 9) and guild is not None and target in guild.roles:
            resolved.setdefault("roles", {})[str(target)] = guild.roles[target].payload()
        elif kind == 7 and target in self.channels:
            ch = self.channels[target]
            payload = self._channel_payload(ch)
            payload["permissions"] = str(self.permissions_for(ch, self.bot.id))
            resolved.setdefault("channels", {})[str(target)] = payload

    def _dispatch_interaction(
        self,
        kind: int,
        user_id: int,
        channel: Channel,
        data: JSON,
        *,
        message: JSON | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        channel_payload = self._channel_payload(channel)
        channel_payload["permissions"] = str(self.permissions_for(channel, user_id))
        payload: JSON = {
            "id": str(self.new_id()),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "channel": channel_payload,
            "channel_id": str(channel.id),
            "token": f"itok-{secrets.token_urlsafe(24)}",
            "version": 1,
            "app_permissions": str(self.permissions_for(channel, self.bot.id)),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if channel.guild_id is not None:
            guild = self.guilds[channel.guild_id]
            member = guild.members[user_id].payload()
            member["permissions"] = str(self.permissions_for(channel, user_id))
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.locale, "features": []},
                guild_locale=guild.locale,
                member=member,
                context=0,
                authorizing_integration_owners={"0": str(guild.id)},
            )
        else:
            payload.update(
                user=self.users[user_id].payload(),
                context=1,
                authorizing_integration_owners={"0": str(user_id)},
            )
        if message is not None:
            payload["message"] = message
        record = InteractionRecord(self, payload)
        self.interactions[record.id] = record
        self._dispatch("INTERACTION_CREATE", payload)
        return record

    # -- gateway control --------------------------------------------------------------------------

    def reconnect_all(self) -> int:
        """Send op 7 (Reconnect) to every client; they reconnect and RESUME. Events
        dispatched meanwhile are buffered and replayed. Returns how many were told."""
        connections = [c for c in self.connections if c.session is not None]
        for connection in connections:
            connection.send({"op": 7, "d": None})
            self._detach(connection)
        self._notify()
        return len(connections)

    def drop_connections(self) -> int:
        """Abort every gateway TCP connection without a close frame (a network failure)."""
        connections = list(self.connections)
        for connection in connections:
            self._detach(connection)
            connection.abort()
        self._notify()
        return len(connections)

    def invalidate_sessions(self, *, resumable: bool = False) -> None:
        """Send op 9 (Invalid Session). Not resumable: the sessions are gone, so clients
        identify again (discord.py waits 5 s in before_identify_hook unless overridden)."""
        for connection in list(self.connections):
            if connection.session is None:
                continue
            connection.send({"op": 9, "d": resumable})
            if not resumable:
                connection.session.alive = False
            self._detach(connection)
        self._notify()

    def _detach(self, connection: GatewayConnection) -> None:
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None

    # -- gateway websocket ------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = GatewayConnection(ws, request)
        self.connections.append(connection)
        writer = asyncio.create_task(connection.pump())
        connection.send(
            {"op": 10, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}}
        )
        self._notify()
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_gateway_frame(connection, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    connection.close(4002, "Decode error")
        finally:
            connection.close_code = ws.close_code
            # A client that closes with 1000/1001 ends its session, as on Discord.
            if connection.session is not None and ws.close_code in (1000, 1001):
                connection.session.alive = False
            self._detach(connection)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            self.connections.remove(connection)
            self._notify()
        return ws

    def _on_gateway_frame(self, connection: GatewayConnection, text: str) -> None:
        try:
            frame = json.loads(text)
        except ValueError:
            connection.close(4002, "Decode error")
            return
        connection.received.append(frame)
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            connection.send({"op": 11})
        elif op in (2, 6) and connection.session is not None:
            connection.close(4005, "Already authenticated")
        elif op == 2:
            self._identify(connection, data or {})
        elif op == 6:
            self._resume(connection, data or {})
        elif connection.session is None and op in (3, 4, 8):
            connection.close(4003, "Not authenticated")
        elif op == 3:
            assert connection.session is not None
            connection.session.presence = data
        elif op == 8:
            self._request_members(connection, data or {})
        elif op == 4:
            pass  # voice state updates: voice is not modelled
        else:
            connection.close(4001, "Unknown opcode")
        self._notify()

    def _identify(self, connection: GatewayConnection, data: JSON) -> None:
        self.identify_payloads.append(data)
        if data.get("token") != self.token:
            connection.close(4004, "Authentication failed")
            return
        if "intents" not in data:
            connection.close(4013, "Invalid intent(s)")
            return
        intents = int(data["intents"])
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            connection.close(4014, "Disallowed intent(s)")
            return
        shard = tuple(data["shard"]) if data.get("shard") else None
        session = GatewaySession(
            id=secrets.token_hex(16),
            intents=intents,
            shard=(int(shard[0]), int(shard[1])) if shard else None,
            presence=data.get("presence"),
        )
        self.sessions[session.id] = session
        connection.session = session
        session.connection = connection
        guilds = [
            g
            for g in self.guilds.values()
            if self.bot.id in g.members and session.handles_guild(g.id)
        ]
        ready: JSON = {
            "v": 10,
            "user": self._me_payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "application": {"id": str(self.application_id), "flags": self._application_flags()},
            "user_settings": {},
            "_trace": ["fakediscord"],
        }
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        self._record_session_dispatch(session, "READY", ready)
        for guild in guilds:
            self._record_session_dispatch(
                session, "GUILD_CREATE", self._guild_create_payload(guild, session)
            )

    def _record_session_dispatch(self, session: GatewaySession, name: str, data: JSON) -> None:
        session.dispatch(name, data)
        self.dispatched.append(DispatchRecord(name, data, time.monotonic(), [session.id]))

    def _resume(self, connection: GatewayConnection, data: JSON) -> None:
        self.resume_payloads.append(data)
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        if (
            session is None
            or not session.alive
            or data.get("token") != self.token
            or not isinstance(seq, int)
            or seq > session.seq
            or (session.events and seq < session.events[0][0] - 1)
        ):
            connection.send({"op": 9, "d": False})
            return
        if session.connection is not None and session.connection is not connection:
            session.connection.close(4009, "Session resumed elsewhere")
        connection.session = session
        session.connection = connection
        session.resumes += 1
        # Replay what the client missed, then RESUMED; all before any new event can interleave.
        for event_seq, _name, frame in session.events:
            if event_seq > seq:
                connection.send_frame(frame)
        self._record_session_dispatch(session, "RESUMED", {"_trace": ["fakediscord"]})

    def _request_members(self, connection: GatewayConnection, data: JSON) -> None:
        session = connection.session
        assert session is not None
        guild = self.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        query = str(data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        wanted = {int(u) for u in data.get("user_ids") or []}
        members = [
            m
            for m in guild.members.values()
            if (not wanted or m.id in wanted) and m.user.name.lower().startswith(query)
        ]
        if limit:
            members = members[:limit]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in wanted - {m.id for m in members}],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        self._record_session_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    def _application_flags(self) -> int:
        flags = 0
        for intent, flag in _APP_FLAG_FOR_INTENT.items():
            if self.privileged_intents & intent:
                flags |= flag
        return flags

    def _me_payload(self) -> JSON:
        data = self.bot.payload()
        data.update(verified=True, mfa_enabled=False, email=None, locale="en-US")
        return data

    # -- rate limiting ----------------------------------------------------------------------------

    def force_rate_limit(
        self,
        route: str,
        *,
        times: int | None = None,
        every: int | None = None,
        duration: float | None = None,
        retry_after: float = 0.05,
        is_global: bool = False,
        channel: Ref | None = None,
        via: bool = True,
    ) -> RateLimitRule:
        """Answer 429 on ``route`` ("POST /channels/{channel_id}/messages", or "*") for the
        next ``times`` requests and/or every ``every``-th request for ``duration`` seconds.
        discord.py retries a request at most 5 times, so ``times`` >= 5 makes it give up.
        ``via=False`` omits the Via header: discord.py then raises instead of retrying."""
        if times is None and every is None:
            times = 1
        until = time.monotonic() + duration if duration is not None else None
        rule = RateLimitRule(
            route=route,
            times=times,
            every=every,
            until=until,
            retry_after=retry_after,
            is_global=is_global,
            scope="global" if is_global else "user",
            via=via,
            channel_id=_id(channel) if channel is not None else None,
        )
        self.rate_limit_rules.append(rule)
        return rule

    def clear_rate_limits(self) -> None:
        self.rate_limit_rules.clear()

    def _limited(
        self,
        retry_after: float,
        *,
        is_global: bool,
        scope: str,
        bucket: str,
        limit: int,
        via: bool = True,
    ) -> web.Response:
        if not via:
            # What a Cloudflare ban looks like: no Via header, and not JSON.
            return web.Response(status=429, text="error code: 1015", content_type="text/plain")
        headers = {
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Scope": scope,
            "Via": "1.1 google",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
            "code": 0,
        }
        return _json(body, 429, headers)

    def _check_rate_limits(
        self, route: str, params: Mapping[str, str], bot_auth: bool
    ) -> tuple[web.Response | None, dict[str, str]]:
        """Forced rules first, then the enforced limits. Returns (429 or None, headers)."""
        now = time.monotonic()
        for rule in self.rate_limit_rules:
            if rule.matches(route, params, now) and rule.fire():
                return self._limited(
                    rule.retry_after,
                    is_global=rule.is_global,
                    scope=rule.scope,
                    bucket=_bucket_hash(route),
                    limit=1,
                    via=rule.via,
                ), {}
        if self.rate_limits is None:
            return None, {}
        if bot_auth:
            limit, per = self.rate_limits.global_limit
            window = self._windows.setdefault("global", _Window(limit, per))
            allowed, _remaining, reset_after = window.hit(now)
            if not allowed:
                return self._limited(
                    reset_after, is_global=True, scope="global", bucket="global", limit=limit
                ), {}
        bucket, limit, per = self.rate_limits.bucket_for(route)
        major = "+".join(
            params[k] for k in ("channel_id", "guild_id", "webhook_id", "token") if k in params
        )
        window = self._windows.setdefault(f"{bucket}:{major}", _Window(limit, per))
        allowed, remaining, reset_after = window.hit(now)
        if not allowed:
            return self._limited(
                reset_after, is_global=False, scope="user", bucket=bucket, limit=limit
            ), {}
        return None, {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }

    # -- HTTP plumbing ----------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        route = self._route_of(request)
        record = RequestRecord(
            method=request.method,
            path=request.path,
            route=route,
            params=dict(request.match_info),
            query=dict(request.query),
            time=time.monotonic(),
        )
        try:
            response = await self._handle(request, handler, route)
        except DiscordHTTPError as error:
            response = error.response()
        record.status = response.status
        record.body = request.get(_BODY)
        if route is not None or request.path.startswith("/api/"):
            self.requests.append(record)
            self._notify()
        return response

    async def _handle(
        self, request: web.Request, handler: _Handler, route: str | None
    ) -> web.StreamResponse:
        if not request.path.startswith("/api/"):
            return await handler(request)  # gateway and attachments
        if route is None:
            match_error = request.match_info.http_exception
            if match_error is not None and match_error.status == 405:
                raise DiscordHTTPError(405, 0, "405: Method Not Allowed")
            raise DiscordHTTPError(404, 0, "404: Not Found")
        path = route.split(" ", 1)[1]
        bot_auth = not path.startswith(_NO_AUTH_PREFIXES)
        if bot_auth and request.headers.get("Authorization") != f"Bot {self.token}":
            raise DiscordHTTPError(401, 0, "401: Unauthorized")
        limited, headers = self._check_rate_limits(route, request.match_info, bot_auth)
        if limited is not None:
            return limited
        response = await handler(request)
        response.headers.update(headers)
        return response

    @staticmethod
    def _route_of(request: web.Request) -> str | None:
        resource = request.match_info.route.resource
        if resource is None or not request.path.startswith("/api/"):
            return None
        template = re.sub(r"^/api/v\d+", "", resource.canonical)
        return f"{request.method} {template}"

    async def _body(self, request: web.Request) -> tuple[Any, list[Attachment]]:
        """The JSON payload (from the body, or ``payload_json`` in multipart) and any files."""
        files: list[Attachment] = []
        if request.content_type.startswith("multipart/"):
            payload: Any = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue  # nested multipart: Discord does not use it
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                elif part.name and part.name.startswith("files["):
                    files.append(
                        Attachment(
                            id=self.new_id(),
                            filename=part.filename or "file",
                            data=bytes(await part.read()),
                            content_type=part.headers.get("Content-Type"),
                        )
                    )
        else:
            raw = await request.read()
            payload = json.loads(raw) if raw else {}
        request[_BODY] = payload
        return payload, files

    def _routes(self) -> list[tuple[str, str, _Handler]]:
        ch = "/channels/{channel_id}"
        msg = ch + "/messages/{message_id}"
        cmds = "/applications/{application_id}/commands"
        gcmds = "/applications/{application_id}/guilds/{guild_id}/commands"
        hook = "/webhooks/{application_id}/{token}"
        # aiohttp matches in order: literal segments (@me) before placeholders.
        return [
            ("GET", "/users/@me", self._h_get_me),
            ("POST", "/users/@me/channels", self._h_create_dm),
            ("GET", "/users/{user_id}", self._h_get_user),
            ("GET", "/oauth2/applications/@me", self._h_get_application),
            ("GET", "/applications/@me", self._h_get_application),
            ("GET", "/gateway", self._h_gateway),
            ("GET", "/gateway/bot", self._h_gateway_bot),
            ("GET", cmds, self._h_list_commands),
            ("PUT", cmds, self._h_bulk_commands),
            ("POST", cmds, self._h_upsert_command),
            ("GET", cmds + "/{command_id}", self._h_get_command),
            ("PATCH", cmds + "/{command_id}", self._h_edit_command),
            ("DELETE", cmds + "/{command_id}", self._h_delete_command),
            ("GET", gcmds, self._h_list_commands),
            ("PUT", gcmds, self._h_bulk_commands),
            ("POST", gcmds, self._h_upsert_command),
            ("GET", gcmds + "/{command_id}", self._h_get_command),
            ("PATCH", gcmds + "/{command_id}", self._h_edit_command),
            ("DELETE", gcmds + "/{command_id}", self._h_delete_command),
            ("GET", ch, self._h_get_channel),
            ("GET", ch + "/messages", self._h_history),
            ("POST", ch + "/messages", self._h_send),
            ("POST", ch + "/typing", self._h_typing),
            ("POST", ch + "/threads", self._h_create_thread),
            ("GET", msg, self._h_get_message),
            ("PATCH", msg, self._h_edit_message),
            ("DELETE", msg, self._h_delete_message),
            ("POST", msg + "/threads", self._h_create_thread),
            ("PUT", msg + "/reactions/{emoji}/@me", self._h_add_reaction),
            ("DELETE", msg + "/reactions/{emoji}/@me", self._h_remove_own_reaction),
            ("DELETE", msg + "/reactions/{emoji}/{user_id}", self._h_remove_user_reaction),
            ("GET", msg + "/reactions/{emoji}", self._h_reaction_users),
            ("DELETE", msg + "/reactions/{emoji}", self._h_clear_emoji),
            ("DELETE", msg + "/reactions", self._h_clear_reactions),
            ("GET", "/guilds/{guild_id}", self._h_get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._h_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self._h_guild_roles),
            ("GET", "/guilds/{guild_id}/members", self._h_list_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._h_get_member),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._h_callback),
            ("POST", hook, self._h_followup),
            ("GET", hook + "/messages/{message_id}", self._h_get_webhook_message),
            ("PATCH", hook + "/messages/{message_id}", self._h_edit_webhook_message),
            ("DELETE", hook + "/messages/{message_id}", self._h_delete_webhook_message),
        ]

    # -- lookups that raise Discord errors --------------------------------------------------------

    def _channel(self, request: web.Request) -> Channel:
        channel = self.channels.get(int(request.match_info["channel_id"]))
        if channel is None:
            raise DiscordHTTPError(404, 10003, "Unknown Channel")
        if (
            channel.guild_id is not None
            and self.bot.id not in self.guilds[channel.guild_id].members
        ):
            raise DiscordHTTPError(403, 50001, "Missing Access")
        return channel

    def _message(self, request: web.Request, channel: Channel) -> Message:
        msg = self.messages.get(int(request.match_info["message_id"]))
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
            raise DiscordHTTPError(404, 10008, "Unknown Message")
        return msg

    def _guild(self, request: web.Request) -> Guild:
        guild = self.guilds.get(int(request.match_info["guild_id"]))
        if guild is None or self.bot.id not in guild.members:
            raise DiscordHTTPError(404, 10004, "Unknown Guild")
        return guild

    def _check_application(self, request: web.Request) -> None:
        if request.match_info["application_id"] != str(self.application_id):
            raise DiscordHTTPError(403, 50001, "Missing Access")

    def _emoji_key(self, raw: str) -> str:
        """Validate a reaction emoji from a URL and return its key: the unicode emoji itself,
        or ``name:id`` for a custom emoji (discord.py sends ``a:name:id`` for animated ones)."""
        if ":" in raw:
            parts = raw.split(":")
            if len(parts) == 3 and parts[0] == "a":
                parts = parts[1:]
            if len(parts) != 2 or not parts[1].isdigit():
                raise DiscordHTTPError(400, 10014, "Unknown Emoji")
            name, emoji_id = parts
            if not any(int(emoji_id) in g.emojis for g in self.guilds.values()):
                raise DiscordHTTPError(400, 10014, "Unknown Emoji")
            return f"{name}:{emoji_id}"
        # A common bug is passing ":thumbsup:" or a name instead of the character itself.
        if not raw or raw.isascii():
            raise DiscordHTTPError(400, 10014, "Unknown Emoji")
        return raw

    # -- REST: users, application, gateway --------------------------------------------------------

    async def _h_get_me(self, request: web.Request) -> web.Response:
        return _json(self._me_payload())

    async def _h_get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise DiscordHTTPError(404, 10013, "Unknown User")
        return _json(user.payload())

    async def _h_get_application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(self.application_id),
                "name": self.bot.name,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot": self.bot.payload(),
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": self._application_flags(),
                "owner": self.app_owner.payload(),
                "team": None,
                "rpc_origins": [],
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
                "approximate_guild_count": len(self.guilds),
                "integration_types_config": {"0": {}},
            }
        )

    async def _h_gateway(self, request: web.Request) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _h_gateway_bot(self, request: web.Request) -> web.Response:
        return _json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def _h_create_dm(self, request: web.Request) -> web.Response:
        payload, _ = await self._body(request)
        user = self.users.get(int(payload.get("recipient_id") or 0))
        if user is None:
            raise DiscordHTTPError(400, 50035, "Invalid Form Body")
        return _json(self._channel_payload(self.dm_channel(user)))

    # -- REST: application commands ---------------------------------------------------------------

    def _scope(self, request: web.Request) -> int | None:
        self._check_application(request)
        if "guild_id" in request.match_info:
            return self._guild(request).id
        return None

    def _validate_command(self, data: JSON, index: int | None = None) -> JSON:
        prefix = f"{index}." if index is not None else ""
        name = data.get("name")
        kind = int(data.get("type", 1))
        if not isinstance(name, str) or not 1 <= len(name) <= 32:
            raise _form_error(
                f"{prefix}name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."
            )
        if kind == 1:
            if not _COMMAND_NAME.match(name) or name != name.lower():
                raise _form_error(
                    f"{prefix}name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                )
            description = data.get("description") or ""
            if not 1 <= len(description) <= 100:
                raise _form_error(
                    f"{prefix}description",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            self._validate_options(data.get("options") or [], f"{prefix}options")
        filled = {
            "type": kind,
            "description": data.get("description", "") if kind == 1 else "",
            "options": data.get("options") or [],
            "default_member_permissions": data.get("default_member_permissions"),
            "dm_permission": data.get("dm_permission", True),
            "nsfw": data.get("nsfw", False),
            "contexts": data.get("contexts"),
            "integration_types": data.get("integration_types", [0]),
            "name_localizations": data.get("name_localizations"),
            "description_localizations": data.get("description_localizations"),
        }
        filled.update(
            {k: v for k, v in data.items() if k not in ("id", "application_id", "version")}
        )
        return filled

    def _validate_options(self, options: list[JSON], where: str) -> None:
        if len(options) > 25:
            raise _form_error(where, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        seen_optional = False
        for i, option in enumerate(options):
            name, description = option.get("name", ""), option.get("description", "")
            if not _COMMAND_NAME.match(name) or name != name.lower():
                raise _form_error(
                    f"{where}.{i}.name",
                    "APPLICATION_COMMAND_INVALID_NAME",
                    "Command name is invalid",
                )
            if not 1 <= len(description) <= 100:
                raise _form_error(
                    f"{where}.{i}.description",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            if len(option.get("choices") or []) > 25:
                raise _form_error(
                    f"{where}.{i}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
            if option.get("type") in (1, 2):
                self._validate_options(option.get("options") or [], f"{where}.{i}.options")
            elif option.get("required"):
                if seen_optional:
                    raise _form_error(
                        f"{where}.{i}.required",
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True

    def _store_command(self, scope: int | None, data: JSON) -> tuple[Command, bool]:
        """Create or update by (name, type) within a scope, keeping ids like Discord does."""
        existing = next(
            (
                c
                for c in self.commands.values()
                if c.guild_id == scope and c.name == data["name"] and c.type == int(data["type"])
            ),
            None,
        )
        if existing is not None:
            if existing.payload != data:
                existing.payload = data
                existing.version = self.new_id()
            return existing, False
        command = Command(self.new_id(), self.application_id, scope, self.new_id(), data)
        self.commands[command.id] = command
        return command, True

    async def _h_list_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        return _json([c.to_json() for c in self.commands.values() if c.guild_id == scope])

    async def _h_bulk_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        payload, _ = await self._body(request)
        if not isinstance(payload, list):
            raise DiscordHTTPError(400, 50035, "Invalid Form Body")
        if len(payload) > 100:
            raise _form_error("_", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        validated = [self._validate_command(d, i) for i, d in enumerate(payload)]
        keys = [(d["name"], d["type"]) for d in validated]
        if len(set(keys)) != len(keys):
            raise _form_error(
                "_",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                "Application command names must be unique",
            )
        kept = {self._store_command(scope, d)[0].id for d in validated}
        for command_id in [
            c.id for c in self.commands.values() if c.guild_id == scope and c.id not in kept
        ]:
            del self.commands[command_id]
        self._notify()
        return _json([c.to_json() for c in self.commands.values() if c.guild_id == scope])

    async def _h_upsert_command(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        payload, _ = await self._body(request)
        command, created = self._store_command(scope, self._validate_command(payload))
        self._notify()
        return _json(command.to_json(), 201 if created else 200)

    def _command(self, request: web.Request) -> Command:
        scope = self._scope(request)
        command = self.commands.get(int(request.match_info["command_id"]))
        if command is None or command.guild_id != scope:
            raise DiscordHTTPError(404, 10063, "Unknown application command")
        return command

    async def _h_get_command(self, request: web.Request) -> web.Response:
        return _json(self._command(request).to_json())

    async def _h_edit_command(self, request: web.Request) -> web.Response:
        command = self._command(request)
        payload, _ = await self._body(request)
        command.payload = self._validate_command({**command.payload, **payload})
        command.version = self.new_id()
        self._notify()
        return _json(command.to_json())

    async def _h_delete_command(self, request: web.Request) -> web.Response:
        command = self._command(request)
        del self.commands[command.id]
        self._notify()
        return _no_content()

    # -- REST: channels and messages --------------------------------------------------------------

    async def _h_get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if not channel.is_dm:
            self._require(channel, self.bot.id, Perm.VIEW_CHANNEL)
        return _json(self._channel_payload(channel))

    async def _h_history(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, self.bot.id, Perm.VIEW_CHANNEL)
        if not self.permissions_for(channel, self.bot.id) & Perm.READ_MESSAGE_HISTORY:
            return _json([])  # Discord answers an empty list rather than an error
        query = request.query
        limit = max(1, min(100, int(query.get("limit", 50))))
        messages = self.channel_messages(channel)  # oldest first
        if "around" in query:
            around = int(query["around"])
            older = [m for m in messages if m.id <= around][-(limit // 2 + 1) :]
            newer = [m for m in messages if m.id > around][: limit - len(older)]
            picked = older + newer
        elif "after" in query:
            picked = [m for m in messages if m.id > int(query["after"])][:limit]
        else:
            before = int(query["before"]) if "before" in query else None
            picked = [m for m in messages if before is None or m.id < before][-limit:]
        return _json([self._message_payload(m) for m in reversed(picked)])  # newest first

    async def _h_get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, self.bot.id, Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY)
        return _json(self._message_payload(self._message(request, channel)))

    async def _h_typing(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, self.bot.id, Perm.SEND_MESSAGES)
        return _no_content()

    def _check_can_send(self, channel: Channel, payload: JSON, files: list[Attachment]) -> None:
        if channel.is_dm:
            assert channel.recipient_id is not None
            recipient = self.users[channel.recipient_id]
            if not recipient.dms_open or recipient.bot:
                raise DiscordHTTPError(403, 50007, "Cannot send messages to this user")
            return
        if channel.is_thread and (channel.archived and channel.locked):
            raise DiscordHTTPError(400, 50083, "Thread is archived")
        needed = Perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else Perm.SEND_MESSAGES
        if payload.get("embeds"):
            needed |= Perm.EMBED_LINKS
        if files:
            needed |= Perm.ATTACH_FILES
        if payload.get("message_reference"):
            needed |= Perm.READ_MESSAGE_HISTORY
        self._require(channel, self.bot.id, needed)

    def _validate_message(
        self, payload: JSON, files: list[Attachment], *, editing: bool = False
    ) -> None:
        content = payload.get("content")
        if content is not None and len(str(content)) > 2000:
            raise _form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
        embeds = payload.get("embeds") or []
        if len(embeds) > 10:
            raise _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        total = 0
        limits = {"title": 256, "description": 4096}
        for i, embed in enumerate(embeds):
            for key, limit in limits.items():
                value = str(embed.get(key) or "")
                total += len(value)
                if len(value) > limit:
                    raise _form_error(
                        f"embeds.{i}.{key}",
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {limit} or fewer in length.",
                    )
            fields = embed.get("fields") or []
            if len(fields) > 25:
                raise _form_error(
                    f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
            for j, fld in enumerate(fields):
                name, value = str(fld.get("name") or ""), str(fld.get("value") or "")
                total += len(name) + len(value)
                if not name or len(name) > 256:
                    raise _form_error(
                        f"embeds.{i}.fields.{j}.name",
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 256 in length.",
                    )
                if not value or len(value) > 1024:
                    raise _form_error(
                        f"embeds.{i}.fields.{j}.value",
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 1024 in length.",
                    )
            total += len(str((embed.get("footer") or {}).get("text") or ""))
            total += len(str((embed.get("author") or {}).get("name") or ""))
        if total > 6000:
            raise _form_error(
                "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
            )
        components = payload.get("components") or []
        if not int(payload.get("flags") or 0) & (1 << 15):  # classic (not v2) components
            if len(components) > 5:
                raise _form_error(
                    "components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."
                )
            for i, row in enumerate(components):
                if len(row.get("components") or []) > 5:
                    raise _form_error(
                        f"components.{i}.components",
                        "BASE_TYPE_MAX_LENGTH",
                        "Must be 5 or fewer in length.",
                    )
        for component in _walk_components(components):
            if len(str(component.get("custom_id", ""))) > 100:
                raise _form_error(
                    "components",
                    "BASE_TYPE_MAX_LENGTH",
                    "custom_id must be 100 or fewer in length.",
                )
        if not editing and not (
            content
            or embeds
            or components
            or files
            or payload.get("sticker_ids")
            or payload.get("poll")
        ):
            raise DiscordHTTPError(400, 50006, "Cannot send an empty message")

    def _create_message(
        self,
        channel: Channel,
        author_id: int,
        payload: JSON,
        files: list[Attachment],
        **extra: Any,
    ) -> Message:
        """Store a message and dispatch MESSAGE_CREATE unless it is ephemeral."""
        for attachment in files:
            attachment.url = self._attachment_url(channel.id, attachment)
        described = {
            int(a["id"]): a.get("description")
            for a in payload.get("attachments") or []
            if "id" in a
        }
        for index, attachment in enumerate(files):
            attachment.description = described.get(index)
        content = str(payload.get("content") or "")
        msg = Message(
            id=self.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=author_id,
            content=content,
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            attachments=files,
            flags=int(payload.get("flags") or 0),
            tts=bool(payload.get("tts")),
            nonce=payload.get("nonce"),
            message_reference=payload.get("message_reference"),
            mention_ids=[int(u) for u in _MENTION.findall(content)],
            **extra,
        )
        if msg.message_reference is not None:
            msg.type = 19  # REPLY
        self.messages[msg.id] = msg
        if not msg.ephemeral:
            self._channel_messages.setdefault(channel.id, []).append(msg.id)
            channel.last_message_id = msg.id
            if channel.is_thread:
                channel.message_count += 1
            self._dispatch("MESSAGE_CREATE", self._message_payload(msg, event=True))
        self._notify()
        return msg

    def _edit_message(self, msg: Message, payload: JSON, files: list[Attachment]) -> None:
        """Apply an edit, keep the previous version, dispatch MESSAGE_UPDATE unless ephemeral."""
        msg.edits.append(
            {
                "content": msg.content,
                "embeds": copy.deepcopy(msg.embeds),
                "components": copy.deepcopy(msg.components),
                "flags": msg.flags,
            }
        )
        if "content" in payload:
            msg.content = str(payload["content"] or "")
            msg.mention_ids = [int(u) for u in _MENTION.findall(msg.content)]
        if "embeds" in payload:
            msg.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            msg.components = list(payload["components"] or [])
        if "flags" in payload and payload["flags"] is not None:
            # Only a few flags are editable; keep ephemeral, and finish any loading state.
            keep = msg.flags & EPHEMERAL
            msg.flags = keep | (int(payload["flags"]) & (SUPPRESS_EMBEDS | (1 << 15)))
        msg.flags &= ~LOADING
        if "attachments" in payload:
            kept = {int(a["id"]) for a in payload["attachments"] or [] if "filename" not in a}
            msg.attachments = [a for a in msg.attachments if a.id in kept]
        for attachment in files:
            attachment.url = self._attachment_url(msg.channel_id, attachment)
            msg.attachments.append(attachment)
        msg.edited_at = _now()
        if not msg.ephemeral:
            self._dispatch("MESSAGE_UPDATE", self._message_payload(msg, event=True))
        self._notify()

    def _delete_message(self, msg: Message) -> None:
        msg.deleted = True
        if not msg.ephemeral:
            data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if msg.guild_id is not None:
                data["guild_id"] = str(msg.guild_id)
            self._dispatch("MESSAGE_DELETE", data)
        self._notify()

    async def _h_send(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        payload, files = await self._body(request)
        self._check_can_send(channel, payload, files)
        self._validate_message(payload, files)
        if payload.get("nonce") and payload.get("enforce_nonce"):
            for msg in self.channel_messages(channel):
                if msg.nonce == payload["nonce"] and msg.author_id == self.bot.id:
                    return _json(self._message_payload(msg))
        reference = payload.get("message_reference")
        if reference is not None and reference.get("fail_if_not_exists", True):
            target = self.messages.get(int(reference.get("message_id") or 0))
            if target is None or target.deleted:
                raise _form_error(
                    "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                )
        payload = {**payload, "flags": int(payload.get("flags") or 0) & ~EPHEMERAL}
        msg = self._create_message(channel, self.bot.id, payload, files)
        return _json(self._message_payload(msg))

    async def _h_edit_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        payload, files = await self._body(request)
        if msg.author_id != self.bot.id:
            only_flags = set(payload) <= {"flags"}
            if not only_flags:
                raise DiscordHTTPError(403, 50005, "Cannot edit a message authored by another user")
            self._require(channel, self.bot.id, Perm.MANAGE_MESSAGES)
        if payload.get("embeds") and not channel.is_dm:
            self._require(channel, self.bot.id, Perm.EMBED_LINKS)
        self._validate_message(payload, files, editing=True)
        self._edit_message(msg, payload, files)
        return _json(self._message_payload(msg))

    async def _h_delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        if msg.author_id != self.bot.id:
            if channel.is_dm:
                raise DiscordHTTPError(403, 50003, "Cannot execute action on a DM channel")
            self._require(channel, self.bot.id, Perm.MANAGE_MESSAGES)
        self._delete_message(msg)
        return _no_content()

    # -- REST: reactions --------------------------------------------------------------------------

    def _reaction_event(self, msg: Message, user_id: int, key: str, *, added: bool) -> JSON:
        data: JSON = {
            "type": 0,  # normal reaction (1 = burst); discord.py 2.7 needs the key
            "burst": False,
            "user_id": str(user_id),
            "channel_id": str(msg.channel_id),
            "message_id": str(msg.id),
            "emoji": _emoji_payload(key),
        }
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        if added:
            data["message_author_id"] = str(msg.author_id)
            data["burst_colors"] = []
            if msg.guild_id is not None:
                member = self.guilds[msg.guild_id].members.get(user_id)
                if member is not None:
                    data["member"] = member.payload()
        return data

    def _add_reaction(self, msg: Message, user_id: int, key: str, *, dispatch: bool) -> bool:
        users = msg.reactions.setdefault(key, {})
        if user_id in users:
            return False
        users[user_id] = None
        if dispatch:
            self._dispatch(
                "MESSAGE_REACTION_ADD", self._reaction_event(msg, user_id, key, added=True)
            )
        self._notify()
        return True

    def _remove_reaction(self, msg: Message, user_id: int, key: str, *, dispatch: bool) -> bool:
        users = msg.reactions.get(key)
        if not users or user_id not in users:
            return False
        del users[user_id]
        if not users:
            del msg.reactions[key]
        if dispatch:
            self._dispatch(
                "MESSAGE_REACTION_REMOVE", self._reaction_event(msg, user_id, key, added=False)
            )
        self._notify()
        return True

    async def _h_add_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        key = self._emoji_key(request.match_info["emoji"])
        needed = Perm.READ_MESSAGE_HISTORY
        if key not in msg.reactions:
            needed |= Perm.ADD_REACTIONS  # adding to an existing reaction needs no Add Reactions
            if len(msg.reactions) >= MAX_REACTION_EMOJIS:
                raise DiscordHTTPError(400, 30010, "Maximum number of reactions reached (20)")
        self._require(channel, self.bot.id, needed)
        self._add_reaction(msg, self.bot.id, key, dispatch=True)
        return _no_content()

    async def _h_remove_own_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        key = self._emoji_key(request.match_info["emoji"])
        self._remove_reaction(msg, self.bot.id, key, dispatch=True)
        return _no_content()

    async def _h_remove_user_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        key = self._emoji_key(request.match_info["emoji"])
        user_id = int(request.match_info["user_id"])
        if user_id != self.bot.id:
            self._require(channel, self.bot.id, Perm.MANAGE_MESSAGES)
        self._remove_reaction(msg, user_id, key, dispatch=True)
        return _no_content()

    async def _h_reaction_users(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, self.bot.id, Perm.READ_MESSAGE_HISTORY)
        msg = self._message(request, channel)
        key = self._emoji_key(request.match_info["emoji"])
        query = request.query
        limit = max(1, min(100, int(query.get("limit", 25))))
        if query.get("type", "0") == "1":
            return _json([])  # burst (super) reactions are not modelled
        after = int(query.get("after", 0))
        # Discord lists reactors ordered by user id, which is what ``after`` pages by.
        user_ids = sorted(u for u in msg.reactions.get(key, {}) if u > after)[:limit]
        return _json([self.users[u].payload() for u in user_ids])

    async def _h_clear_emoji(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        key = self._emoji_key(request.match_info["emoji"])
        self._require(channel, self.bot.id, Perm.MANAGE_MESSAGES)
        if msg.reactions.pop(key, None):
            data: JSON = {
                "channel_id": str(channel.id),
                "message_id": str(msg.id),
                "emoji": _emoji_payload(key),
            }
            if msg.guild_id is not None:
                data["guild_id"] = str(msg.guild_id)
            self._dispatch("MESSAGE_REACTION_REMOVE_EMOJI", data)
        return _no_content()

    async def _h_clear_reactions(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        self._require(channel, self.bot.id, Perm.MANAGE_MESSAGES)
        msg.reactions.clear()
        data: JSON = {"channel_id": str(channel.id), "message_id": str(msg.id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        self._dispatch("MESSAGE_REACTION_REMOVE_ALL", data)
        return _no_content()

    # -- REST: threads ----------------------------------------------------------------------------

    async def _h_create_thread(self, request: web.Request) -> web.Response:
        parent = self._channel(request)
        payload, _ = await self._body(request)
        if parent.is_dm or parent.is_thread or parent.guild_id is None:
            raise DiscordHTTPError(400, 50024, "Cannot execute action on this channel type")
        starter: Message | None = None
        if "message_id" in request.match_info:
            starter = self._message(request, parent)
            if starter.thread_id is not None:
                raise DiscordHTTPError(
                    400, 160004, "A thread has already been created for this message"
                )
            kind: int = ChannelType.PUBLIC_THREAD
            self._require(
                parent, self.bot.id, Perm.CREATE_PUBLIC_THREADS | Perm.READ_MESSAGE_HISTORY
            )
        else:
            kind = int(payload.get("type") or ChannelType.PRIVATE_THREAD)
            needed = (
                Perm.CREATE_PRIVATE_THREADS
                if kind == ChannelType.PRIVATE_THREAD
                else Perm.CREATE_PUBLIC_THREADS
            )
            self._require(parent, self.bot.id, needed)
        name = str(payload.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise _form_error(
                "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        thread = Channel(
            # A thread started from a message shares the message's id.
            id=starter.id if starter is not None else self.new_id(),
            name=name,
            type=kind,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=self.bot.id,
            auto_archive_duration=int(payload.get("auto_archive_duration") or 1440),
        )
        self.channels[thread.id] = thread
        self._channel_messages[thread.id] = []
        if starter is not None:
            starter.thread_id = thread.id
            starter.flags |= HAS_THREAD
        self._dispatch("THREAD_CREATE", {**self._channel_payload(thread), "newly_created": True})
        return _json(self._channel_payload(thread), 201)

    # -- REST: guilds -----------------------------------------------------------------------------

    async def _h_get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        data = self._guild_payload(guild)
        if request.query.get("with_counts") in ("true", "1"):
            data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return _json(data)

    async def _h_guild_channels(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return _json([self._channel_payload(self.channels[c]) for c in guild.channel_ids])

    async def _h_guild_roles(self, request: web.Request) -> web.Response:
        return _json([r.payload() for r in self._guild(request).roles.values()])

    async def _h_get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = guild.members.get(int(request.match_info["user_id"]))
        if member is None:
            raise DiscordHTTPError(404, 10007, "Unknown Member")
        return _json(member.payload())

    async def _h_list_members(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if not self.privileged_intents & Intent.GUILD_MEMBERS:
            raise DiscordHTTPError(403, 50001, "Missing Access")
        limit = max(1, min(1000, int(request.query.get("limit", 1))))
        after = int(request.query.get("after", 0))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)[
            :limit
        ]
        return _json([m.payload() for m in members])

    # -- REST: interactions and their webhooks ----------------------------------------------------

    def _interaction(self, request: web.Request) -> InteractionRecord:
        token = request.match_info["token"]
        if "interaction_id" in request.match_info:
            record = self.interactions.get(int(request.match_info["interaction_id"]))
            if record is None or record.token != token:
                raise DiscordHTTPError(404, 10062, "Unknown interaction")
            return record
        if request.match_info["application_id"] != str(self.application_id):
            raise DiscordHTTPError(404, 10015, "Unknown Webhook")
        record = next((r for r in self.interactions.values() if r.token == token), None)
        if record is None or record.callback is None:
            raise DiscordHTTPError(404, 10015, "Unknown Webhook")
        return record

    def _interaction_message_extra(self, record: InteractionRecord) -> dict[str, Any]:
        user = record.payload.get("member", {}).get("user") or record.payload.get("user")
        metadata: JSON = {
            "id": str(record.id),
            "type": record.type,
            "user": user,
            "authorizing_integration_owners": record.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if record.type == INTERACTION_COMPONENT and record.source_message_id:
            metadata["interacted_message_id"] = str(record.source_message_id)
        return {
            "webhook_id": self.application_id,
            "application_id": self.application_id,
            "interaction_metadata": metadata,
            "type": 20 if record.type == INTERACTION_COMMAND else 0,
        }

    async def _h_callback(self, request: web.Request) -> web.Response:
        record = self._interaction(request)
        payload, files = await self._body(request)
        loop_now = time.monotonic()
        if (
            self.interaction_deadline is not None
            and loop_now - record.dispatched_at > self.interaction_deadline
        ):
            raise DiscordHTTPError(404, 10062, "Unknown interaction")
        if record.callback is not None:
            raise DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.")
        kind = int(payload.get("type", 0))
        data: JSON = dict(payload.get("data") or {})
        channel = self.channels[record.channel_id]
        if kind not in _CALLBACKS_FOR.get(record.type, set()):
            raise _form_error(
                "type", "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type"
            )
        if kind == CALLBACK_AUTOCOMPLETE and len(data.get("choices") or []) > 25:
            raise _form_error(
                "data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        if kind == CALLBACK_MESSAGE:
            self._validate_message(data, files)
        message: Message | None = None
        if kind in (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE):
            flags = int(data.get("flags") or 0)
            if kind == CALLBACK_DEFERRED_MESSAGE:
                data = {"flags": (flags & EPHEMERAL) | LOADING}
            message = self._create_message(
                channel, self.bot.id, data, files, **self._interaction_message_extra(record)
            )
            record.original_id = message.id
        elif kind in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE):
            record.original_id = record.source_message_id
            message = self.messages.get(record.source_message_id or 0)
            if kind == CALLBACK_UPDATE and message is not None:
                self._validate_message(data, files, editing=True)
                self._edit_message(message, data, files)
        record.callback = InteractionCallback(kind, data)
        self._notify()
        if request.query.get("with_response") not in ("1", "true", "True"):
            return _no_content()
        interaction: JSON = {
            "id": str(record.id),
            "type": record.type,
            "response_message_loading": kind == CALLBACK_DEFERRED_MESSAGE,
            "response_message_ephemeral": bool(message is not None and message.ephemeral),
        }
        resource: JSON = {"type": kind}
        if message is not None:
            interaction["response_message_id"] = str(message.id)
            if kind != CALLBACK_DEFERRED_UPDATE:
                resource["message"] = self._message_payload(message)
        return _json({"interaction": interaction, "resource": resource})

    async def _h_followup(self, request: web.Request) -> web.Response:
        record = self._interaction(request)
        payload, files = await self._body(request)
        self._validate_message(payload, files)
        channel = self.channels[record.channel_id]
        original = record.original
        assert record.callback is not None
        if (
            record.callback.type == CALLBACK_DEFERRED_MESSAGE
            and original is not None
            and original.loading
        ):
            # The first follow-up after a deferral fills the "thinking" message and keeps the
            # ephemerality chosen when deferring.
            self._edit_message(original, {**payload, "flags": original.flags}, files)
            msg = original
        else:
            msg = self._create_message(
                channel, self.bot.id, payload, files, **self._interaction_message_extra(record)
            )
        record.followup_ids.append(msg.id)
        self._notify()
        if request.query.get("wait") in ("1", "true", "True"):
            return _json(self._message_payload(msg))
        return _no_content()

    def _webhook_message(self, request: web.Request, record: InteractionRecord) -> Message:
        raw = request.match_info["message_id"]
        message_id = record.original_id if raw == "@original" else int(raw)
        if message_id is None or (raw != "@original" and message_id not in record.followup_ids):
            raise DiscordHTTPError(404, 10008, "Unknown Message")
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted:
            raise DiscordHTTPError(404, 10008, "Unknown Message")
        return msg

    async def _h_get_webhook_message(self, request: web.Request) -> web.Response:
        record = self._interaction(request)
        return _json(self._message_payload(self._webhook_message(request, record)))

    async def _h_edit_webhook_message(self, request: web.Request) -> web.Response:
        record = self._interaction(request)
        msg = self._webhook_message(request, record)
        payload, files = await self._body(request)
        self._validate_message(payload, files, editing=True)
        self._edit_message(msg, payload, files)
        return _json(self._message_payload(msg))

    async def _h_delete_webhook_message(self, request: web.Request) -> web.Response:
        record = self._interaction(request)
        self._delete_message(self._webhook_message(request, record))
        return _no_content()

    # -- CDN --------------------------------------------------------------------------------------

    def _attachment_url(self, channel_id: int, attachment: Attachment) -> str:
        return f"{self.base_url}/attachments/{channel_id}/{attachment.id}/{attachment.filename}"

    async def _cdn(self, request: web.Request) -> web.Response:
        attachment_id = int(request.match_info["attachment_id"])
        for msg in self.messages.values():
            for attachment in msg.attachments:
                if attachment.id == attachment_id:
                    return web.Response(
                        body=attachment.data,
                        content_type=attachment.content_type or "application/octet-stream",
                    )
        raise web.HTTPNotFound()

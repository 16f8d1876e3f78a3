"""The FakeDiscord server: the world a test builds and reads, and the acts of its members.

It holds all state; the route, gateway and interaction modules of this package are functions
over it (``handler(server, request)``), so every rule lives in the module of its concern.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from aiohttp import web

from tests.support.fakediscord import gateway, interactions, messages, routing
from tests.support.fakediscord.gateway import (
    GatewayConnection,
    GatewaySession,
    required_intent,
)
from tests.support.fakediscord.interactions import InteractionRecord
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
from tests.support.fakediscord.ratelimits import RateLimitRule, RateLimits, Window
from tests.support.fakediscord.wire import (
    ALL_PERMISSIONS,
    APP_FLAG_FOR_INTENT,
    DEFAULT_EVERYONE_PERMISSIONS,
    DM_PERMISSIONS,
    JSON,
    NEEDS_SEND,
    ChannelType,
    DiscordHTTPError,
    Intent,
    Perm,
    Ref,
    Snowflakes,
    emoji_payload,
    id_of,
    iso,
)

T = TypeVar("T")


class FakeDiscord:
    """A Discord-compatible REST API + gateway on 127.0.0.1 (see the package docstring)."""

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
        # A misbehaving server (as some Discord reimplementations are): reaction listings
        # ignore ``after`` and answer the first page again, so a client that trusts the server
        # to end the listing pages forever.
        self.reaction_listing_ignores_after = False

        self._ids = Snowflakes()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        # Files members attached to slash command options, served by the CDN like messages'.
        self.uploads: dict[int, Attachment] = {}
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
        self._windows: dict[str, Window] = {}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = routing.application(self)
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

        return await self._wait(find, timeout, f"a message in channel {id_of(channel)}")

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
        owner_user = self.add_user(f"{name} owner") if owner is None else self.users[id_of(owner)]
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
        g = self.guilds[id_of(guild)]
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
        g = self.guilds[id_of(guild)]
        channel = Channel(
            id=id or self.new_id(),
            name=name,
            type=type,
            guild_id=g.id,
            position=len(g.channel_ids),
            topic=topic,
            parent_id=id_of(parent) if parent is not None else None,
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
        g = self.guilds[id_of(guild)]
        if user is not None and id_of(user) in self.users:
            u = self.users[id_of(user)]
        else:
            if name is None:
                raise ValueError("add_member needs a name or an existing user")
            u = self.add_user(
                name, bot=bot, id=id_of(user) if user is not None else None, dms_open=dms_open
            )
        member = Member(u, g.id, roles=[id_of(r) for r in roles], nick=nick)
        g.members[u.id] = member
        self._dispatch("GUILD_MEMBER_ADD", {"guild_id": str(g.id), **member.payload()})
        return member

    def set_member_roles(self, guild: Ref, member: Ref, roles: Iterable[Ref]) -> None:
        m = self.guilds[id_of(guild)].members[id_of(member)]
        m.roles = [id_of(r) for r in roles]
        self._dispatch("GUILD_MEMBER_UPDATE", {"guild_id": str(m.guild_id), **m.payload()})

    def remove_member(self, guild: Ref, member: Ref) -> None:
        g = self.guilds[id_of(guild)]
        m = g.members.pop(id_of(member))
        self._dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(g.id), "user": m.user.payload()})

    def add_emoji(self, guild: Ref, name: str, *, animated: bool = False) -> Emoji:
        g = self.guilds[id_of(guild)]
        emoji = Emoji(self.new_id(), name, g.id, animated)
        g.emojis[emoji.id] = emoji
        return emoji

    def set_overwrite(
        self, channel: Ref, target: Ref, *, allow: int = 0, deny: int = 0
    ) -> Overwrite:
        """Set a channel permission overwrite for a role (an id of a role, or a Role) or a
        member (anything else), replacing any previous one for that target."""
        ch = self.channels[id_of(channel)]
        guild = self.guilds[ch.guild_id] if ch.guild_id else None
        target_id = id_of(target)
        kind = 0 if isinstance(target, Role) or (guild and target_id in guild.roles) else 1
        overwrite = Overwrite(target_id, kind, int(allow), int(deny))
        ch.overwrites[target_id] = overwrite
        self._dispatch("CHANNEL_UPDATE", self._channel_payload(ch))
        return overwrite

    def set_dms_open(self, user: Ref, is_open: bool) -> None:
        self.users[id_of(user)].dms_open = is_open

    def dm_channel(self, user: Ref) -> Channel:
        """The DM channel between the bot and a user (created on first use)."""
        user_id = id_of(user)
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
        ids = self._channel_messages.get(id_of(channel), [])
        return [m for m in (self.messages[i] for i in ids) if not m.deleted]

    def last_message(self, channel: Ref) -> Message | None:
        messages = self.channel_messages(channel)
        return messages[-1] if messages else None

    def global_commands(self) -> list[Command]:
        return [c for c in self.commands.values() if c.guild_id is None]

    def guild_commands(self, guild: Ref) -> list[Command]:
        return [c for c in self.commands.values() if c.guild_id == id_of(guild)]

    def find_command(self, name: str, guild: Ref | None = None, *, type: int = 1) -> Command:
        """A registered command by name, guild commands first (as Discord resolves them)."""
        scopes = ([id_of(guild)] if guild is not None else []) + [None]
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
        g = self.guilds[id_of(guild)]
        user_id = id_of(user)
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
        ch = self.channels[id_of(channel)]
        if ch.is_dm:
            return DM_PERMISSIONS
        assert ch.guild_id is not None
        source = self.channels[ch.parent_id] if ch.is_thread and ch.parent_id else ch
        base = self.base_permissions(ch.guild_id, user)
        if base & Perm.ADMINISTRATOR:
            return ALL_PERMISSIONS
        user_id = id_of(user)
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
            permissions &= ~NEEDS_SEND
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
                    "archive_timestamp": iso(ch.created_at),
                    "locked": ch.locked,
                    "create_timestamp": iso(ch.created_at),
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
            joined_at=iso(g.members[self.bot.id].joined_at) if self.bot.id in g.members else None,
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
            "timestamp": iso(msg.created_at),
            "edited_timestamp": iso(msg.edited_at),
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
                    "emoji": emoji_payload(key),
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
            needed = required_intent(name, data)
            if needed and not session.intents & needed:
                continue
            session.dispatch(name, gateway.redact(self, session, name, data))
            delivered.append(session.id)
        if sample is None:
            # Record what would have been sent even with no session, for assertions.
            sample = build(GatewaySession("-", int(sum(Intent)), None))
        self.dispatched.append(DispatchRecord(name, sample, time.monotonic(), delivered))
        self._notify()

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
        ch = self.channels[id_of(channel)]
        reference = None
        if reply_to is not None:
            reference = {"message_id": str(id_of(reply_to)), "channel_id": str(ch.id), "type": 0}
            if ch.guild_id:
                reference["guild_id"] = str(ch.guild_id)
        msg = messages.create_message(
            self,
            ch,
            id_of(user),
            {"content": content, "embeds": list(embeds), "message_reference": reference},
            [],
        )
        return msg

    def react(self, user: Ref, message: Ref, emoji: str, *, dispatch: bool = True) -> None:
        """A member reacts. With ``dispatch=False`` only the state changes, as if the
        reaction had been added while the bot was offline (it shows up in reaction listings)."""
        msg = self.messages[id_of(message)]
        messages.add_reaction(self, msg, id_of(user), emoji, dispatch=dispatch)

    def unreact(self, user: Ref, message: Ref, emoji: str, *, dispatch: bool = True) -> None:
        msg = self.messages[id_of(message)]
        messages.remove_reaction(self, msg, id_of(user), emoji, dispatch=dispatch)

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
        return interactions.invoke(self, user, channel, command, options, raw_options, None, locale)

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
        return interactions.invoke(self, user, channel, command, options, None, focused, locale)

    def invoke_context_menu(
        self, user: Ref, channel: Ref, command: str, target: Ref
    ) -> InteractionRecord:
        """Run a user (target is a user/member) or message (target is a Message) command."""
        return interactions.context_menu(self, user, channel, command, target)

    def press_button(self, user: Ref, message: Ref, custom_id: str) -> InteractionRecord:
        """A member clicks a button on a message (the button must be on it)."""
        return interactions.component_interaction(self, user, message, custom_id, None)

    def select(
        self, user: Ref, message: Ref, custom_id: str, values: Sequence[str]
    ) -> InteractionRecord:
        """A member picks values in a select menu on a message."""
        return interactions.component_interaction(self, user, message, custom_id, list(values))

    def submit_modal(
        self, interaction: InteractionRecord, values: Mapping[str, str | Sequence[str]]
    ) -> InteractionRecord:
        """The member fills in and submits the modal the bot opened in answer to
        ``interaction``: ``values`` maps text input custom_ids to text (select menus in the
        modal to lists of values). Returns the new modal-submit interaction."""
        return interactions.modal_submit(self, interaction, values)

    # -- gateway control --------------------------------------------------------------------------

    def reconnect_all(self) -> int:
        """Send op 7 (Reconnect) to every client; they reconnect and RESUME. Events
        dispatched meanwhile are buffered and replayed. Returns how many were told."""
        connections = [c for c in self.connections if c.session is not None]
        for connection in connections:
            connection.send({"op": 7, "d": None})
            gateway.detach(connection)
        self._notify()
        return len(connections)

    def drop_connections(self) -> int:
        """Abort every gateway TCP connection without a close frame (a network failure)."""
        connections = list(self.connections)
        for connection in connections:
            gateway.detach(connection)
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
            gateway.detach(connection)
        self._notify()

    def _application_flags(self) -> int:
        flags = 0
        for intent, flag in APP_FLAG_FOR_INTENT.items():
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
            channel_id=id_of(channel) if channel is not None else None,
        )
        self.rate_limit_rules.append(rule)
        return rule

    def clear_rate_limits(self) -> None:
        self.rate_limit_rules.clear()

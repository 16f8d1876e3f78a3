"""The gateway: websocket connections, sessions that outlive them (RESUME replays what was
missed), IDENTIFY with intent checks, and which events an identified session may receive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from tests.support.fakediscord.models import DispatchRecord
from tests.support.fakediscord.wire import JSON, PRIVILEGED_INTENTS, Intent

if TYPE_CHECKING:
    from tests.support.fakediscord.server import FakeDiscord


REPLAY_BUFFER = 100_000


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


def required_intent(name: str, data: JSON) -> int:
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


def redact(server: FakeDiscord, session: GatewaySession, name: str, data: JSON) -> JSON:
    """Blank message content for sessions without the MESSAGE_CONTENT intent, like Discord:
    the bot still sees its own messages, DMs and messages that mention it."""
    if name not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or session.has(Intent.MESSAGE_CONTENT):
        return data
    if "guild_id" not in data or data.get("author", {}).get("id") == str(server.bot.id):
        return data
    if any(u.get("id") == str(server.bot.id) for u in data.get("mentions", [])):
        return data
    redacted = dict(data)
    redacted.update(content="", embeds=[], attachments=[], components=[])
    redacted.pop("poll", None)
    return redacted


def detach(connection: GatewayConnection) -> None:
    session = connection.session
    if session is not None and session.connection is connection:
        session.connection = None


# -- gateway websocket ------------------------------------------------------------------------


async def serve(server: FakeDiscord, request: web.Request) -> web.StreamResponse:
    ws = web.WebSocketResponse(max_msg_size=0)
    await ws.prepare(request)
    connection = GatewayConnection(ws, request)
    server.connections.append(connection)
    writer = asyncio.create_task(connection.pump())
    connection.send({"op": 10, "d": {"heartbeat_interval": int(server.heartbeat_interval * 1000)}})
    server._notify()
    try:
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                on_frame(server, connection, msg.data)
            elif msg.type is WSMsgType.BINARY:
                connection.close(4002, "Decode error")
    finally:
        connection.close_code = ws.close_code
        # A client that closes with 1000/1001 ends its session, as on Discord.
        if connection.session is not None and ws.close_code in (1000, 1001):
            connection.session.alive = False
        detach(connection)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
        server.connections.remove(connection)
        server._notify()
    return ws


def on_frame(server: FakeDiscord, connection: GatewayConnection, text: str) -> None:
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
        identify(server, connection, data or {})
    elif op == 6:
        resume(server, connection, data or {})
    elif connection.session is None and op in (3, 4, 8):
        connection.close(4003, "Not authenticated")
    elif op == 3:
        assert connection.session is not None
        connection.session.presence = data
    elif op == 8:
        request_members(server, connection, data or {})
    elif op == 4:
        pass  # voice state updates: voice is not modelled
    else:
        connection.close(4001, "Unknown opcode")
    server._notify()


def identify(server: FakeDiscord, connection: GatewayConnection, data: JSON) -> None:
    server.identify_payloads.append(data)
    if data.get("token") != server.token:
        connection.close(4004, "Authentication failed")
        return
    if "intents" not in data:
        connection.close(4013, "Invalid intent(s)")
        return
    intents = int(data["intents"])
    if intents & PRIVILEGED_INTENTS & ~server.privileged_intents:
        connection.close(4014, "Disallowed intent(s)")
        return
    shard = tuple(data["shard"]) if data.get("shard") else None
    session = GatewaySession(
        id=secrets.token_hex(16),
        intents=intents,
        shard=(int(shard[0]), int(shard[1])) if shard else None,
        presence=data.get("presence"),
    )
    server.sessions[session.id] = session
    connection.session = session
    session.connection = connection
    guilds = [
        g
        for g in server.guilds.values()
        if server.bot.id in g.members and session.handles_guild(g.id)
    ]
    ready: JSON = {
        "v": 10,
        "user": server._me_payload(),
        "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
        "session_id": session.id,
        "session_type": "normal",
        "resume_gateway_url": server.resume_gateway_url,
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": [],
        "application": {"id": str(server.application_id), "flags": server._application_flags()},
        "user_settings": {},
        "_trace": ["fakediscord"],
    }
    if session.shard is not None:
        ready["shard"] = list(session.shard)
    dispatch_to_session(server, session, "READY", ready)
    for guild in guilds:
        dispatch_to_session(
            server, session, "GUILD_CREATE", server._guild_create_payload(guild, session)
        )


def dispatch_to_session(
    server: FakeDiscord, session: GatewaySession, name: str, data: JSON
) -> None:
    session.dispatch(name, data)
    server.dispatched.append(DispatchRecord(name, data, time.monotonic(), [session.id]))


def resume(server: FakeDiscord, connection: GatewayConnection, data: JSON) -> None:
    server.resume_payloads.append(data)
    session = server.sessions.get(str(data.get("session_id")))
    seq = data.get("seq")
    if (
        session is None
        or not session.alive
        or data.get("token") != server.token
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
    dispatch_to_session(server, session, "RESUMED", {"_trace": ["fakediscord"]})


def request_members(server: FakeDiscord, connection: GatewayConnection, data: JSON) -> None:
    session = connection.session
    assert session is not None
    guild = server.guilds.get(int(data.get("guild_id") or 0))
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
    dispatch_to_session(server, session, "GUILD_MEMBERS_CHUNK", chunk)

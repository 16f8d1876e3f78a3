"""Channels, messages, reactions and threads: the REST routes, with Discord's permission checks
and payload limits, and the state changes (create, edit, delete, react) that dispatch events.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.support.fakediscord import rest
from tests.support.fakediscord.models import Attachment, Channel, Message
from tests.support.fakediscord.wire import (
    EPHEMERAL,
    HAS_THREAD,
    JSON,
    LOADING,
    SUPPRESS_EMBEDS,
    ChannelType,
    DiscordHTTPError,
    Perm,
    emoji_payload,
    form_error,
    json_response,
    no_content,
    utc_now,
    walk_components,
)

if TYPE_CHECKING:
    from tests.support.fakediscord.server import FakeDiscord


MAX_REACTION_EMOJIS = 20
_MENTION = re.compile(r"<@!?(\d+)>")


# -- REST: channels and messages --------------------------------------------------------------


async def get_channel(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    if not channel.is_dm:
        server._require(channel, server.bot.id, Perm.VIEW_CHANNEL)
    return json_response(server._channel_payload(channel))


async def history(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    server._require(channel, server.bot.id, Perm.VIEW_CHANNEL)
    if not server.permissions_for(channel, server.bot.id) & Perm.READ_MESSAGE_HISTORY:
        return json_response([])  # Discord answers an empty list rather than an error
    query = request.query
    limit = max(1, min(100, int(query.get("limit", 50))))
    messages = server.channel_messages(channel)  # oldest first
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
    return json_response([server._message_payload(m) for m in reversed(picked)])  # newest first


async def get_message(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    server._require(channel, server.bot.id, Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY)
    return json_response(server._message_payload(rest.lookup_message(server, request, channel)))


async def trigger_typing(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    server._require(channel, server.bot.id, Perm.SEND_MESSAGES)
    return no_content()


def check_can_send(
    server: FakeDiscord, channel: Channel, payload: JSON, files: list[Attachment]
) -> None:
    if channel.is_dm:
        assert channel.recipient_id is not None
        recipient = server.users[channel.recipient_id]
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
    server._require(channel, server.bot.id, needed)


def validate_message(payload: JSON, files: list[Attachment], *, editing: bool = False) -> None:
    content = payload.get("content")
    if content is not None and len(str(content)) > 2000:
        raise form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        raise form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    limits = {"title": 256, "description": 4096}
    for i, embed in enumerate(embeds):
        for key, limit in limits.items():
            value = str(embed.get(key) or "")
            total += len(value)
            if len(value) > limit:
                raise form_error(
                    f"embeds.{i}.{key}",
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise form_error(
                f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for j, fld in enumerate(fields):
            name, value = str(fld.get("name") or ""), str(fld.get("value") or "")
            total += len(name) + len(value)
            if not name or len(name) > 256:
                raise form_error(
                    f"embeds.{i}.fields.{j}.name",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 256 in length.",
                )
            if not value or len(value) > 1024:
                raise form_error(
                    f"embeds.{i}.fields.{j}.value",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 1024 in length.",
                )
        total += len(str((embed.get("footer") or {}).get("text") or ""))
        total += len(str((embed.get("author") or {}).get("name") or ""))
    if total > 6000:
        raise form_error(
            "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    components = payload.get("components") or []
    if not int(payload.get("flags") or 0) & (1 << 15):  # classic (not v2) components
        if len(components) > 5:
            raise form_error("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for i, row in enumerate(components):
            if len(row.get("components") or []) > 5:
                raise form_error(
                    f"components.{i}.components",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 5 or fewer in length.",
                )
    for component in walk_components(components):
        if len(str(component.get("custom_id", ""))) > 100:
            raise form_error(
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


def create_message(
    server: FakeDiscord,
    channel: Channel,
    author_id: int,
    payload: JSON,
    files: list[Attachment],
    **extra: Any,
) -> Message:
    """Store a message and dispatch MESSAGE_CREATE unless it is ephemeral."""
    for attachment in files:
        attachment.url = rest.attachment_url(server, channel.id, attachment)
    described = {
        int(a["id"]): a.get("description") for a in payload.get("attachments") or [] if "id" in a
    }
    for index, attachment in enumerate(files):
        attachment.description = described.get(index)
    content = str(payload.get("content") or "")
    msg = Message(
        id=server.new_id(),
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
    server.messages[msg.id] = msg
    if not msg.ephemeral:
        server._channel_messages.setdefault(channel.id, []).append(msg.id)
        channel.last_message_id = msg.id
        if channel.is_thread:
            channel.message_count += 1
        server._dispatch("MESSAGE_CREATE", server._message_payload(msg, event=True))
    server._notify()
    return msg


def apply_edit(server: FakeDiscord, msg: Message, payload: JSON, files: list[Attachment]) -> None:
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
        attachment.url = rest.attachment_url(server, msg.channel_id, attachment)
        msg.attachments.append(attachment)
    msg.edited_at = utc_now()
    if not msg.ephemeral:
        server._dispatch("MESSAGE_UPDATE", server._message_payload(msg, event=True))
    server._notify()


def mark_deleted(server: FakeDiscord, msg: Message) -> None:
    msg.deleted = True
    if not msg.ephemeral:
        data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        server._dispatch("MESSAGE_DELETE", data)
    server._notify()


async def post_message(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    payload, files = await rest.read_body(server, request)
    check_can_send(server, channel, payload, files)
    validate_message(payload, files)
    if payload.get("nonce") and payload.get("enforce_nonce"):
        for msg in server.channel_messages(channel):
            if msg.nonce == payload["nonce"] and msg.author_id == server.bot.id:
                return json_response(server._message_payload(msg))
    reference = payload.get("message_reference")
    if reference is not None and reference.get("fail_if_not_exists", True):
        target = server.messages.get(int(reference.get("message_id") or 0))
        if target is None or target.deleted:
            raise form_error(
                "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
            )
    payload = {**payload, "flags": int(payload.get("flags") or 0) & ~EPHEMERAL}
    msg = create_message(server, channel, server.bot.id, payload, files)
    return json_response(server._message_payload(msg))


async def patch_message(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    msg = rest.lookup_message(server, request, channel)
    payload, files = await rest.read_body(server, request)
    if msg.author_id != server.bot.id:
        only_flags = set(payload) <= {"flags"}
        if not only_flags:
            raise DiscordHTTPError(403, 50005, "Cannot edit a message authored by another user")
        server._require(channel, server.bot.id, Perm.MANAGE_MESSAGES)
    if payload.get("embeds") and not channel.is_dm:
        server._require(channel, server.bot.id, Perm.EMBED_LINKS)
    validate_message(payload, files, editing=True)
    apply_edit(server, msg, payload, files)
    return json_response(server._message_payload(msg))


async def delete_message(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    msg = rest.lookup_message(server, request, channel)
    if msg.author_id != server.bot.id:
        if channel.is_dm:
            raise DiscordHTTPError(403, 50003, "Cannot execute action on a DM channel")
        server._require(channel, server.bot.id, Perm.MANAGE_MESSAGES)
    mark_deleted(server, msg)
    return no_content()


# -- REST: reactions --------------------------------------------------------------------------


def reaction_event(
    server: FakeDiscord, msg: Message, user_id: int, key: str, *, added: bool
) -> JSON:
    data: JSON = {
        "type": 0,  # normal reaction (1 = burst); discord.py 2.7 needs the key
        "burst": False,
        "user_id": str(user_id),
        "channel_id": str(msg.channel_id),
        "message_id": str(msg.id),
        "emoji": emoji_payload(key),
    }
    if msg.guild_id is not None:
        data["guild_id"] = str(msg.guild_id)
    if added:
        data["message_author_id"] = str(msg.author_id)
        data["burst_colors"] = []
        if msg.guild_id is not None:
            member = server.guilds[msg.guild_id].members.get(user_id)
            if member is not None:
                data["member"] = member.payload()
    return data


def add_reaction(
    server: FakeDiscord, msg: Message, user_id: int, key: str, *, dispatch: bool
) -> bool:
    users = msg.reactions.setdefault(key, {})
    if user_id in users:
        return False
    users[user_id] = None
    if dispatch:
        server._dispatch(
            "MESSAGE_REACTION_ADD", reaction_event(server, msg, user_id, key, added=True)
        )
    server._notify()
    return True


def remove_reaction(
    server: FakeDiscord, msg: Message, user_id: int, key: str, *, dispatch: bool
) -> bool:
    users = msg.reactions.get(key)
    if not users or user_id not in users:
        return False
    del users[user_id]
    if not users:
        del msg.reactions[key]
    if dispatch:
        server._dispatch(
            "MESSAGE_REACTION_REMOVE", reaction_event(server, msg, user_id, key, added=False)
        )
    server._notify()
    return True


async def put_own_reaction(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    msg = rest.lookup_message(server, request, channel)
    key = rest.emoji_key(server, request.match_info["emoji"])
    needed = Perm.READ_MESSAGE_HISTORY
    if key not in msg.reactions:
        needed |= Perm.ADD_REACTIONS  # adding to an existing reaction needs no Add Reactions
        if len(msg.reactions) >= MAX_REACTION_EMOJIS:
            raise DiscordHTTPError(400, 30010, "Maximum number of reactions reached (20)")
    server._require(channel, server.bot.id, needed)
    add_reaction(server, msg, server.bot.id, key, dispatch=True)
    return no_content()


async def delete_own_reaction(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    msg = rest.lookup_message(server, request, channel)
    key = rest.emoji_key(server, request.match_info["emoji"])
    remove_reaction(server, msg, server.bot.id, key, dispatch=True)
    return no_content()


async def delete_user_reaction(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    msg = rest.lookup_message(server, request, channel)
    key = rest.emoji_key(server, request.match_info["emoji"])
    user_id = int(request.match_info["user_id"])
    if user_id != server.bot.id:
        server._require(channel, server.bot.id, Perm.MANAGE_MESSAGES)
    remove_reaction(server, msg, user_id, key, dispatch=True)
    return no_content()


async def list_reactors(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    server._require(channel, server.bot.id, Perm.READ_MESSAGE_HISTORY)
    msg = rest.lookup_message(server, request, channel)
    key = rest.emoji_key(server, request.match_info["emoji"])
    query = request.query
    limit = max(1, min(100, int(query.get("limit", 25))))
    if query.get("type", "0") == "1":
        return json_response([])  # burst (super) reactions are not modelled
    after = 0 if server.reaction_listing_ignores_after else int(query.get("after", 0))
    # Discord lists reactors ordered by user id, which is what ``after`` pages by.
    user_ids = sorted(u for u in msg.reactions.get(key, {}) if u > after)[:limit]
    return json_response([server.users[u].payload() for u in user_ids])


async def clear_emoji(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    msg = rest.lookup_message(server, request, channel)
    key = rest.emoji_key(server, request.match_info["emoji"])
    server._require(channel, server.bot.id, Perm.MANAGE_MESSAGES)
    if msg.reactions.pop(key, None):
        data: JSON = {
            "channel_id": str(channel.id),
            "message_id": str(msg.id),
            "emoji": emoji_payload(key),
        }
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        server._dispatch("MESSAGE_REACTION_REMOVE_EMOJI", data)
    return no_content()


async def clear_reactions(server: FakeDiscord, request: web.Request) -> web.Response:
    channel = rest.lookup_channel(server, request)
    msg = rest.lookup_message(server, request, channel)
    server._require(channel, server.bot.id, Perm.MANAGE_MESSAGES)
    msg.reactions.clear()
    data: JSON = {"channel_id": str(channel.id), "message_id": str(msg.id)}
    if msg.guild_id is not None:
        data["guild_id"] = str(msg.guild_id)
    server._dispatch("MESSAGE_REACTION_REMOVE_ALL", data)
    return no_content()


# -- REST: threads ----------------------------------------------------------------------------


async def create_thread(server: FakeDiscord, request: web.Request) -> web.Response:
    parent = rest.lookup_channel(server, request)
    payload, _ = await rest.read_body(server, request)
    if parent.is_dm or parent.is_thread or parent.guild_id is None:
        raise DiscordHTTPError(400, 50024, "Cannot execute action on this channel type")
    starter: Message | None = None
    if "message_id" in request.match_info:
        starter = rest.lookup_message(server, request, parent)
        if starter.thread_id is not None:
            raise DiscordHTTPError(
                400, 160004, "A thread has already been created for this message"
            )
        kind: int = ChannelType.PUBLIC_THREAD
        server._require(
            parent, server.bot.id, Perm.CREATE_PUBLIC_THREADS | Perm.READ_MESSAGE_HISTORY
        )
    else:
        kind = int(payload.get("type") or ChannelType.PRIVATE_THREAD)
        needed = (
            Perm.CREATE_PRIVATE_THREADS
            if kind == ChannelType.PRIVATE_THREAD
            else Perm.CREATE_PUBLIC_THREADS
        )
        server._require(parent, server.bot.id, needed)
    name = str(payload.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    thread = Channel(
        # A thread started from a message shares the message's id.
        id=starter.id if starter is not None else server.new_id(),
        name=name,
        type=kind,
        guild_id=parent.guild_id,
        parent_id=parent.id,
        owner_id=server.bot.id,
        auto_archive_duration=int(payload.get("auto_archive_duration") or 1440),
    )
    server.channels[thread.id] = thread
    server._channel_messages[thread.id] = []
    if starter is not None:
        starter.thread_id = thread.id
        starter.flags |= HAS_THREAD
    server._dispatch("THREAD_CREATE", {**server._channel_payload(thread), "newly_created": True})
    return json_response(server._channel_payload(thread), 201)

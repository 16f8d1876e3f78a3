"""What every REST route needs (the request body, lookups that raise Discord's errors) and the
small routes: the bot user, the application, the gateway URL, DMs, guilds and the CDN.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from tests.support.fakediscord.models import (
    Attachment,
    Channel,
    Guild,
    Message,
)
from tests.support.fakediscord.wire import DiscordHTTPError, Intent, json_response

if TYPE_CHECKING:
    from tests.support.fakediscord.server import FakeDiscord


# Where a handler leaves the parsed request body for the request log.
_BODY = web.RequestKey("fakediscord_body", object)


async def read_body(server: FakeDiscord, request: web.Request) -> tuple[Any, list[Attachment]]:
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
                        id=server.new_id(),
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


# -- lookups that raise Discord errors --------------------------------------------------------


def lookup_channel(server: FakeDiscord, request: web.Request) -> Channel:
    channel = server.channels.get(int(request.match_info["channel_id"]))
    if channel is None:
        raise DiscordHTTPError(404, 10003, "Unknown Channel")
    if (
        channel.guild_id is not None
        and server.bot.id not in server.guilds[channel.guild_id].members
    ):
        raise DiscordHTTPError(403, 50001, "Missing Access")
    return channel


def lookup_message(server: FakeDiscord, request: web.Request, channel: Channel) -> Message:
    msg = server.messages.get(int(request.match_info["message_id"]))
    if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
        raise DiscordHTTPError(404, 10008, "Unknown Message")
    return msg


def lookup_guild(server: FakeDiscord, request: web.Request) -> Guild:
    guild = server.guilds.get(int(request.match_info["guild_id"]))
    if guild is None or server.bot.id not in guild.members:
        raise DiscordHTTPError(404, 10004, "Unknown Guild")
    return guild


def check_application(server: FakeDiscord, request: web.Request) -> None:
    if request.match_info["application_id"] != str(server.application_id):
        raise DiscordHTTPError(403, 50001, "Missing Access")


def emoji_key(server: FakeDiscord, raw: str) -> str:
    """Validate a reaction emoji from a URL and return its key: the unicode emoji itself,
    or ``name:id`` for a custom emoji (discord.py sends ``a:name:id`` for animated ones)."""
    if ":" in raw:
        parts = raw.split(":")
        if len(parts) == 3 and parts[0] == "a":
            parts = parts[1:]
        if len(parts) != 2 or not parts[1].isdigit():
            raise DiscordHTTPError(400, 10014, "Unknown Emoji")
        name, emoji_id = parts
        if not any(int(emoji_id) in g.emojis for g in server.guilds.values()):
            raise DiscordHTTPError(400, 10014, "Unknown Emoji")
        return f"{name}:{emoji_id}"
    # A common bug is passing ":thumbsup:" or a name instead of the character itself.
    if not raw or raw.isascii():
        raise DiscordHTTPError(400, 10014, "Unknown Emoji")
    return raw


# -- REST: users, application, gateway --------------------------------------------------------


async def get_me(server: FakeDiscord, request: web.Request) -> web.Response:
    return json_response(server._me_payload())


async def get_user(server: FakeDiscord, request: web.Request) -> web.Response:
    user = server.users.get(int(request.match_info["user_id"]))
    if user is None:
        raise DiscordHTTPError(404, 10013, "Unknown User")
    return json_response(user.payload())


async def get_application(server: FakeDiscord, request: web.Request) -> web.Response:
    return json_response(
        {
            "id": str(server.application_id),
            "name": server.bot.name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": server.bot.payload(),
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": server._application_flags(),
            "owner": server.app_owner.payload(),
            "team": None,
            "rpc_origins": [],
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": len(server.guilds),
            "integration_types_config": {"0": {}},
        }
    )


async def get_gateway(server: FakeDiscord, request: web.Request) -> web.Response:
    return json_response({"url": server.gateway_url})


async def get_gateway_bot(server: FakeDiscord, request: web.Request) -> web.Response:
    return json_response(
        {
            "url": server.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }
    )


async def create_dm(server: FakeDiscord, request: web.Request) -> web.Response:
    payload, _ = await read_body(server, request)
    user = server.users.get(int(payload.get("recipient_id") or 0))
    if user is None:
        raise DiscordHTTPError(400, 50035, "Invalid Form Body")
    return json_response(server._channel_payload(server.dm_channel(user)))


# -- REST: guilds -----------------------------------------------------------------------------


async def get_guild(server: FakeDiscord, request: web.Request) -> web.Response:
    guild = lookup_guild(server, request)
    data = server._guild_payload(guild)
    if request.query.get("with_counts") in ("true", "1"):
        data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
    return json_response(data)


async def guild_channels(server: FakeDiscord, request: web.Request) -> web.Response:
    guild = lookup_guild(server, request)
    return json_response([server._channel_payload(server.channels[c]) for c in guild.channel_ids])


async def guild_roles(server: FakeDiscord, request: web.Request) -> web.Response:
    return json_response([r.payload() for r in lookup_guild(server, request).roles.values()])


async def get_member(server: FakeDiscord, request: web.Request) -> web.Response:
    guild = lookup_guild(server, request)
    member = guild.members.get(int(request.match_info["user_id"]))
    if member is None:
        raise DiscordHTTPError(404, 10007, "Unknown Member")
    return json_response(member.payload())


async def list_members(server: FakeDiscord, request: web.Request) -> web.Response:
    guild = lookup_guild(server, request)
    if not server.privileged_intents & Intent.GUILD_MEMBERS:
        raise DiscordHTTPError(403, 50001, "Missing Access")
    limit = max(1, min(1000, int(request.query.get("limit", 1))))
    after = int(request.query.get("after", 0))
    members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)[
        :limit
    ]
    return json_response([m.payload() for m in members])


# -- CDN --------------------------------------------------------------------------------------


def attachment_url(server: FakeDiscord, channel_id: int, attachment: Attachment) -> str:
    return f"{server.base_url}/attachments/{channel_id}/{attachment.id}/{attachment.filename}"


async def cdn(server: FakeDiscord, request: web.Request) -> web.Response:
    attachment_id = int(request.match_info["attachment_id"])
    if (upload := server.uploads.get(attachment_id)) is not None:
        return web.Response(
            body=upload.data, content_type=upload.content_type or "application/octet-stream"
        )
    for msg in server.messages.values():
        for attachment in msg.attachments:
            if attachment.id == attachment_id:
                return web.Response(
                    body=attachment.data,
                    content_type=attachment.content_type or "application/octet-stream",
                )
    raise web.HTTPNotFound()

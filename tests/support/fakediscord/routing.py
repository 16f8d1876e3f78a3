"""HTTP plumbing: the aiohttp application, the route table, and the middleware that
authenticates, rate limits and records every REST request.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING

from aiohttp import web

from tests.support.fakediscord import commands, gateway, interactions, messages, ratelimits, rest
from tests.support.fakediscord.models import RequestRecord
from tests.support.fakediscord.rest import _BODY
from tests.support.fakediscord.wire import API_VERSIONS, DiscordHTTPError

if TYPE_CHECKING:
    from tests.support.fakediscord.server import FakeDiscord


_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# A handler of this package: the server first, then the request.
_ServerHandler = Callable[["FakeDiscord", web.Request], Awaitable[web.StreamResponse]]
_NO_AUTH_PREFIXES = ("/interactions/", "/webhooks/")


def application(server: FakeDiscord) -> web.Application:
    """The aiohttp application: the gateway websocket, the CDN and every REST route under each
    API version, behind the middleware that authenticates, rate limits and logs requests."""

    @web.middleware
    async def middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
        return await record_request(server, request, handler)

    app = web.Application(middlewares=[middleware], client_max_size=64 * 1024 * 1024)
    # "/" too: a bot configured with a bare ws://host:port (as /gateway/bot returns) works.
    for path in ("/", "/gateway", "/gateway/", "/resume-gateway", "/resume-gateway/"):
        app.router.add_get(path, partial(gateway.serve, server))
    app.router.add_get(
        "/attachments/{channel_id}/{attachment_id}/{filename}", partial(rest.cdn, server)
    )
    for version in API_VERSIONS:
        for method, path, handler in routes():
            app.router.add_route(method, f"/api/v{version}{path}", partial(handler, server))
    return app


async def record_request(
    server: FakeDiscord, request: web.Request, handler: _Handler
) -> web.StreamResponse:
    route = route_of(request)
    record = RequestRecord(
        method=request.method,
        path=request.path,
        route=route,
        params=dict(request.match_info),
        query=dict(request.query),
        time=time.monotonic(),
    )
    try:
        response = await handle(server, request, handler, route)
    except DiscordHTTPError as error:
        response = error.response()
    record.status = response.status
    record.body = request.get(_BODY)
    if route is not None or request.path.startswith("/api/"):
        server.requests.append(record)
        server._notify()
    return response


async def handle(
    server: FakeDiscord, request: web.Request, handler: _Handler, route: str | None
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
    if bot_auth and request.headers.get("Authorization") != f"Bot {server.token}":
        raise DiscordHTTPError(401, 0, "401: Unauthorized")
    limited, headers = ratelimits.check(server, route, request.match_info, bot_auth)
    if limited is not None:
        return limited
    response = await handler(request)
    response.headers.update(headers)
    return response


def route_of(request: web.Request) -> str | None:
    resource = request.match_info.route.resource
    if resource is None or not request.path.startswith("/api/"):
        return None
    template = re.sub(r"^/api/v\d+", "", resource.canonical)
    return f"{request.method} {template}"


def routes() -> list[tuple[str, str, _ServerHandler]]:
    ch = "/channels/{channel_id}"
    msg = ch + "/messages/{message_id}"
    cmds = "/applications/{application_id}/commands"
    gcmds = "/applications/{application_id}/guilds/{guild_id}/commands"
    hook = "/webhooks/{application_id}/{token}"
    # aiohttp matches in order: literal segments (@me) before placeholders.
    return [
        ("GET", "/users/@me", rest.get_me),
        ("POST", "/users/@me/channels", rest.create_dm),
        ("GET", "/users/{user_id}", rest.get_user),
        ("GET", "/oauth2/applications/@me", rest.get_application),
        ("GET", "/applications/@me", rest.get_application),
        ("GET", "/gateway", rest.get_gateway),
        ("GET", "/gateway/bot", rest.get_gateway_bot),
        ("GET", cmds, commands.list_commands),
        ("PUT", cmds, commands.bulk_overwrite),
        ("POST", cmds, commands.upsert_command),
        ("GET", cmds + "/{command_id}", commands.get_command),
        ("PATCH", cmds + "/{command_id}", commands.edit_command),
        ("DELETE", cmds + "/{command_id}", commands.delete_command),
        ("GET", gcmds, commands.list_commands),
        ("PUT", gcmds, commands.bulk_overwrite),
        ("POST", gcmds, commands.upsert_command),
        ("GET", gcmds + "/{command_id}", commands.get_command),
        ("PATCH", gcmds + "/{command_id}", commands.edit_command),
        ("DELETE", gcmds + "/{command_id}", commands.delete_command),
        ("GET", ch, messages.get_channel),
        ("GET", ch + "/messages", messages.history),
        ("POST", ch + "/messages", messages.post_message),
        ("POST", ch + "/typing", messages.trigger_typing),
        ("POST", ch + "/threads", messages.create_thread),
        ("GET", msg, messages.get_message),
        ("PATCH", msg, messages.patch_message),
        ("DELETE", msg, messages.delete_message),
        ("POST", msg + "/threads", messages.create_thread),
        ("PUT", msg + "/reactions/{emoji}/@me", messages.put_own_reaction),
        ("DELETE", msg + "/reactions/{emoji}/@me", messages.delete_own_reaction),
        ("DELETE", msg + "/reactions/{emoji}/{user_id}", messages.delete_user_reaction),
        ("GET", msg + "/reactions/{emoji}", messages.list_reactors),
        ("DELETE", msg + "/reactions/{emoji}", messages.clear_emoji),
        ("DELETE", msg + "/reactions", messages.clear_reactions),
        ("GET", "/guilds/{guild_id}", rest.get_guild),
        ("GET", "/guilds/{guild_id}/channels", rest.guild_channels),
        ("GET", "/guilds/{guild_id}/roles", rest.guild_roles),
        ("GET", "/guilds/{guild_id}/members", rest.list_members),
        ("GET", "/guilds/{guild_id}/members/{user_id}", rest.get_member),
        ("POST", "/interactions/{interaction_id}/{token}/callback", interactions.callback),
        ("POST", hook, interactions.followup),
        ("GET", hook + "/messages/{message_id}", interactions.get_webhook_message),
        ("PATCH", hook + "/messages/{message_id}", interactions.edit_webhook_message),
        ("DELETE", hook + "/messages/{message_id}", interactions.delete_webhook_message),
    ]

"""Interactions: what a member's slash command, autocomplete, context menu, button, select or
modal sends the bot, and the callback and webhook routes the bot answers them on (the 3-second
deadline, a single acknowledgement, the deferred message the first follow-up fills in).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.support.fakediscord import messages, rest
from tests.support.fakediscord.models import Attachment, Channel, Command, Message
from tests.support.fakediscord.wire import (
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_DEFERRED_UPDATE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_UPDATE,
    EPHEMERAL,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    JSON,
    LOADING,
    DiscordHTTPError,
    Ref,
    form_error,
    id_of,
    json_response,
    no_content,
    walk_components,
)

if TYPE_CHECKING:
    from tests.support.fakediscord.server import FakeDiscord


ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
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


def context_menu(
    server: FakeDiscord, user: Ref, channel: Ref, command: str, target: Ref
) -> InteractionRecord:
    """The interaction of ``FakeDiscord.invoke_context_menu``."""
    ch = server.channels[id_of(channel)]
    is_message = isinstance(target, Message)
    command_type = 3 if is_message else 2
    cmd = server.find_command(command, ch.guild_id, type=command_type)
    check_can_use(server, cmd, ch, id_of(user))
    target_id = id_of(target)
    resolved: JSON
    if is_message:
        resolved = {
            "messages": {str(target_id): server._message_payload(server.messages[target_id])}
        }
    else:
        resolved = resolve_users(server, [target_id], ch)
    data: JSON = {
        "id": str(cmd.id),
        "name": cmd.name,
        "type": command_type,
        "target_id": str(target_id),
        "resolved": resolved,
    }
    if cmd.guild_id is not None:
        data["guild_id"] = str(cmd.guild_id)
    return dispatch_interaction(server, INTERACTION_COMMAND, id_of(user), ch, data)


def component_interaction(
    server: FakeDiscord, user: Ref, message: Ref, custom_id: str, values: list[str] | None
) -> InteractionRecord:
    msg = server.messages[id_of(message)]
    component = next(
        (c for c in walk_components(msg.components) if c.get("custom_id") == custom_id), None
    )
    if component is None:
        raise LookupError(f"no component {custom_id!r} on message {msg.id}: {msg.custom_ids()}")
    if component.get("disabled"):
        raise LookupError(f"component {custom_id!r} is disabled")
    data: JSON = {"custom_id": custom_id, "component_type": component["type"]}
    if values is not None:
        data["values"] = values
    ch = server.channels[msg.channel_id]
    payload_message = server._message_payload(msg)
    return dispatch_interaction(
        server, INTERACTION_COMPONENT, id_of(user), ch, data, message=payload_message
    )


def invoke(
    server: FakeDiscord,
    user: Ref,
    channel: Ref,
    command: str,
    options: Mapping[str, Any] | None,
    raw_options: list[JSON] | None,
    focused: str | None,
    locale: str,
) -> InteractionRecord:
    ch = server.channels[id_of(channel)]
    guild_id = ch.guild_id if not ch.is_dm else None
    root, *path = command.split()
    cmd = server.find_command(root, guild_id)
    check_can_use(server, cmd, ch, id_of(user))
    resolved: JSON = {}
    if raw_options is not None:
        built = raw_options
    else:
        schema = cmd.options
        # Walk down groups/subcommands, building the nested option structure as we go.
        containers: list[JSON] = []
        for part in path:
            sub = next((o for o in schema if o["name"] == part and o.get("type") in (1, 2)), None)
            if sub is None:
                raise LookupError(f"{root!r} has no subcommand {part!r}")
            containers.append({"type": sub["type"], "name": part, "options": []})
            schema = sub.get("options") or []
        leaf = build_options(server, schema, options or {}, focused, ch, resolved)
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
    return dispatch_interaction(server, kind, id_of(user), ch, data, locale=locale)


def check_can_use(server: FakeDiscord, command: Command, channel: Channel, user_id: int) -> None:
    """Discord hides a command from members lacking its default_member_permissions."""
    required = command.payload.get("default_member_permissions")
    if required is None or channel.is_dm:
        return
    if int(required) & ~server.permissions_for(channel, user_id):
        raise PermissionError(f"{server.users[user_id].name} cannot use /{command.name}")


def modal_submit(
    server: FakeDiscord, interaction: InteractionRecord, values: Mapping[str, str | Sequence[str]]
) -> InteractionRecord:
    """The modal-submit interaction of ``FakeDiscord.submit_modal``."""
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
    source = server.messages.get(interaction.source_message_id or 0)
    return dispatch_interaction(
        server,
        INTERACTION_MODAL_SUBMIT,
        interaction.user_id,
        server.channels[interaction.channel_id],
        data,
        message=server._message_payload(source) if source is not None else None,
    )


def build_options(
    server: FakeDiscord,
    schema: list[JSON],
    values: Mapping[str, Any],
    focused: str | None,
    channel: Channel,
    resolved: JSON,
) -> list[JSON]:
    by_name = {o["name"]: o for o in schema}
    unknown = set(values) - set(by_name)
    if unknown:
        raise LookupError(f"unknown option(s) {sorted(unknown)}; the command has {sorted(by_name)}")
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
            target = id_of(value)
            option["value"] = str(target)
            resolve_into(server, resolved, kind, target, channel)
        elif kind == 10:
            option["value"] = float(value)
        elif kind == 11:
            option["value"] = str(upload(server, value, channel))
            attachment = server.uploads[int(option["value"])]
            resolved.setdefault("attachments", {})[option["value"]] = attachment.payload()
        else:
            option["value"] = value
        built.append(option)
    return built


def upload(server: FakeDiscord, file: Attachment, channel: Channel) -> int:
    """Store a file a member attached to an option (type 11), as Discord's CDN would, and
    give it its id and URL."""
    if not isinstance(file, Attachment):
        raise TypeError(f"an attachment option takes an Attachment, not {type(file).__name__}")
    file.id = file.id or server.new_id()
    file.url = rest.attachment_url(server, channel.id, file)
    server.uploads[file.id] = file
    return file.id


def resolve_users(server: FakeDiscord, user_ids: Iterable[int], channel: Channel) -> JSON:
    resolved: JSON = {}
    for user_id in user_ids:
        resolve_into(server, resolved, 6, user_id, channel)
    return resolved


def resolve_into(
    server: FakeDiscord, resolved: JSON, kind: int, target: int, channel: Channel
) -> None:
    guild = server.guilds.get(channel.guild_id) if channel.guild_id else None
    if kind in (6, 9) and target in server.users:
        resolved.setdefault("users", {})[str(target)] = server.users[target].payload()
        if guild is not None and target in guild.members:
            member = guild.members[target].payload(with_user=False)
            member["permissions"] = str(server.permissions_for(channel, target))
            resolved.setdefault("members", {})[str(target)] = member
    elif kind in (8, 9) and guild is not None and target in guild.roles:
        resolved.setdefault("roles", {})[str(target)] = guild.roles[target].payload()
    elif kind == 7 and target in server.channels:
        ch = server.channels[target]
        payload = server._channel_payload(ch)
        payload["permissions"] = str(server.permissions_for(ch, server.bot.id))
        resolved.setdefault("channels", {})[str(target)] = payload


def dispatch_interaction(
    server: FakeDiscord,
    kind: int,
    user_id: int,
    channel: Channel,
    data: JSON,
    *,
    message: JSON | None = None,
    locale: str = "en-US",
) -> InteractionRecord:
    channel_payload = server._channel_payload(channel)
    channel_payload["permissions"] = str(server.permissions_for(channel, user_id))
    payload: JSON = {
        "id": str(server.new_id()),
        "application_id": str(server.application_id),
        "type": kind,
        "data": data,
        "channel": channel_payload,
        "channel_id": str(channel.id),
        "token": f"itok-{secrets.token_urlsafe(24)}",
        "version": 1,
        "app_permissions": str(server.permissions_for(channel, server.bot.id)),
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if channel.guild_id is not None:
        guild = server.guilds[channel.guild_id]
        member = guild.members[user_id].payload()
        member["permissions"] = str(server.permissions_for(channel, user_id))
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
            user=server.users[user_id].payload(),
            context=1,
            authorizing_integration_owners={"0": str(user_id)},
        )
    if message is not None:
        payload["message"] = message
    record = InteractionRecord(server, payload)
    server.interactions[record.id] = record
    server._dispatch("INTERACTION_CREATE", payload)
    return record


# -- REST: interactions and their webhooks ----------------------------------------------------


def lookup_interaction(server: FakeDiscord, request: web.Request) -> InteractionRecord:
    token = request.match_info["token"]
    if "interaction_id" in request.match_info:
        record = server.interactions.get(int(request.match_info["interaction_id"]))
        if record is None or record.token != token:
            raise DiscordHTTPError(404, 10062, "Unknown interaction")
        return record
    if request.match_info["application_id"] != str(server.application_id):
        raise DiscordHTTPError(404, 10015, "Unknown Webhook")
    record = next((r for r in server.interactions.values() if r.token == token), None)
    if record is None or record.callback is None:
        raise DiscordHTTPError(404, 10015, "Unknown Webhook")
    return record


def message_extra(server: FakeDiscord, record: InteractionRecord) -> dict[str, Any]:
    user = record.payload.get("member", {}).get("user") or record.payload.get("user")
    metadata: JSON = {
        "id": str(record.id),
        "type": record.type,
        "user": user,
        "authorizing_integration_owners": record.payload.get("authorizing_integration_owners", {}),
    }
    if record.type == INTERACTION_COMPONENT and record.source_message_id:
        metadata["interacted_message_id"] = str(record.source_message_id)
    return {
        "webhook_id": server.application_id,
        "application_id": server.application_id,
        "interaction_metadata": metadata,
        "type": 20 if record.type == INTERACTION_COMMAND else 0,
    }


async def callback(server: FakeDiscord, request: web.Request) -> web.Response:
    record = lookup_interaction(server, request)
    payload, files = await rest.read_body(server, request)
    loop_now = time.monotonic()
    if (
        server.interaction_deadline is not None
        and loop_now - record.dispatched_at > server.interaction_deadline
    ):
        raise DiscordHTTPError(404, 10062, "Unknown interaction")
    if record.callback is not None:
        raise DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.")
    kind = int(payload.get("type", 0))
    data: JSON = dict(payload.get("data") or {})
    channel = server.channels[record.channel_id]
    if kind not in _CALLBACKS_FOR.get(record.type, set()):
        raise form_error(
            "type", "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type"
        )
    if kind == CALLBACK_AUTOCOMPLETE and len(data.get("choices") or []) > 25:
        raise form_error("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    if kind == CALLBACK_MESSAGE:
        messages.validate_message(data, files)
    message: Message | None = None
    if kind in (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE):
        flags = int(data.get("flags") or 0)
        if kind == CALLBACK_DEFERRED_MESSAGE:
            data = {"flags": (flags & EPHEMERAL) | LOADING}
        message = messages.create_message(
            server, channel, server.bot.id, data, files, **message_extra(server, record)
        )
        record.original_id = message.id
    elif kind in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE):
        record.original_id = record.source_message_id
        message = server.messages.get(record.source_message_id or 0)
        if kind == CALLBACK_UPDATE and message is not None:
            messages.validate_message(data, files, editing=True)
            messages.apply_edit(server, message, data, files)
    record.callback = InteractionCallback(kind, data)
    server._notify()
    if request.query.get("with_response") not in ("1", "true", "True"):
        return no_content()
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
            resource["message"] = server._message_payload(message)
    return json_response({"interaction": interaction, "resource": resource})


async def followup(server: FakeDiscord, request: web.Request) -> web.Response:
    record = lookup_interaction(server, request)
    payload, files = await rest.read_body(server, request)
    messages.validate_message(payload, files)
    channel = server.channels[record.channel_id]
    original = record.original
    assert record.callback is not None
    if (
        record.callback.type == CALLBACK_DEFERRED_MESSAGE
        and original is not None
        and original.loading
    ):
        # The first follow-up after a deferral fills the "thinking" message and keeps the
        # ephemerality chosen when deferring.
        messages.apply_edit(server, original, {**payload, "flags": original.flags}, files)
        msg = original
    else:
        msg = messages.create_message(
            server, channel, server.bot.id, payload, files, **message_extra(server, record)
        )
    record.followup_ids.append(msg.id)
    server._notify()
    if request.query.get("wait") in ("1", "true", "True"):
        return json_response(server._message_payload(msg))
    return no_content()


def lookup_webhook_message(
    server: FakeDiscord, request: web.Request, record: InteractionRecord
) -> Message:
    raw = request.match_info["message_id"]
    message_id = record.original_id if raw == "@original" else int(raw)
    if message_id is None or (raw != "@original" and message_id not in record.followup_ids):
        raise DiscordHTTPError(404, 10008, "Unknown Message")
    msg = server.messages.get(message_id)
    if msg is None or msg.deleted:
        raise DiscordHTTPError(404, 10008, "Unknown Message")
    return msg


async def get_webhook_message(server: FakeDiscord, request: web.Request) -> web.Response:
    record = lookup_interaction(server, request)
    return json_response(server._message_payload(lookup_webhook_message(server, request, record)))


async def edit_webhook_message(server: FakeDiscord, request: web.Request) -> web.Response:
    record = lookup_interaction(server, request)
    msg = lookup_webhook_message(server, request, record)
    payload, files = await rest.read_body(server, request)
    messages.validate_message(payload, files, editing=True)
    messages.apply_edit(server, msg, payload, files)
    return json_response(server._message_payload(msg))


async def delete_webhook_message(server: FakeDiscord, request: web.Request) -> web.Response:
    record = lookup_interaction(server, request)
    messages.mark_deleted(server, lookup_webhook_message(server, request, record))
    return no_content()

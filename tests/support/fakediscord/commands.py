"""Application commands: validation as Discord does it, and the registry's REST routes (bulk
overwrite, upsert, edit, delete) that keep ids and bump versions like Discord.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aiohttp import web

from tests.support.fakediscord import rest
from tests.support.fakediscord.models import Command
from tests.support.fakediscord.wire import (
    JSON,
    DiscordHTTPError,
    form_error,
    json_response,
    no_content,
)

if TYPE_CHECKING:
    from tests.support.fakediscord.server import FakeDiscord


_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


# -- REST: application commands ---------------------------------------------------------------


def scope_of(server: FakeDiscord, request: web.Request) -> int | None:
    rest.check_application(server, request)
    if "guild_id" in request.match_info:
        return rest.lookup_guild(server, request).id
    return None


def validate_command(data: JSON, index: int | None = None) -> JSON:
    prefix = f"{index}." if index is not None else ""
    name = data.get("name")
    kind = int(data.get("type", 1))
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        raise form_error(
            f"{prefix}name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."
        )
    if kind == 1:
        if not _COMMAND_NAME.match(name) or name != name.lower():
            raise form_error(
                f"{prefix}name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        description = data.get("description") or ""
        if not 1 <= len(description) <= 100:
            raise form_error(
                f"{prefix}description",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        validate_options(data.get("options") or [], f"{prefix}options")
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
    filled.update({k: v for k, v in data.items() if k not in ("id", "application_id", "version")})
    return filled


def validate_options(options: list[JSON], where: str) -> None:
    if len(options) > 25:
        raise form_error(where, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    for i, option in enumerate(options):
        name, description = option.get("name", ""), option.get("description", "")
        if not _COMMAND_NAME.match(name) or name != name.lower():
            raise form_error(
                f"{where}.{i}.name",
                "APPLICATION_COMMAND_INVALID_NAME",
                "Command name is invalid",
            )
        if not 1 <= len(description) <= 100:
            raise form_error(
                f"{where}.{i}.description",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        if len(option.get("choices") or []) > 25:
            raise form_error(
                f"{where}.{i}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        if option.get("type") in (1, 2):
            validate_options(option.get("options") or [], f"{where}.{i}.options")
        elif option.get("required"):
            if seen_optional:
                raise form_error(
                    f"{where}.{i}.required",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True


def store_command(server: FakeDiscord, scope: int | None, data: JSON) -> tuple[Command, bool]:
    """Create or update by (name, type) within a scope, keeping ids like Discord does."""
    existing = next(
        (
            c
            for c in server.commands.values()
            if c.guild_id == scope and c.name == data["name"] and c.type == int(data["type"])
        ),
        None,
    )
    if existing is not None:
        if existing.payload != data:
            existing.payload = data
            existing.version = server.new_id()
        return existing, False
    command = Command(server.new_id(), server.application_id, scope, server.new_id(), data)
    server.commands[command.id] = command
    return command, True


async def list_commands(server: FakeDiscord, request: web.Request) -> web.Response:
    scope = scope_of(server, request)
    return json_response([c.to_json() for c in server.commands.values() if c.guild_id == scope])


async def bulk_overwrite(server: FakeDiscord, request: web.Request) -> web.Response:
    scope = scope_of(server, request)
    payload, _ = await rest.read_body(server, request)
    if not isinstance(payload, list):
        raise DiscordHTTPError(400, 50035, "Invalid Form Body")
    if len(payload) > 100:
        raise form_error("_", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    validated = [validate_command(d, i) for i, d in enumerate(payload)]
    keys = [(d["name"], d["type"]) for d in validated]
    if len(set(keys)) != len(keys):
        raise form_error(
            "_",
            "APPLICATION_COMMANDS_DUPLICATE_NAME",
            "Application command names must be unique",
        )
    kept = {store_command(server, scope, d)[0].id for d in validated}
    for command_id in [
        c.id for c in server.commands.values() if c.guild_id == scope and c.id not in kept
    ]:
        del server.commands[command_id]
    server._notify()
    return json_response([c.to_json() for c in server.commands.values() if c.guild_id == scope])


async def upsert_command(server: FakeDiscord, request: web.Request) -> web.Response:
    scope = scope_of(server, request)
    payload, _ = await rest.read_body(server, request)
    command, created = store_command(server, scope, validate_command(payload))
    server._notify()
    return json_response(command.to_json(), 201 if created else 200)


def lookup_command(server: FakeDiscord, request: web.Request) -> Command:
    scope = scope_of(server, request)
    command = server.commands.get(int(request.match_info["command_id"]))
    if command is None or command.guild_id != scope:
        raise DiscordHTTPError(404, 10063, "Unknown application command")
    return command


async def get_command(server: FakeDiscord, request: web.Request) -> web.Response:
    return json_response(lookup_command(server, request).to_json())


async def edit_command(server: FakeDiscord, request: web.Request) -> web.Response:
    command = lookup_command(server, request)
    payload, _ = await rest.read_body(server, request)
    command.payload = validate_command({**command.payload, **payload})
    command.version = server.new_id()
    server._notify()
    return json_response(command.to_json())


async def delete_command(server: FakeDiscord, request: web.Request) -> web.Response:
    command = lookup_command(server, request)
    del server.commands[command.id]
    server._notify()
    return no_content()

"""Typed configuration: loaded once from YAML (plus the environment for the token and URLs).

Every mistake in a config file stops start-up with one line naming the key path, e.g.
``config.yaml: quiz.spoiler_answers: expected true or false, got 'yes'``. The bot token is
never read from a file of ours and never stored on these objects' repr.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.core.admin_input import parse_local_time, parse_weekdays, parse_zone
from bot.core.drops import Drop, DropSource
from bot.core.scheduling import SchedulingSettings

DEFAULT_CONFIG_PATH = Path("config.yaml")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A configuration mistake; str() is the one line shown to the admin."""


@dataclass(frozen=True)
class DiscordSettings:
    api_base: str | None = None
    gateway_url: str | None = None


@dataclass(frozen=True)
class QuizSettings:
    reveal_emoji: str = "👀"
    spoiler_answers: bool = True
    auto_reveal_after_minutes: int = 60


@dataclass(frozen=True)
class Config:
    database_path: Path = Path("data/flashdrop.sqlite3")
    decks_dir: Path = Path("decks")
    timezone: str = "UTC"
    day_starts_at: time = time(4, 0)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    quiz: QuizSettings = field(default_factory=QuizSettings)
    scheduling: SchedulingSettings = field(default_factory=SchedulingSettings)
    # From config.yaml; stored with source "config" and kept in step with this file.
    drops: tuple[Drop, ...] = ()
    drop_grace_minutes: int = 120
    admin_role: str | None = None
    log_level: str = "INFO"
    source: Path | None = None

    @property
    def heartbeat_path(self) -> Path:
        """Touched by the running bot; read by `python -m bot healthcheck`."""
        return self.database_path.with_name(self.database_path.name + ".heartbeat")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --- field readers: each takes (value, key path) and returns the typed value or raises ---

Reader = Callable[[Any, str], Any]


def _fail(key: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"{key}: expected {expected}, got {value!r}")


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(key, "true or false", value)
    return value


def _int_range(low: int, high: int) -> Reader:
    def read(value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _fail(key, f"a whole number from {low} to {high}", value)
        return value

    return read


def _float_range(low: float, high: float) -> Reader:
    def read(value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(key, f"a number from {low} to {high}", value)
        if not low <= value <= high:
            raise _fail(key, f"a number from {low} to {high}", value)
        return float(value)

    return read


def _str(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(key, "a non-empty string", value)
    return value


def _optional(reader: Reader) -> Reader:
    def read(value: Any, key: str) -> Any:
        return None if value is None else reader(value, key)

    return read


def _path(value: Any, key: str) -> Path:
    return Path(_str(value, key))


def _database_file(value: Any, key: str) -> Path:
    path = _path(value, key)
    if str(path) == ":memory:":
        # The bot's two connections (see bot.storage.base) must open the same database.
        raise _fail(key, "the path of a database file (an in-memory database is not kept)", value)
    return path


def _url(schemes: tuple[str, ...]) -> Reader:
    def read(value: Any, key: str) -> str:
        text = _str(value, key)
        if not text.startswith(tuple(f"{s}://" for s in schemes)):
            raise _fail(key, "a URL starting with " + " or ".join(f"{s}://" for s in schemes), text)
        return text.rstrip("/")

    return read


def _zone(value: Any, key: str) -> str:
    text = _str(value, key)
    try:
        return parse_zone(text).key
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None


def _hhmm(value: Any, key: str) -> time:
    # YAML 1.1 reads an unquoted 08:30 as the sexagesimal number 510 (and 8.30 as a float):
    # say how to fix it.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ConfigError(f'{key}: write the time in quotes, e.g. "08:30" (YAML read a number)')
    try:
        return parse_local_time(_str(value, key))
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None


def _snowflake(value: Any, key: str) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _fail(key, "a Discord id (a positive number)", value)
    return value


def _emoji(value: Any, key: str) -> str:
    text = _str(value, key)
    if len(text) > 16 or any(ch.isspace() for ch in text):
        raise _fail(key, "a single emoji", text)
    return text


def _log_level(value: Any, key: str) -> str:
    text = _str(value, key).upper()
    if text not in LOG_LEVELS:
        raise _fail(key, "one of " + ", ".join(LOG_LEVELS), value)
    return text


def _str_list(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(key, "a list of strings", value)
    return tuple(_str(item, f"{key}[{i}]") for i, item in enumerate(value))


def _days(value: Any, key: str) -> frozenset[int]:
    """ISO weekdays (1 = Monday) from "mon,wed,fri", "weekdays" or a list such as [mon, Fri]."""
    try:
        return parse_weekdays(_str_list(value, key))
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None


def _mapping(value: Any, key: str, readers: Mapping[str, Reader]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(key or "top level", "a mapping of settings", value)
    out: dict[str, Any] = {}
    for name, item in value.items():
        path = f"{key}.{name}" if key else str(name)
        if name not in readers:
            if name == "token":
                raise ConfigError(
                    f"{path}: the bot token is never read from a config file; "
                    "set DISCORD_TOKEN or DISCORD_TOKEN_FILE instead"
                )
            close = difflib.get_close_matches(str(name), list(readers), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{path}: unknown setting{hint}")
        out[str(name)] = readers[name](item, path)
    return out


def _section(readers: Mapping[str, Reader]) -> Reader:
    def read(value: Any, key: str) -> dict[str, Any]:
        return _mapping(value, key, readers)

    return read


_DROP_READERS: dict[str, Reader] = {
    "guild_id": _snowflake,
    "channel_id": _snowflake,
    "deck": _str_list,
    "decks": _str_list,
    "time": _hhmm,
    "timezone": _zone,
    "days": _days,
    "cards": _int_range(1, 10),
    "role_id": _optional(_snowflake),
    "thread": _bool,
}


# A drop's config keys and the `Drop` fields they fill.
_DROP_FIELDS = {"decks": "deck_ids", "time": "local_time", "days": "weekdays"}


def _drops(value: Any, key: str) -> tuple[dict[str, Any], ...]:
    """Each drop's `Drop` fields; the zone defaults to the config's (see `build_config`)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(key, "a list of drops", value)
    drops = []
    for i, item in enumerate(value):
        path = f"{key}[{i}]"
        fields = _mapping(item, path, _DROP_READERS)
        if "deck" in fields:
            if "decks" in fields:
                raise ConfigError(f"{path}: give either deck or decks, not both")
            fields["decks"] = fields.pop("deck")
        for required in ("guild_id", "channel_id", "decks", "time"):
            if required not in fields:
                raise ConfigError(f"{path}.{required}: missing (required for every drop)")
        drops.append({_DROP_FIELDS.get(name, name): item for name, item in fields.items()})
    return tuple(drops)


_READERS: dict[str, Reader] = {
    "database": _section({"path": _database_file}),
    "decks": _section({"dir": _path}),
    "timezone": _zone,
    "day_starts_at": _hhmm,
    "discord": _section(
        {
            "api_base": _optional(_url(("http", "https"))),
            "gateway_url": _optional(_url(("ws", "wss"))),
        }
    ),
    "quiz": _section(
        {
            "reveal_emoji": _emoji,
            "spoiler_answers": _bool,
            "auto_reveal_after_minutes": _int_range(0, 7 * 24 * 60),
        }
    ),
    "scheduling": _section(
        {
            "desired_retention": _float_range(0.7, 0.99),
            "maximum_interval_days": _int_range(1, 36500),
            "new_cards_per_day": _int_range(0, 1000),
            "fuzzing": _bool,
            "active_member_days": _int_range(1, 365),
            "recent_post_days": _int_range(0, 60),
        }
    ),
    "drops": _drops,
    "drop_grace_minutes": _int_range(0, 24 * 60),
    "admin_role": _optional(_str),
    "log_level": _log_level,
}


def build_config(data: Any, env: Mapping[str, str], source: Path | None = None) -> Config:
    """Turn parsed YAML plus the environment into a Config, or raise ConfigError."""
    fields = _mapping(data, "", _READERS)
    discord_fields = dict(fields.pop("discord", {}))
    for env_name, key, reader in (
        ("DISCORD_API_BASE", "api_base", _url(("http", "https"))),
        ("DISCORD_GATEWAY_URL", "gateway_url", _url(("ws", "wss"))),
    ):
        if env.get(env_name):
            discord_fields[key] = reader(env[env_name], env_name)
    kwargs: dict[str, Any] = {"source": source, "discord": DiscordSettings(**discord_fields)}
    if "database" in fields and "path" in fields["database"]:
        kwargs["database_path"] = fields["database"]["path"]
    if "decks" in fields and "dir" in fields["decks"]:
        kwargs["decks_dir"] = fields["decks"]["dir"]
    if "quiz" in fields:
        kwargs["quiz"] = QuizSettings(**fields["quiz"])
    if "scheduling" in fields:
        kwargs["scheduling"] = SchedulingSettings(**fields["scheduling"])
    for name in ("timezone", "day_starts_at", "drop_grace_minutes", "admin_role"):
        if name in fields:
            kwargs[name] = fields[name]
    zone = fields.get("timezone", Config.timezone)
    kwargs["drops"] = tuple(
        Drop(**{"timezone": zone, **drop}, source=DropSource.CONFIG)
        for drop in fields.get("drops", ())
    )
    if "log_level" in fields:
        kwargs["log_level"] = fields["log_level"]
    return Config(**kwargs)


def load_config(path: Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Load `path` (default config.yaml; built-in defaults when that file is absent).

    An explicitly named file that does not exist is an error; a missing default is not.
    """
    env = os.environ if env is None else env
    explicit = path is not None
    path = path or DEFAULT_CONFIG_PATH
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: no such config file")
        return build_config({}, env)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    try:
        return build_config(data, env, source=path)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


# A bot token: the base64 of the bot's id, a dot, a timestamp, a dot, an HMAC (Discord's
# documented shape; the parts' lengths vary a little between token generations).
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{25,}")


def redact_token_shapes(text: str) -> str:
    """`text` with anything shaped like a bot token replaced by "[redacted]"."""
    return _TOKEN_SHAPE.sub("[redacted]", text)


def read_token(env: Mapping[str, str] | None = None) -> str:
    """The bot token from DISCORD_TOKEN or the file named by DISCORD_TOKEN_FILE."""
    env = os.environ if env is None else env
    token = env.get("DISCORD_TOKEN", "").strip()
    if token:
        return token
    token_file = env.get("DISCORD_TOKEN_FILE", "").strip()
    if token_file:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"DISCORD_TOKEN_FILE: cannot read {token_file}: {exc.strerror}"
            ) from None
        if token:
            return token
        raise ConfigError(f"DISCORD_TOKEN_FILE: {token_file} is empty")
    raise ConfigError(
        "no bot token: set DISCORD_TOKEN=<token> or DISCORD_TOKEN_FILE=<path to a file holding it> "
        "(see README, 'Creating the Discord application')"
    )

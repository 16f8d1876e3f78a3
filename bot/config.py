"""Typed configuration: loaded once from YAML (plus the environment for the token and URLs).

Every mistake in a config file stops start-up with one line naming the key path, e.g.
``config.yaml: quiz.spoiler_answers: expected true or false, got 'yes'``. The bot token is
never read from a file of ours and never stored on these objects' repr.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar
from zoneinfo import ZoneInfo

import yaml

from bot.core.admin_input import parse_local_time, parse_weekdays, parse_zone
from bot.core.drops import MAX_CARDS_PER_DROP, Drop, DropSource
from bot.core.emoji import is_reaction_emoji
from bot.core.scheduling import SchedulingSettings

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

DEFAULT_CONFIG_PATH = Path("config.yaml")
# The most `max_cards_per_guild` may allow: beyond it one guild's decks would outweigh the
# whole library the bot is measured with (5,000 cards).
MAX_CARDS_PER_GUILD = 200_000
# The most `max_media_mib_per_guild` may allow: every guild's images share one database file.
MAX_MEDIA_MIB_PER_GUILD = 10_240
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A configuration mistake; str() is the one line shown to the admin."""


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
        # The bot's two connections (see bot.storage.database) must open the same database.
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


def _role(value: Any, key: str) -> str:
    """A role name, or a role id: unquoted, YAML reads an id as a number. Either way the
    string form, which the admin rule (bot.core.permissions.is_admin) reads as name or id."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise _fail(key, "a role name or a role id", value)
    return value


def _emoji(value: Any, key: str) -> str:
    # Discord answers a reaction with anything else "400 Unknown Emoji", on every post.
    text = _str(value, key)
    if not is_reaction_emoji(text):
        raise _fail(key, "one emoji, such as 👀, or a server emoji as <:name:id>", text)
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


# --- the schema: one declaration per setting -------------------------------------------------
#
# Each field of a settings dataclass is declared once: its default, and in its metadata how it
# is read (`setting`: the reader, where it stands in the file, an environment variable that
# overrides it) or that it is a nested dataclass read from a mapping of its own (`section`).
# `_read` walks a mapping by such a schema, `_build` makes the dataclasses. bot/core knows
# nothing of config, so the schemas of its SchedulingSettings and Drop are declared below
# instead, by field name: the one place those settings are read.


@dataclass(frozen=True, slots=True)
class Setting:
    """How one field is read from the file."""

    read: Reader
    at: tuple[str, ...] = ()  # its key path in the mapping, when not just the field's name
    env: str | None = None  # an environment variable that, when set, overrides the file
    required: bool = False  # (checked for drops)
    section: type[Any] | None = None  # the dataclass it holds, read from a mapping of its own

    def key(self, name: str) -> str:
        return ".".join(self.at or (name,))


# (field name, setting) pairs; one field may be read from either of two keys (deck, decks).
Schema: TypeAlias = Sequence[tuple[str, Setting]]
_Tree: TypeAlias = "dict[str, tuple[str, Setting] | _Tree]"
_SETTING = "flashdrop.config"  # the key of a field's Setting in its metadata

Metadata: TypeAlias = Mapping[str, Setting]
D = TypeVar("D", bound="DataclassInstance")


def setting(read: Reader, *, at: str | None = None, env: str | None = None) -> Metadata:
    """A field's metadata: read by `read` from key `at` (dotted; default: the field's name)."""
    return {_SETTING: Setting(read, tuple(at.split(".")) if at else (), env)}


def section(cls: type[DataclassInstance], schema: Schema | None = None) -> Metadata:
    """The metadata of a field holding a `cls`, read from a mapping of its own by `schema`
    (by default, the settings on `cls`'s own fields)."""
    known = _schema(cls) if schema is None else schema

    def read(value: Any, key: str) -> dict[str, Any]:
        return _read(known, value, key)

    return {_SETTING: Setting(read, section=cls)}


def _schema(cls: type[DataclassInstance]) -> Schema:
    return tuple((f.name, f.metadata[_SETTING]) for f in fields(cls) if _SETTING in f.metadata)


def _by_field(readers: Mapping[str, Reader]) -> Schema:
    return tuple((name, Setting(read)) for name, read in readers.items())


def _read(schema: Schema, value: Any, key: str) -> dict[str, Any]:
    """The fields that mapping `value` (at key path `key`) gives, read by `schema`."""
    tree: _Tree = {}
    for name, how in schema:
        *groups, last = how.at or (name,)
        node = tree
        for group in groups:
            child = node.setdefault(group, {})
            assert isinstance(child, dict)
            node = child
        node[last] = (name, how)
    values: dict[str, Any] = {}
    given: dict[str, list[str]] = {}
    _walk(tree, value, key, values, given)
    for keys in given.values():
        if len(keys) > 1:
            raise ConfigError(f"{key}: give either {' or '.join(sorted(keys))}, not both")
    return values


def _walk(
    tree: _Tree, value: Any, key: str, values: dict[str, Any], given: dict[str, list[str]]
) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise _fail(key or "top level", "a mapping of settings", value)
    for name, item in value.items():
        path = f"{key}.{name}" if key else str(name)
        node = tree.get(name)
        if node is None:
            if name == "token":
                raise ConfigError(
                    f"{path}: the bot token is never read from a config file; "
                    "set DISCORD_TOKEN or DISCORD_TOKEN_FILE instead"
                )
            close = difflib.get_close_matches(str(name), list(tree), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{path}: unknown setting{hint}")
        if isinstance(node, dict):
            _walk(node, item, path, values, given)
        else:
            field_name, how = node
            values[field_name] = how.read(item, path)
            given.setdefault(field_name, []).append(name)


def _build(cls: type[D], values: Mapping[str, Any], env: Mapping[str, str]) -> D:
    """A `cls` of the fields read (defaults for the rest), its sections built alike, and the
    environment overriding the file where a setting names a variable."""
    kwargs = dict(values)
    for f in fields(cls):
        how = f.metadata.get(_SETTING)
        if how is None:
            continue
        if how.section is not None:
            kwargs[f.name] = _build(how.section, values.get(f.name, {}), env)
        if how.env and env.get(how.env):
            kwargs[f.name] = how.read(env[how.env], how.env)
    return cls(**kwargs)


# --- the settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscordSettings:
    api_base: str | None = field(
        default=None,
        metadata=setting(_optional(_url(("http", "https"))), env="DISCORD_API_BASE"),
    )
    gateway_url: str | None = field(
        default=None,
        metadata=setting(_optional(_url(("ws", "wss"))), env="DISCORD_GATEWAY_URL"),
    )


@dataclass(frozen=True)
class QuizSettings:
    reveal_emoji: str = field(default="👀", metadata=setting(_emoji))
    spoiler_answers: bool = field(default=True, metadata=setting(_bool))
    auto_reveal_after_minutes: int = field(default=60, metadata=setting(_int_range(0, 7 * 24 * 60)))


_SCHEDULING = _by_field(
    {
        "desired_retention": _float_range(0.7, 0.99),
        "maximum_interval_days": _int_range(1, 36500),
        "new_cards_per_day": _int_range(0, 1000),
        "fuzzing": _bool,
        "active_member_days": _int_range(1, 365),
        "recent_post_days": _int_range(0, 60),
    }
)

# A config drop's keys, by the `Drop` field each fills.
_DROP: Schema = (
    ("guild_id", Setting(_snowflake, required=True)),
    ("channel_id", Setting(_snowflake, required=True)),
    ("deck_ids", Setting(_str_list, at=("decks",), required=True)),
    ("deck_ids", Setting(_str_list, at=("deck",))),
    ("local_time", Setting(_hhmm, at=("time",), required=True)),
    ("timezone", Setting(_zone)),  # default: the config's (see `build_config`)
    ("weekdays", Setting(_days, at=("days",))),
    ("cards", Setting(_int_range(1, MAX_CARDS_PER_DROP))),
    ("role_id", Setting(_optional(_snowflake))),
    ("thread", Setting(_bool)),
)


def _drops(value: Any, key: str) -> tuple[dict[str, Any], ...]:
    """Each drop's `Drop` fields; `build_config` makes them drops."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(key, "a list of drops", value)
    drops = []
    for i, item in enumerate(value):
        path = f"{key}[{i}]"
        values = _read(_DROP, item, path)
        for name, how in _DROP:
            if how.required and name not in values:
                raise ConfigError(f"{path}.{how.key(name)}: missing (required for every drop)")
        drops.append(values)
    return tuple(drops)


@dataclass(frozen=True)
class Config:
    database_path: Path = field(
        default=Path("data/flashdrop.sqlite3"), metadata=setting(_database_file, at="database.path")
    )
    decks_dir: Path = field(default=Path("decks"), metadata=setting(_path, at="decks.dir"))
    timezone: str = field(default="UTC", metadata=setting(_zone))
    day_starts_at: time = field(default=time(4, 0), metadata=setting(_hhmm))
    discord: DiscordSettings = field(
        default_factory=DiscordSettings, metadata=section(DiscordSettings)
    )
    quiz: QuizSettings = field(default_factory=QuizSettings, metadata=section(QuizSettings))
    scheduling: SchedulingSettings = field(
        default_factory=SchedulingSettings, metadata=section(SchedulingSettings, _SCHEDULING)
    )
    # From config.yaml; stored with source "config" and kept in step with this file.
    drops: tuple[Drop, ...] = field(default=(), metadata=setting(_drops))
    drop_grace_minutes: int = field(default=120, metadata=setting(_int_range(0, 24 * 60)))
    admin_role: str | None = field(default=None, metadata=setting(_optional(_role)))
    deck_manager_role: str | None = field(default=None, metadata=setting(_optional(_role)))
    max_cards_per_guild: int = field(
        default=20_000, metadata=setting(_int_range(1, MAX_CARDS_PER_GUILD))
    )
    # The images of one guild's own decks together (stored in the database); 0: none.
    max_media_mib_per_guild: int = field(
        default=100, metadata=setting(_int_range(0, MAX_MEDIA_MIB_PER_GUILD))
    )
    log_level: str = field(default="INFO", metadata=setting(_log_level))
    source: Path | None = None

    @property
    def heartbeat_path(self) -> Path:
        """Touched by the running bot; read by `python -m bot healthcheck`."""
        return self.database_path.with_name(self.database_path.name + ".heartbeat")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def build_config(data: Any, env: Mapping[str, str], source: Path | None = None) -> Config:
    """Turn parsed YAML plus the environment into a Config, or raise ConfigError."""
    values = _read(_schema(Config), data, "")
    # A drop without a zone of its own takes the config's, wherever `timezone:` stands.
    zone = values.get("timezone", Config.timezone)
    values["drops"] = tuple(
        Drop(**{"timezone": zone, **drop}, source=DropSource.CONFIG)
        for drop in values.get("drops", ())
    )
    return _build(Config, {**values, "source": source}, env)


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


# --- secrets: what counts as the token, so that it is hidden wherever it would be shown ---------

# A bot token is made of these (base64url parts joined by dots).
_TOKEN_CHARS = "A-Za-z0-9_-"
# The base64 of the bot's id, a dot, a timestamp, a dot, an HMAC (Discord's documented shape;
# the parts' lengths vary a little between token generations).
_TOKEN_SHAPE = rf"[{_TOKEN_CHARS}]{{18,}}\.[{_TOKEN_CHARS}]{{5,}}\.[{_TOKEN_CHARS}]{{25,}}"
# Bot tokens run to 59 characters and more. A value much shorter is no token Discord accepts,
# and hiding it would cut ordinary words apart (DISCORD_TOKEN=x made "e[redacted]pected").
MIN_SECRET_LENGTH = 20
REDACTED = "[redacted]"


class Redactor:
    """The one rule for logs and error lines: what hides a secret.

    - Each given secret of at least `MIN_SECRET_LENGTH` characters, wherever it appears (even
      glued to other text, as in a URL): no word is that long, so none is cut apart. Shorter
      ones are not secrets worth the damage (`e[redacted]pected` for a token "x").
    - Anything shaped like a bot token where it stands as a whole, not inside a longer run of
      token characters.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        hidden = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        # The look-behind also keeps the search linear: a match only starts where a run does.
        shape = rf"(?<![{_TOKEN_CHARS}]){_TOKEN_SHAPE}(?![{_TOKEN_CHARS}])"
        self._pattern = re.compile("|".join([*(re.escape(s) for s in hidden), shape]))

    def __call__(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text)

    def finds(self, text: str) -> bool:
        """Whether `text` holds something this hides."""
        return self._pattern.search(text) is not None


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """`text` with token shapes and the configured token (if there is one) hidden."""
    try:
        secrets = [read_token(env)]
    except ConfigError:
        secrets = []
    return Redactor(secrets)(text)


# A token file holds one token (well under 100 bytes) and perhaps a newline; anything larger is
# the wrong file, and /dev/zero or a log file must not be read whole.
MAX_TOKEN_FILE_BYTES = 4096


def read_token(env: Mapping[str, str] | None = None) -> str:
    """The bot token from DISCORD_TOKEN or the file named by DISCORD_TOKEN_FILE."""
    env = os.environ if env is None else env
    token = env.get("DISCORD_TOKEN", "").strip()
    if token:
        return token
    token_file = env.get("DISCORD_TOKEN_FILE", "").strip()
    if token_file:
        return _read_token_file(token_file)
    raise ConfigError(
        "no bot token: set DISCORD_TOKEN=<token> or DISCORD_TOKEN_FILE=<path to a file holding it> "
        "(see README, 'Creating the Discord application')"
    )


def _read_token_file(name: str) -> str:
    """The token alone in file `name`; never more than `MAX_TOKEN_FILE_BYTES` are read, and
    what a wrong file holds is never quoted (it may be another secret)."""
    try:
        with open(name, "rb") as file:
            data = file.read(MAX_TOKEN_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(
            f"DISCORD_TOKEN_FILE: cannot read {name}: {exc.strerror or type(exc).__name__}"
        ) from None
    wrong = f"DISCORD_TOKEN_FILE: {name} is not a token file"
    if len(data) > MAX_TOKEN_FILE_BYTES:
        raise ConfigError(f"{wrong} (over {MAX_TOKEN_FILE_BYTES // 1024} KiB)")
    try:
        token = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"{wrong} (not text)") from None
    if not token:
        raise ConfigError(f"DISCORD_TOKEN_FILE: {name} is empty")
    if not token.isprintable() or any(char.isspace() for char in token):
        raise ConfigError(f"{wrong} (it must hold the token alone, on one line)")
    return token

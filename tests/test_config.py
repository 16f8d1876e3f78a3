"""Config loading: defaults, every documented setting, and one clear line per mistake."""

from __future__ import annotations

import os
import re
from dataclasses import fields
from datetime import time
from pathlib import Path

import pytest
import yaml

from bot.config import Config, ConfigError, QuizSettings, build_config, load_config, read_token
from bot.core.drops import DropSource
from bot.core.permissions import is_admin
from bot.core.scheduling import SchedulingSettings

ROOT = Path(__file__).resolve().parent.parent


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_example_loads_and_equals_defaults() -> None:
    loaded = load_config(ROOT / "config.example.yaml", env={})
    defaults = Config()
    assert loaded.database_path == defaults.database_path
    assert loaded.quiz == defaults.quiz
    assert loaded.scheduling == defaults.scheduling
    assert loaded.day_starts_at == time(4, 0)
    assert loaded.drops == ()


def test_config_missing_default_file_gives_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, env={})
    assert config.source is None
    assert config.database_path == Path("data/flashdrop.sqlite3")


def test_config_missing_explicit_file_is_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.yaml", env={})


def test_config_reads_every_section(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
database: {path: /tmp/x.sqlite3}
decks: {dir: mydecks}
timezone: Europe/Copenhagen
day_starts_at: "05:30"
quiz: {reveal_emoji: "🔍", spoiler_answers: false, auto_reveal_after_minutes: 5}
scheduling: {desired_retention: 0.85, maximum_interval_days: 100, new_cards_per_day: 3}
drops:
  - {guild_id: 1, channel_id: "2", deck: dl, time: "08:00", days: [Fri, mon], role_id: 7}
admin_role: Tutors
log_level: debug
""",
    )
    config = load_config(path, env={})
    assert config.database_path == Path("/tmp/x.sqlite3")
    assert config.decks_dir == Path("mydecks")
    assert config.zone.key == "Europe/Copenhagen"
    assert config.day_starts_at == time(5, 30)
    assert config.quiz.reveal_emoji == "🔍" and not config.quiz.spoiler_answers
    assert config.scheduling.desired_retention == 0.85
    assert config.scheduling.new_cards_per_day == 3
    (drop,) = config.drops
    assert (drop.guild_id, drop.channel_id, drop.deck_ids) == (1, 2, ("dl",))
    assert drop.weekdays == {1, 5} and drop.local_time == time(8, 0) and drop.role_id == 7
    assert drop.timezone == "Europe/Copenhagen" and drop.source is DropSource.CONFIG
    assert config.admin_role == "Tutors" and config.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("quiz: {spoiler_answers: 'yes'}", "quiz.spoiler_answers: expected true or false"),
        ("timezone: Mars/Olympus", "timezone: unknown time zone 'Mars/Olympus'"),
        (
            "day_starts_at: '25:00'",
            "day_starts_at: '25:00' is not a time of day: use 24-hour HH:MM",
        ),
        ("day_starts_at: 12:30", "day_starts_at: write the time in quotes"),
        (
            "quiz: {spoiler: true}",
            "quiz.spoiler: unknown setting (did you mean 'spoiler_answers'?)",
        ),
        ("databse: {path: x}", "databse: unknown setting (did you mean 'database'?)"),
        ("scheduling: {desired_retention: 2}", "scheduling.desired_retention: expected a number"),
        ("scheduling: {new_cards_per_day: ten}", "scheduling.new_cards_per_day: expected a whole"),
        ("token: abc", "token: the bot token is never read from a config file"),
        ("discord: {api_base: 127.0.0.1}", "discord.api_base: expected a URL starting with http"),
        ("drops: [{guild_id: 1, channel_id: 2, time: '08:00'}]", "drops[0].decks: missing"),
        (
            "drops: [{guild_id: 1, channel_id: 2, deck: a, time: '8am'}]",
            "drops[0].time: '8am' is not a time of day",
        ),
        (
            "drops: [{guild_id: 1, channel_id: 2, deck: a, time: '08:00', days: [funday]}]",
            "drops[0].days: 'funday' is not a day",
        ),
        ("log_level: LOUD", "log_level: expected one of"),
        ("database: {path: ':memory:'}", "database.path: expected the path of a database file"),
        ("- just a list", "top level: expected a mapping"),
        ("quiz: [unclosed", "invalid YAML"),
        ("timezone: Europe", "timezone: unknown time zone 'Europe' (use an IANA name"),
        ("timezone: ' UTC'", "timezone: unknown time zone ' UTC'"),
        (
            "drops: [{guild_id: 1, channel_id: 2, deck: a, time: '08:00', "
            "timezone: America/Argentina}]",
            "drops[0].timezone: unknown time zone 'America/Argentina'",
        ),
        ("day_starts_at: 8.30", "day_starts_at: write the time in quotes"),
        ("quiz: {token: abc}", "quiz.token: the bot token is never read from a config file"),
        ("database: {pth: x}", "database.pth: unknown setting (did you mean 'path'?)"),
        ("database: 5", "database: expected a mapping of settings, got 5"),
        ("drops: {a: 1}", "drops: expected a list of drops"),
        (
            "drops: [{guild_id: 1, channel_id: 2, deck: a, time: '08:00', dayz: [mon]}]",
            "drops[0].dayz: unknown setting (did you mean 'days'?)",
        ),
        (
            "drops: [{guild_id: 1, channel_id: 2, deck: a, decks: [b], time: '08:00'}]",
            "drops[0]: give either deck or decks, not both",
        ),
        (
            "drops: [{channel_id: 2, deck: a, time: '08:00'}]",
            "drops[0].guild_id: missing (required for every drop)",
        ),
        (
            "drops: [{guild_id: 1, channel_id: 2, deck: a, time: '08:00', days: 5}]",
            "drops[0].days: expected a list of strings, got 5",
        ),
        ("drop_grace_minutes: -1", "drop_grace_minutes: expected a whole number from 0 to 1440"),
        ("admin_role: ''", "admin_role: expected a role name or a role id"),
        ("admin_role: true", "admin_role: expected a role name or a role id"),
        ("admin_role: -5", "admin_role: expected a role name or a role id"),
        ("admin_role: [Tutors]", "admin_role: expected a role name or a role id"),
        ("deck_manager_role: ''", "deck_manager_role: expected a role name or a role id"),
        ("max_cards_per_guild: 0", "max_cards_per_guild: expected a whole number from 1 to"),
        ("quiz: {reveal_emoji: abc}", "quiz.reveal_emoji: expected one emoji"),
        ("quiz: {reveal_emoji: '👀👀'}", "quiz.reveal_emoji: expected one emoji"),
        ("quiz: {reveal_emoji: ':eyes:'}", "quiz.reveal_emoji: expected one emoji"),
        ("quiz: {reveal_emoji: '<:eyes:12>'}", "quiz.reveal_emoji: expected one emoji"),
    ],
)
def test_config_error_is_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    line = str(info.value)
    assert "\n" not in line
    assert line.startswith(str(path))
    assert message in line


def test_config_env_overrides_discord_urls(tmp_path: Path) -> None:
    path = _write(tmp_path, "discord: {api_base: 'https://a.example/api/v10'}")
    env = {
        "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10",
        "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gw",
    }
    config = load_config(path, env=env)
    assert config.discord.api_base == "http://127.0.0.1:9/api/v10"
    assert config.discord.gateway_url == "ws://127.0.0.1:9/gw"


def test_config_bad_env_url_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DISCORD_GATEWAY_URL: expected a URL"):
        load_config(_write(tmp_path, ""), env={"DISCORD_GATEWAY_URL": "http://x"})


def test_read_token_prefers_env_then_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("file-token\n", encoding="utf-8")
    assert (
        read_token({"DISCORD_TOKEN": "env-token", "DISCORD_TOKEN_FILE": str(secret)}) == "env-token"
    )
    assert read_token({"DISCORD_TOKEN_FILE": str(secret)}) == "file-token"


@pytest.mark.parametrize("env", [{}, {"DISCORD_TOKEN": "  "}])
def test_read_token_missing_says_how_to_provide_one(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as info:
        read_token(env)
    assert "DISCORD_TOKEN" in str(info.value) and "DISCORD_TOKEN_FILE" in str(info.value)


def test_read_token_unreadable_file_is_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DISCORD_TOKEN_FILE: cannot read"):
        read_token({"DISCORD_TOKEN_FILE": str(tmp_path / "missing")})


TOKEN_FILES = {
    "binary": b"\xff\xfe\x89PNG\r\n\x1a\n\x00\x00",
    "nul-bytes": b"\x00" * 64,
    "too-large": b"a" * 100_000,
    "two-words": b"not a token\n",
}


@pytest.mark.parametrize("content", TOKEN_FILES.values(), ids=TOKEN_FILES)
def test_read_token_file_that_holds_no_token_is_one_line(tmp_path: Path, content: bytes) -> None:
    secret = tmp_path / "token"
    secret.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        read_token({"DISCORD_TOKEN_FILE": str(secret)})
    line = str(info.value)
    assert line.startswith(f"DISCORD_TOKEN_FILE: {secret}") and "\n" not in line
    assert len(line) < 200  # the content is never quoted


def test_read_token_file_reads_a_few_kib_at_most(tmp_path: Path) -> None:
    # /dev/zero never ends: reading all of it would eat memory until the process dies.
    with pytest.raises(ConfigError, match=r"^DISCORD_TOKEN_FILE: /dev/zero is not a token file"):
        read_token({"DISCORD_TOKEN_FILE": "/dev/zero"})


def test_read_token_file_that_is_a_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match="^" + re.escape(f"DISCORD_TOKEN_FILE: cannot read {tmp_path}: ")
    ):
        read_token({"DISCORD_TOKEN_FILE": str(tmp_path)})


def test_read_token_file_with_a_bom_and_newline_gives_the_token(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_bytes("\ufefftok-abc.def.ghi\r\n".encode())
    assert read_token({"DISCORD_TOKEN_FILE": str(secret)}) == "tok-abc.def.ghi"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_read_token_file_without_permission_is_one_line(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("tok", encoding="utf-8")
    secret.chmod(0)
    with pytest.raises(ConfigError, match=r"cannot read .*: Permission denied$"):
        read_token({"DISCORD_TOKEN_FILE": str(secret)})


def test_config_drops_take_the_config_zone_unless_they_name_one(tmp_path: Path) -> None:
    drops = """
drops:
  - {guild_id: 1, channel_id: 2, deck: dl, time: "08:00"}
  - {guild_id: 1, channel_id: 3, deck: dl, time: "09:00", timezone: Asia/Tokyo}
"""
    default, named = load_config(_write(tmp_path, drops), env={}).drops
    assert (default.timezone, named.timezone) == ("UTC", "Asia/Tokyo")
    # The config's zone applies wherever `timezone:` stands in the file.
    default, named = load_config(_write(tmp_path, drops + "timezone: Europe/Oslo\n"), env={}).drops
    assert (default.timezone, named.timezone) == ("Europe/Oslo", "Asia/Tokyo")


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ('"mon,wed,fri"', {1, 3, 5}),
        ("weekdays", {1, 2, 3, 4, 5}),
        ("[weekends, mon]", {1, 6, 7}),
        ('"every day"', set(range(1, 8))),
        ("[Fri, mon]", {1, 5}),
    ],
)
def test_config_drop_days_read_like_drop_add(tmp_path: Path, days: str, expected: set[int]) -> None:
    text = f"drops: [{{guild_id: 1, channel_id: 2, deck: dl, time: '08:00', days: {days}}}]"
    (drop,) = load_config(_write(tmp_path, text), env={}).drops
    assert drop.weekdays == frozenset(expected)


def test_config_times_accept_a_dot_like_drop_add(tmp_path: Path) -> None:
    text = 'day_starts_at: "5.30"\ndrops: [{guild_id: 1, channel_id: 2, deck: dl, time: "8.00"}]'
    config = load_config(_write(tmp_path, text), env={})
    assert config.day_starts_at == time(5, 30)
    assert config.drops[0].local_time == time(8, 0)


def test_config_empty_sections_give_defaults(tmp_path: Path) -> None:
    text = "database:\ndecks: {}\nquiz:\nscheduling: {}\ndiscord:\ndrops:\n"
    config = load_config(_write(tmp_path, text), env={})
    assert config == Config(source=config.source)


def test_config_env_overrides_without_a_discord_section(tmp_path: Path) -> None:
    env = {"DISCORD_API_BASE": "http://127.0.0.1:9/api/v10/", "DISCORD_GATEWAY_URL": ""}
    config = load_config(_write(tmp_path, "timezone: UTC"), env=env)
    assert config.discord.api_base == "http://127.0.0.1:9/api/v10"
    assert config.discord.gateway_url is None


def test_config_drop_fields_and_source(tmp_path: Path) -> None:
    text = (
        "drops: [{guild_id: 1, channel_id: 2, decks: [a, b], time: '23:59', cards: 10,"
        " thread: true, role_id: null}]"
    )
    (drop,) = load_config(_write(tmp_path, text), env={}).drops
    assert drop.deck_ids == ("a", "b") and drop.cards == 10 and drop.thread
    assert drop.role_id is None and drop.weekdays == frozenset(range(1, 8))
    assert drop.source is DropSource.CONFIG and drop.id is None and drop.created_at is None


def test_config_reads_every_scheduling_setting(tmp_path: Path) -> None:
    values = {
        "desired_retention": 0.8,
        "maximum_interval_days": 30,
        "new_cards_per_day": 0,
        "fuzzing": False,
        "active_member_days": 7,
        "recent_post_days": 0,
    }
    assert set(values) == {f.name for f in fields(SchedulingSettings)}
    config = load_config(_write(tmp_path, yaml.safe_dump({"scheduling": values})), env={})
    assert config.scheduling == SchedulingSettings(**values)  # type: ignore[arg-type]


def test_config_deck_manager_role_and_guild_card_limit(tmp_path: Path) -> None:
    text = "deck_manager_role: Deck editors\nmax_cards_per_guild: 500"
    config = load_config(_write(tmp_path, text), env={})
    assert (config.deck_manager_role, config.max_cards_per_guild) == ("Deck editors", 500)
    default = build_config({}, {})
    assert (default.deck_manager_role, default.max_cards_per_guild) == (None, 20_000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("admin_role: 123456789012345678", "123456789012345678"),
        ("admin_role: '123456789012345678'", "123456789012345678"),
        ("admin_role: Tutors", "Tutors"),
        ("admin_role: null", None),
    ],
)
def test_config_admin_role_is_a_name_or_an_id(
    tmp_path: Path, text: str, expected: str | None
) -> None:
    assert load_config(_write(tmp_path, text), env={}).admin_role == expected


def test_config_admin_role_id_without_quotes_makes_its_members_admins(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "admin_role: 123456789012345678"), env={})
    assert is_admin(
        manage_guild=False,
        role_ids=[123456789012345678],
        role_names=["Tutors"],
        admin_role=config.admin_role,
    )


@pytest.mark.parametrize("emoji", ["🔍", "❤️", "1️⃣", "🏳️‍🌈", "<:peek:123456789012345678>"])
def test_config_reveal_emoji_accepts_unicode_and_custom_emoji(tmp_path: Path, emoji: str) -> None:
    config = load_config(_write(tmp_path, f"quiz: {{reveal_emoji: '{emoji}'}}"), env={})
    assert config.quiz.reveal_emoji == emoji


def test_config_reads_every_quiz_setting(tmp_path: Path) -> None:
    values = {"reveal_emoji": "🔍", "spoiler_answers": False, "auto_reveal_after_minutes": 0}
    assert set(values) == {f.name for f in fields(QuizSettings)}
    config = load_config(_write(tmp_path, yaml.safe_dump({"quiz": values})), env={})
    assert config.quiz == QuizSettings(**values)  # type: ignore[arg-type]

"""Secrets: the bot token never appears in a log line or in a file the bot writes.

tests/e2e/test_process.py checks the DEBUG output of a normal run. Here the token (a value
unlike anything else, so a hit is a leak) is looked for after every way a run can end badly:
Discord rejecting it (401), no server to talk to, a config error (including the ones an admin
makes by pasting the token into config.yaml or the wrong variable), and SIGKILL in the middle
of work; and after a full run, in everything the run left under ``tmp_path``: the database with
its write-ahead log, the heartbeat, a backup and the CSV exports.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.reliability.procbot import RECONCILED, wait_for_count
from tests.support.bot_fixture import EYES, RATE, bot_env, write_setup
from tests.support.fakediscord import FakeDiscord
from tests.support.process import BotProcess, closed_port, new_token, spawn


def files_under(root: Path) -> dict[Path, int]:
    """Every file under ``root`` with its modification time (ns)."""
    return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def written_since(root: Path, before: dict[Path, int]) -> list[Path]:
    """The files created or changed under ``root`` since ``before`` was taken."""
    return [p for p, mtime in files_under(root).items() if before.get(p) != mtime]


def leaks(token: str, outputs: list[str], files: list[Path]) -> list[str]:
    """Where the token shows up: in an output, or in a file's bytes."""
    found = [f"output #{n}" for n, text in enumerate(outputs) if token in text]
    needle = token.encode()
    found += [str(path) for path in files if needle in path.read_bytes()]
    return found


async def run_to_exit(tmp_path: Path, env: dict[str, str], *args: str) -> BotProcess:
    bot = await spawn(tmp_path, env, *args)
    await bot.wait(timeout=30.0)
    return bot


async def test_secrets_wrong_token_401_is_not_logged(
    token_server: FakeDiscord, tmp_path: Path, processes: list[BotProcess]
) -> None:
    server = token_server
    write_setup(tmp_path, log_level="DEBUG")
    before = files_under(tmp_path)
    wrong = new_token()
    bot = await spawn(tmp_path, bot_env(server, wrong), "run")
    processes.append(bot)

    assert await bot.wait(timeout=30.0) == 1, bot.output

    assert server.requests_to("GET /users/@me")[-1].status == 401
    assert " DEBUG " in bot.output
    assert leaks(wrong, [bot.output], written_since(tmp_path, before)) == []


async def test_secrets_unreachable_server_is_not_logged(
    tmp_path: Path, processes: list[BotProcess]
) -> None:
    port = closed_port()
    write_setup(
        tmp_path,
        log_level="DEBUG",
        extra=f"discord:\n  api_base: http://127.0.0.1:{port}/api/v10\n"
        f"  gateway_url: ws://127.0.0.1:{port}/gateway\n",
    )
    before = files_under(tmp_path)
    token = new_token()
    bot = await spawn(tmp_path, bot_env(None, token), "run")
    processes.append(bot)

    assert await bot.wait(timeout=30.0) == 1, bot.output

    assert "cannot connect to Discord" in bot.output
    assert leaks(token, [bot.output], written_since(tmp_path, before)) == []


# How admins get the token into a config error: config.yaml holding it (as a setting, as a
# whole file, as another setting's value) or an environment variable mixed up with another.
CONFIG_MISTAKES = {
    "token-setting": ("discord:\n  token: {token}\n", {}),
    "token-as-the-file": ("{token}\n", {}),
    "token-as-a-url": ("discord:\n  api_base: {token}\n", {}),
    "token-as-log-level": ("log_level: {token}\n", {}),
    "token-in-url-variable": ("", {"DISCORD_API_BASE": "{token}"}),
}


@pytest.mark.parametrize(("config", "env_extra"), CONFIG_MISTAKES.values(), ids=CONFIG_MISTAKES)
async def test_secrets_config_error_does_not_echo_the_token(
    tmp_path: Path, processes: list[BotProcess], config: str, env_extra: dict[str, str]
) -> None:
    token = new_token()
    (tmp_path / "config.yaml").write_text(config.format(token=token), encoding="utf-8")
    env = bot_env(None, token)
    env.update({name: value.format(token=token) for name, value in env_extra.items()})
    before = files_under(tmp_path)

    bot = await run_to_exit(tmp_path, env, "run")
    processes.append(bot)

    assert bot.process.returncode == 2, bot.output
    [line] = bot.output.splitlines()
    assert line.startswith("error: ") and ("config.yaml" in line or "DISCORD_API_BASE" in line)
    assert leaks(token, [bot.output], written_since(tmp_path, before)) == []


async def work(server: FakeDiscord, bot: BotProcess) -> None:
    """A member posts a card, reveals it and rates it, so the bot writes to its database."""
    [channel] = [c for c in server.channels.values() if c.name == "flashcards"]
    [alice] = [
        m for g in server.guilds.values() for m in g.members.values() if m.user.name == "alice"
    ]
    await bot.wait_for_line(RECONCILED)
    record = server.invoke_command(alice, channel, "quiz", {"deck": "capitals"})
    await record
    await record.followup(1, timeout=10.0)
    card = [m for m in server.channel_messages(channel) if m.author_id == server.bot.id][-1]
    server.react(alice, card, EYES)
    await server.wait_for(lambda: server.bot.id in card.reactions.get(RATE[5], {}), timeout=10.0)
    server.react(alice, card, RATE[4])


async def test_secrets_killed_mid_work_leaves_no_token_anywhere(
    token_server: FakeDiscord, tmp_path: Path, processes: list[BotProcess]
) -> None:
    server = token_server
    database = write_setup(tmp_path, log_level="DEBUG")
    before = files_under(tmp_path)
    bot = await spawn(tmp_path, bot_env(server, server.token), "run")
    processes.append(bot)
    await work(server, bot)
    await wait_for_count(database, lambda n: n >= 1, "alice's rating", process=bot)

    bot.kill()
    assert await bot.wait() == -signal.SIGKILL

    written = written_since(tmp_path, before)
    assert database in written and database.with_name(database.name + "-wal") in written
    assert leaks(server.token, [bot.output], written) == []


async def test_secrets_full_run_leaves_no_token_in_logs_or_files(
    token_server: FakeDiscord, tmp_path: Path, processes: list[BotProcess]
) -> None:
    server = token_server
    database = write_setup(tmp_path, log_level="DEBUG")
    before = files_under(tmp_path)
    env = bot_env(server, server.token)
    bot = await spawn(tmp_path, env, "run")
    processes.append(bot)
    await work(server, bot)
    await wait_for_count(database, lambda n: n >= 1, "alice's rating", process=bot)
    heartbeat = database.with_name(database.name + ".heartbeat")
    await bot.wait_for_output(lambda _: heartbeat.exists(), "the heartbeat")

    tools = [
        await run_to_exit(tmp_path, env, "healthcheck"),
        await run_to_exit(tmp_path, env, "backup", "backups/flashdrop-copy.sqlite3"),
        await run_to_exit(tmp_path, env, "export-ratings"),
        await run_to_exit(tmp_path, env, "export-schedule"),
    ]
    assert [t.process.returncode for t in tools] == [0, 0, 0, 0], [t.output for t in tools]
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "ratings.csv").write_bytes(tools[2].stdout)
    (exports / "schedule.csv").write_bytes(tools[3].stdout)
    assert len(tools[2].stdout.splitlines()) == 2  # the header and alice's rating
    bot.process.send_signal(signal.SIGTERM)
    assert await bot.wait() == 0, bot.output

    written = written_since(tmp_path, before)
    assert {database, heartbeat, tmp_path / "backups" / "flashdrop-copy.sqlite3"} <= set(written)
    outputs = [bot.output, *(t.output for t in tools)]
    assert leaks(server.token, outputs, written) == []

"""End to end: `python -m bot run` as a real process against the loopback Discord.

The process is configured the way an admin does it: a config.yaml in its working directory
(database and decks in ``tmp_path``), the server's address in DISCORD_API_BASE /
DISCORD_GATEWAY_URL and the token in DISCORD_TOKEN. The tests watch what the server receives,
the heartbeat file the Docker healthcheck reads, the exit code and the log.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.bot_fixture import bot_env, write_setup
from tests.support.fakediscord import FakeDiscord, Intent
from tests.support.process import STARTUP_TIMEOUT, SYNC, BotProcess, closed_port, spawn


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if " ERROR " in line or "Traceback" in line]


async def wait_until(
    condition: Callable[[], bool],
    what: str,
    process: BotProcess,
    timeout: float = STARTUP_TIMEOUT,  # noqa: ASYNC109 - a deadline
) -> None:
    """Poll a condition outside this process (a file the bot writes); fail early if it exits.

    The one place these tests poll: another process's file system writes send no event.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if process.process.returncode is not None:
            pytest.fail(
                f"the bot exited ({process.process.returncode}) before {what}:\n{process.output}"
            )
        if loop.time() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{process.output}")
        await asyncio.sleep(0.02)


async def test_process_runs_heartbeats_and_stops_cleanly_on_sigterm(
    token_server: FakeDiscord, tmp_path: Path, processes: list[BotProcess]
) -> None:
    server = token_server
    database = write_setup(tmp_path, log_level="DEBUG")
    env = bot_env(server, server.token)
    bot = await spawn(tmp_path, env, "run")
    processes.append(bot)

    await server.wait_for(lambda: server.identify_payloads, timeout=STARTUP_TIMEOUT)
    await server.wait_for(SYNC, timeout=STARTUP_TIMEOUT)
    assert server.identified_intents == [Intent.GUILDS | Intent.GUILD_MESSAGE_REACTIONS]
    assert {"quiz", "review", "due", "timezone", "deck"} <= {
        c.name for c in server.global_commands()
    }
    heartbeat = database.with_name(database.name + ".heartbeat")
    await wait_until(heartbeat.exists, "the heartbeat file", bot)

    check = await spawn(tmp_path, env, "healthcheck")
    assert await check.wait(timeout=STARTUP_TIMEOUT) == 0, check.output
    assert "healthy" in check.output

    bot.process.send_signal(signal.SIGTERM)
    code = await bot.wait()

    assert code == 0, bot.output
    assert "stopped cleanly" in bot.output
    assert error_lines(bot.output) == []
    assert server.token not in bot.output
    assert " DEBUG " in bot.output  # the check above ran against the most talkative log
    # The storage was closed: SQLite folds the write-ahead log back in when the last
    # connection closes properly.
    assert database.exists() and not database.with_name(database.name + "-wal").exists()


async def test_process_sigint_stops_cleanly_too(
    token_server: FakeDiscord, tmp_path: Path, processes: list[BotProcess]
) -> None:
    server = token_server
    write_setup(tmp_path, log_level="INFO")
    bot = await spawn(tmp_path, bot_env(server, server.token), "run")
    processes.append(bot)
    await server.wait_for(SYNC, timeout=STARTUP_TIMEOUT)
    await server.wait_for(lambda: server.live_sessions, timeout=STARTUP_TIMEOUT)

    bot.process.send_signal(signal.SIGINT)

    assert await bot.wait() == 0, bot.output
    assert "stopped cleanly" in bot.output and "Traceback" not in bot.output


async def test_process_with_wrong_token_exits_1_with_one_clear_line(
    token_server: FakeDiscord, tmp_path: Path, processes: list[BotProcess]
) -> None:
    server = token_server
    write_setup(tmp_path, log_level="DEBUG")
    wrong = f"wrong-{secrets.token_urlsafe(24)}"
    bot = await spawn(tmp_path, bot_env(server, wrong), "run")
    processes.append(bot)

    code = await bot.wait(timeout=STARTUP_TIMEOUT)

    assert code == 1, bot.output
    [error] = error_lines(bot.output)
    assert "rejected the bot token" in error
    assert wrong not in bot.output
    assert server.requests_to("GET /users/@me")[-1].status == 401
    assert server.identify_payloads == []


async def test_process_with_unreachable_server_exits_1_with_one_clear_line(
    tmp_path: Path, processes: list[BotProcess]
) -> None:
    port = closed_port()
    write_setup(
        tmp_path,
        log_level="INFO",
        extra=f"discord:\n  api_base: http://127.0.0.1:{port}/api/v10\n"
        f"  gateway_url: ws://127.0.0.1:{port}/gateway\n",
    )
    bot = await spawn(tmp_path, bot_env(None, "some-token"), "run")
    processes.append(bot)

    code = await bot.wait(timeout=STARTUP_TIMEOUT)

    assert code == 1, bot.output
    [error] = error_lines(bot.output)
    assert f"cannot connect to Discord at http://127.0.0.1:{port}/api/v10" in error


async def test_process_reads_the_server_address_from_config_yaml(
    token_server: FakeDiscord, tmp_path: Path, processes: list[BotProcess]
) -> None:
    server = token_server
    write_setup(
        tmp_path,
        log_level="INFO",
        extra=f"discord:\n  api_base: {server.api_base}\n  gateway_url: {server.gateway_url}\n",
    )
    bot = await spawn(tmp_path, bot_env(None, server.token), "run")
    processes.append(bot)

    await server.wait_for(lambda: server.live_sessions, timeout=STARTUP_TIMEOUT)
    bot.process.send_signal(signal.SIGTERM)

    assert await bot.wait() == 0, bot.output
    assert server.identified_intents == [Intent.GUILDS | Intent.GUILD_MESSAGE_REACTIONS]

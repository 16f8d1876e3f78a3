"""The runner's connection loop: an unexpected failure reconnects, a fatal one ends the bot."""

from __future__ import annotations

import logging

import discord
import pytest

from bot.runner import keep_connected


class ScriptedClient:
    """Stands in for discord.Client's login/connect/is_closed: each connect() runs the next
    step of a script (raise an exception, or close the client as a SIGTERM would)."""

    def __init__(self, *steps: BaseException | None) -> None:
        self.steps = list(steps)
        self.connects = 0
        self.closed = False

    async def login(self, token: str) -> None:
        assert token == "t"

    async def connect(self, *, reconnect: bool = True) -> None:
        self.connects += 1
        step = self.steps.pop(0)
        if step is None:
            self.closed = True
            return
        raise step

    def is_closed(self) -> bool:
        return self.closed


async def test_keep_connected_reconnects_after_an_unexpected_error_and_logs_its_type(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = ScriptedClient(KeyError("me"), TypeError("roles"), None)

    with caplog.at_level(logging.ERROR):
        await keep_connected(client, "t", backoff=(0.0,))  # type: ignore[arg-type]

    assert client.connects == 3
    assert "KeyError" in caplog.text and "TypeError" in caplog.text


@pytest.mark.parametrize(
    "fatal", [discord.LoginFailure("bad token"), discord.PrivilegedIntentsRequired(None)]
)
async def test_keep_connected_gives_up_on_what_no_reconnect_mends(fatal: Exception) -> None:
    client = ScriptedClient(fatal)

    with pytest.raises(type(fatal)):
        await keep_connected(client, "t", backoff=(0.0,))  # type: ignore[arg-type]
    assert client.connects == 1

"""answer_privately: one ephemeral answer, first or follow-up, that never raises on Discord."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any, cast

import discord
import pytest

from bot.infra.interactions import answer_privately


class FakeInteraction:
    """What answer_privately touches of a discord.Interaction: its response and followup."""

    def __init__(self, *, done: bool, fails: bool = False) -> None:
        self.id = 42
        self.sent: list[tuple[str, str, bool]] = []
        self._done, self._fails = done, fails
        self.response = SimpleNamespace(is_done=lambda: self._done, send_message=self._response)
        self.followup = SimpleNamespace(send=self._followup)

    async def _response(self, text: str, *, ephemeral: bool) -> None:
        self._send("response", text, ephemeral)

    async def _followup(self, text: str, *, ephemeral: bool) -> None:
        self._send("followup", text, ephemeral)

    def _send(self, how: str, text: str, ephemeral: bool) -> None:
        if self._fails:
            raise discord.NotFound(cast(Any, SimpleNamespace(status=404, reason="x")), "gone")
        self.sent.append((how, text, ephemeral))


@pytest.mark.parametrize(("done", "how"), [(False, "response"), (True, "followup")])
async def test_answer_privately_is_the_first_response_or_a_followup(done: bool, how: str) -> None:
    interaction = FakeInteraction(done=done)
    await answer_privately(cast(discord.Interaction, interaction), "hello")
    assert interaction.sent == [(how, "hello", True)]


async def test_answer_privately_logs_a_refused_answer(caplog: pytest.LogCaptureFixture) -> None:
    interaction = FakeInteraction(done=False, fails=True)
    with caplog.at_level(logging.WARNING, logger="bot.infra.interactions"):
        await answer_privately(cast(discord.Interaction, interaction), "hello")
    assert [r.getMessage() for r in caplog.records] == ["could not answer interaction 42: hello"]

"""What counts as the secret to hide: token-shaped text, and the token when it is long enough.

One rule (bot.config.Redactor) for the log filter and the one-line config errors: the token is
hidden wherever it appears (no word is that long), a token-shaped text where it stands as a
whole, and a value too short to be a bot token (DISCORD_TOKEN=x) is not hidden at all, so it
cannot cut words apart.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import MIN_SECRET_LENGTH, Redactor
from bot.runner import RedactSecrets

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "tok-Qx8vZ2kLmN4pR7sT1uW3yA5bC6dE9fG0hJ"
SHAPED = "MTE4NzY1NDMyMTAxMjM0NTY3OA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.mark.parametrize("short", ["x", "e", "abc", "token", "a" * (MIN_SECRET_LENGTH - 1)])
def test_redactor_leaves_text_alone_for_a_secret_too_short_to_be_a_token(short: str) -> None:
    text = f"discord.api_base: expected a URL starting with http://, got 'token {short}'"
    assert Redactor([short])(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"got '{TOKEN}'", "got '[redacted]'"),
        (f"Authorization: Bot {TOKEN}", "Authorization: Bot [redacted]"),
        (f"{TOKEN}.", "[redacted]."),
        (f"a={TOKEN}&b={TOKEN}", "a=[redacted]&b=[redacted]"),
        (f"got '{SHAPED}'", "got '[redacted]'"),
    ],
)
def test_redactor_hides_the_token_standing_as_a_whole(text: str, expected: str) -> None:
    assert Redactor([TOKEN])(text) == expected


@pytest.mark.parametrize("glued", [f"x{TOKEN}", f"{TOKEN}x", f"%2F{TOKEN}_"])
def test_redactor_hides_the_token_glued_to_other_text(glued: str) -> None:
    assert TOKEN not in Redactor([TOKEN])(f"see {glued} here")


def test_redactor_hides_a_token_shape_without_being_told_the_token() -> None:
    assert Redactor()(f"({SHAPED})") == "([redacted])"
    assert Redactor()("a.b.c and example.com.au") == "a.b.c and example.com.au"


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, message, args, None)


def test_redact_secrets_filter_keeps_words_with_a_short_token() -> None:
    record = _record("expected %s", "a URL")
    RedactSecrets(["x"]).filter(record)
    assert record.getMessage() == "expected a URL"


def test_redact_secrets_filter_hides_a_long_token() -> None:
    record = _record("connecting with %s", TOKEN)
    RedactSecrets([TOKEN]).filter(record)
    assert record.getMessage() == "connecting with [redacted]"


def test_config_error_with_a_short_token_is_not_mangled(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("discord: {api_base: 127.0.0.1}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={**env, "DISCORD_TOKEN": "x", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: config.yaml: discord.api_base: expected a URL starting with http:// or "
        "https://, got '127.0.0.1'"
    )

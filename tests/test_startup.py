"""Start-up mistakes as an admin meets them: `python -m bot run` stops with one line, exit 2.

Each case is a real process (as in tests/test_cli.py) started before any connection, so no
Discord is needed: the mistake is found first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_startup_token_file_dev_zero_is_one_line(tmp_path: Path) -> None:
    result = run("run", cwd=tmp_path, env={"DISCORD_TOKEN_FILE": "/dev/zero"})
    assert one_error_line(result) == (
        "error: DISCORD_TOKEN_FILE: /dev/zero is not a token file (over 4 KiB)"
    )


def test_startup_binary_token_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "token").write_bytes(b"\x89PNG\r\n\x1a\n\xff\x00")
    result = run("run", cwd=tmp_path, env={"DISCORD_TOKEN_FILE": "token"})
    assert (
        one_error_line(result) == "error: DISCORD_TOKEN_FILE: token is not a token file (not text)"
    )

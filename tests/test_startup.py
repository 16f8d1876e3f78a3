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


TOKEN = "tok-startup-checks-are-made-before-any-connection"
DECK = """\
name: Capitals
cards:
- id: dk
  question: What is the capital of Denmark?
  answer: Copenhagen
- id: se
  question: What is the capital of Sweden?
  answer: Stockholm
"""


def setup(root: Path, extra: str = "") -> Path:
    """A config.yaml as an admin writes it, its deck folder with one deck, and a Discord
    address where nothing listens (a start that got past the checks would exit 1)."""
    (root / "decks").mkdir()
    (root / "decks" / "capitals.yaml").write_text(DECK, encoding="utf-8")
    (root / "config.yaml").write_text(
        "database:\n  path: data/flashdrop.sqlite3\n"
        "discord:\n  api_base: http://127.0.0.1:9/api/v10\n  gateway_url: ws://127.0.0.1:9/gw\n"
        + extra,
        encoding="utf-8",
    )
    return root / "data" / "flashdrop.sqlite3"


def test_startup_decks_dir_typo_is_one_line(tmp_path: Path) -> None:
    database = setup(tmp_path, "decks:\n  dir: deks\n")
    result = run("run", cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert one_error_line(result) == (
        f"error: config.yaml: decks.dir: no such folder: deks ({tmp_path / 'deks'})"
    )
    assert not database.exists()  # stopped before the database was touched


def test_startup_decks_dir_naming_a_file_is_one_line(tmp_path: Path) -> None:
    setup(tmp_path, "decks:\n  dir: decks/capitals.yaml\n")
    result = run("run", cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert one_error_line(result) == (
        "error: config.yaml: decks.dir: not a folder: decks/capitals.yaml "
        f"({tmp_path / 'decks' / 'capitals.yaml'})"
    )

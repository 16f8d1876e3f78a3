"""Start-up mistakes as an admin meets them: `python -m bot run` stops with one line, exit 2.

Each case is a real process (as in tests/test_cli.py) started before any connection, so no
Discord is needed: the mistake is found first.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import ConfigError, build_config
from bot.startup import check_database_path

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


def test_startup_database_path_naming_a_folder_is_one_line(tmp_path: Path) -> None:
    database = setup(tmp_path)
    database.mkdir(parents=True)
    result = run("run", cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert one_error_line(result) == (
        f"error: config.yaml: database.path: data/flashdrop.sqlite3 ({database}): "
        "is a folder, not a database file"
    )


def test_startup_database_path_under_a_file_is_one_line(tmp_path: Path) -> None:
    setup(tmp_path)
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    result = run("run", cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert one_error_line(result) == (
        f"error: config.yaml: database.path: data/flashdrop.sqlite3 ({tmp_path / 'data'}"
        f"/flashdrop.sqlite3): {tmp_path / 'data'} is a file, not a folder"
    )


def test_startup_database_path_naming_another_file_is_one_line(tmp_path: Path) -> None:
    database = setup(tmp_path)
    database.parent.mkdir()
    database.write_text("name,score\nalice,3\n", encoding="utf-8")
    result = run("run", cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert one_error_line(result).endswith(f"({database}): is not a SQLite database file")
    assert database.read_text(encoding="utf-8") == "name,score\nalice,3\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any folder, whatever its mode")
def test_check_database_path_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o500)
    with pytest.raises(ConfigError, match=r"cannot write in the folder .*data \(Permission"):
        check_database_path(build_config({"database": {"path": str(folder / "x.db")}}, {}))


@contextlib.contextmanager
def effective_user(uid: int) -> Iterator[None]:
    """Act as `uid` (effective id only; the real id stays root, so the switch back works)."""
    os.seteuid(uid)
    try:
        yield
    finally:
        os.seteuid(0)


NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
@pytest.mark.parametrize("existing", [False, True])
def test_check_database_path_as_a_user_who_may_not_write(existing: bool) -> None:
    # The uid-10001 container on a root-owned bind mount: the folder is readable, not writable.
    root = Path(tempfile.mkdtemp())
    try:
        root.chmod(0o755)
        folder = root / "data"
        folder.mkdir(mode=0o555)
        database = folder / "flashdrop.sqlite3"
        if existing:
            folder.chmod(0o755)
            database.write_bytes(b"")
            database.chmod(0o644)
            folder.chmod(0o555)
        config = build_config({"database": {"path": str(database)}}, {})
        with effective_user(NOBODY), pytest.raises(ConfigError) as info:
            check_database_path(config)
        assert str(info.value) == (
            f"database.path: {database}: cannot write in the folder {folder} (Permission denied)"
        )
        check_database_path(config)  # as root, the same folder is fine
    finally:
        (root / "data").chmod(0o755)
        shutil.rmtree(root)

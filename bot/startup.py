"""Start-up checks of the folders and files the config names, before anything is opened.

A mistake here would otherwise surface later and worse: a typo in `decks.dir` ran a bot with
no deck at all, an unwritable data folder ended in a traceback from SQLite. Each check raises
ConfigError with one line naming the setting, the path and the cause.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from bot.config import Config, ConfigError

# The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
# Permissions as this process has them (a setuid start would otherwise check the wrong user).
_EFFECTIVE = os.access in os.supports_effective_ids


def check_paths(config: Config) -> None:
    """Raise ConfigError for the first folder or file of `config` the bot cannot use."""
    check_decks_dir(config)
    check_database_path(config)


def check_database_path(config: Config) -> None:
    """The database can be opened for writing: the path is a SQLite file or nothing yet, and
    its folder exists (it is created if missing) and may be written in, since SQLite keeps
    its write-ahead log and lock files next to the database.

    Without this, SQLite's "unable to open database file" or a PermissionError would end the
    start in a traceback, which is exactly the Docker case of a root-owned bind mount.
    """
    path = config.database_path

    def refuse(cause: str) -> ConfigError:
        return ConfigError(f"{_setting(config, 'database.path')}: {_shown(path)}: {cause}")

    if path.is_dir():
        raise refuse("is a folder, not a database file")
    folder = path.parent
    for above in (folder, *folder.parents):
        if above.exists() and not above.is_dir():
            raise refuse(f"{_absolute(above)} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise refuse(f"cannot create the folder {_absolute(folder)} ({exc.strerror})") from None
    problem = _not_writable(folder, os.W_OK | os.X_OK)
    if problem:
        raise refuse(f"cannot write in the folder {_absolute(folder)} ({problem})")
    if not path.exists():
        return
    problem = _not_writable(path, os.R_OK | os.W_OK)
    if problem:
        raise refuse(f"cannot read and write the file ({problem})")
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise refuse(f"cannot read the file ({exc.strerror})") from None
    # An empty file is a database not written yet; anything else must be one already.
    if header and header != SQLITE_HEADER:
        raise refuse("is not a SQLite database file")


def check_decks_dir(config: Config) -> None:
    """The deck folder exists: started without it, the bot would run with no deck at all."""
    path = config.decks_dir
    if not path.is_dir():
        what = "not a folder" if path.exists() else "no such folder"
        raise ConfigError(f"{_setting(config, 'decks.dir')}: {what}: {_shown(path)}")


def _not_writable(path: Path, mode: int) -> str | None:
    """Why this process may not use `path` in `mode`, as the OS words it; None if it may."""
    if os.access(path, mode, effective_ids=_EFFECTIVE):
        return None
    try:
        read_only = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    return os.strerror(errno.EROFS if read_only else errno.EACCES)


def _setting(config: Config, key: str) -> str:
    """How a start-up error names a setting: with its config file, as load_config does."""
    return f"{config.source}: {key}" if config.source is not None else key


def _shown(path: Path) -> str:
    # A relative path is read from the working directory, which the admin may not expect.
    return str(path) if path.is_absolute() else f"{path} ({_absolute(path)})"


def _absolute(path: Path) -> Path:
    return path if path.is_absolute() else Path.cwd() / path

"""Start-up checks of the folders and files the config names, before anything is opened.

A mistake here would otherwise surface later and worse: a typo in `decks.dir` ran a bot with
no deck at all. Each check raises ConfigError with one line naming the setting and the path.
"""

from __future__ import annotations

from pathlib import Path

from bot.config import Config, ConfigError


def check_paths(config: Config) -> None:
    """Raise ConfigError for the first folder or file of `config` the bot cannot use."""
    check_decks_dir(config)


def check_decks_dir(config: Config) -> None:
    """The deck folder exists: started without it, the bot would run with no deck at all."""
    path = config.decks_dir
    if not path.is_dir():
        what = "not a folder" if path.exists() else "no such folder"
        raise ConfigError(f"{_setting(config, 'decks.dir')}: {what}: {_shown(path)}")


def _setting(config: Config, key: str) -> str:
    """How a start-up error names a setting: with its config file, as load_config does."""
    return f"{config.source}: {key}" if config.source is not None else key


def _shown(path: Path) -> str:
    # A relative path is read from the working directory, which the admin may not expect.
    return str(path) if path.is_absolute() else f"{path} ({Path.cwd() / path})"

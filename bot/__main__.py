"""Command line: parse arguments, load config, set up logging, then hand over. Wiring only."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot import __version__
from bot.config import Config, ConfigError, load_config, redact

log = logging.getLogger("bot")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, with its complaints worded like every other error line: `error: …`."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m bot", description="Flashdrop: flashcards for Discord study groups."
    )
    parser.add_argument("--version", action="version", version=f"flashdrop {__version__}")
    config_help = "config file (default: config.yaml)"
    parser.add_argument("--config", type=Path, default=None, help=config_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        # Also after the command. SUPPRESS: a command line without it there must not reset
        # a --config given before the command to the default.
        cmd.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)
        return cmd

    command("run", "connect to Discord and run the bot")

    imp = command(
        "import", "convert a Brainscape, CSV or TSV export or an Anki package into a deck YAML"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--format",
        choices=("auto", "brainscape", "csv", "tsv", "apkg"),
        default="auto",
        help="the export's format (default: detected); apkg reads .apkg and .colpkg",
    )
    imp.add_argument("--out", type=Path, help="write the deck here (default: stdout)")
    imp.add_argument("--name", help="deck name (default: from the export's title or file name)")
    imp.add_argument(
        "--force",
        action="store_true",
        help="replace the --out deck if it exists; its cards that match the export keep their ids",
    )
    imp.add_argument(
        "--split-subdecks",
        action="store_true",
        help="an Anki package: one deck per sub-deck (A::B), written into --out-dir",
    )
    imp.add_argument("--out-dir", type=Path, help="the folder for --split-subdecks' decks")

    chk = command("check-decks", "validate deck files; exit 1 if any is invalid")
    chk.add_argument("paths", nargs="*", type=Path, help="files or folders (default: decks dir)")

    health = command("healthcheck", "exit 0 if the database opens and the bot's heartbeat is fresh")
    health.add_argument("--max-age", type=int, default=120, help="seconds (default 120)")

    for name, what in (("export-ratings", "ratings"), ("export-schedule", "schedules")):
        exp = command(name, f"write every member's effective {what} as CSV on stdout")
        exp.add_argument("--guild", type=int, help="only this guild id")

    backup = command("backup", "write a consistent copy of the database while the bot runs")
    backup.add_argument("path", type=Path)
    return parser


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return _config_error(exc)
    _setup_logging(config.log_level)
    handler = _COMMANDS[args.command]
    try:
        return handler(config, args)
    except ConfigError as exc:
        return _config_error(exc)
    except KeyboardInterrupt:
        return EXIT_FAILED


def _config_error(exc: ConfigError) -> int:
    """One line on stderr. The value it quotes may be the token pasted into the wrong place
    (config.yaml, another variable): the token is never echoed, logging or not. Anything
    shaped like a bot token is hidden, and so is the environment's token (see config.Redactor)."""
    print(f"error: {redact(str(exc))}", file=sys.stderr)
    return EXIT_USAGE


def _run(config: Config, args: argparse.Namespace) -> int:
    from bot.runner import run_bot

    return run_bot(config)


def _import(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import EXIT_USAGE, import_deck, import_subdecks

    if args.split_subdecks != (args.out_dir is not None) or (args.split_subdecks and args.out):
        print("error: --split-subdecks writes into --out-dir (and not --out)", file=sys.stderr)
        return EXIT_USAGE
    if args.split_subdecks:
        return import_subdecks(args.file, args.format, args.out_dir, args.name, force=args.force)
    return import_deck(args.file, args.format, args.out, args.name, force=args.force)


def _check_decks(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import check_decks
    from bot.startup import check_decks_dir

    if not args.paths:
        check_decks_dir(config)  # the configured folder: missing is a config error, as for run
    return check_decks(args.paths or [config.decks_dir])


def _healthcheck(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import healthcheck

    return healthcheck(config, args.max_age)


def _export_ratings(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import export_csv

    return export_csv(config, "ratings", args.guild)


def _export_schedule(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import export_csv

    return export_csv(config, "schedule", args.guild)


def _backup(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import backup

    return backup(config, args.path)


_COMMANDS = {
    "run": _run,
    "import": _import,
    "check-decks": _check_decks,
    "healthcheck": _healthcheck,
    "export-ratings": _export_ratings,
    "export-schedule": _export_schedule,
    "backup": _backup,
}


if __name__ == "__main__":
    sys.exit(main())

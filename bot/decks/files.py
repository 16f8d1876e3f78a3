"""Reading deck and export files: a size cap checked before reading, and strict UTF-8."""

from __future__ import annotations

import codecs
import os
from typing import Final

from bot.decks.errors import DeckError

# A generous deck is a few hundred KiB; the cap keeps a hostile or mistaken file (a video
# renamed .yaml) from being read into memory and parsed for minutes.
MAX_FILE_BYTES: Final = 1024 * 1024


def read_limited(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a whole file, refusing it (DeckError) if it is over `limit` bytes or unreadable."""
    shown = str(path)
    try:
        with open(path, "rb") as file:
            # Read one byte past the limit rather than trusting stat: pipes and /proc lie.
            data = file.read(limit + 1)
    except OSError as error:
        raise DeckError.single(shown, None, f"cannot read: {error.strerror or error}") from error
    if len(data) > limit:
        raise DeckError.single(shown, None, too_large_message(limit))
    return data


def too_large_message(limit: int = MAX_FILE_BYTES) -> str:
    return f"file is larger than {limit // 1024} KiB; split it into smaller decks"


def decode(data: bytes, path: str) -> str:
    """Decode UTF-8 (with or without a BOM); DeckError naming the line of the first bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # CR LF, CR and LF each end a line, as in editors and in the YAML parser's counting.
        before = data[: error.start]
        line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
        byte = data[error.start]
        message = f"not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8"
        raise DeckError.single(path, line, message) from error

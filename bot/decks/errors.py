"""The error type of the deck layer: every problem found in one file, each with its line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

# Messages quote the user's values; a 1 MiB key or URL must not become a 1 MiB message.
MAX_SHOWN_CHARS: Final = 60

# Every character that would break `path:line: message` over lines or garble a terminal, as
# escapes: C0 and C1 controls, the Unicode line and paragraph separators, and lone surrogates
# (a file name that is not UTF-8), which no encoder will write and so would crash a print().
_ONE_LINE: Final = {
    code: ascii(chr(code))[1:-1]
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0xD800, 0xE000))
}


def shown(value: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """A value quoted for a message: escaped like repr, cut short with "…" past `limit`."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file. `line` is 1-based; None when the whole file is at fault."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        # Always exactly one line, whatever a file name or message holds, so each output line
        # of check-decks is one problem that editors and CI annotations can jump to.
        path, message = self.path.translate(_ONE_LINE), self.message.translate(_ONE_LINE)
        if self.line is None:
            return f"{path}: {message}"
        return f"{path}:{self.line}: {message}"


class DeckError(Exception):
    """A deck file (or import) that cannot be used, with every problem found in it at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("DeckError needs at least one problem")
        super().__init__(self.problems)

    @classmethod
    def single(cls, path: str, line: int | None, message: str) -> DeckError:
        return cls([Problem(path, line, message)])

    @property
    def path(self) -> str:
        return self.problems[0].path

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

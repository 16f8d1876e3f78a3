"""The error type of the deck layer: every problem found in one file, each with its line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file. `line` is 1-based; None when the whole file is at fault."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


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

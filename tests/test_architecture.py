"""Each concern keeps its one home, checked on the source with ``ast``:

- only ``bot/storage`` imports sqlite3 or aiosqlite: SQL, and the driver's errors, live there
  (and the Anki package reader's collection module, which reads a foreign file format);
- nothing imports Anki's own ``anki`` or ``aqt`` (AGPL-3.0; Flashdrop is MIT): tests may;
- no cog imports another cog: a cog is a module of ``bot/cogs`` that defines a ``Cog`` or an
  extension ``setup`` (a cog that is a package may import its own modules); what cogs share
  lives in modules that are no cog, such as shared helpers beside them
  (``bot/cogs/__init__.py`` is no cog either);
- only the clock module, ``bot/infra/clock.py``, reads the clock (``datetime.now``,
  ``utcnow``, ``today``, ``date.today``); everything else is given a ``Clock`` or an instant.

``bot/core``'s own purity (no Discord, I/O or clock at all) is ``tests/core/test_purity.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Set
from functools import cache
from pathlib import Path, PurePosixPath

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
SQL_DRIVERS = {"sqlite3", "aiosqlite"}
STORAGE = "storage"
# An Anki collection is SQLite, but it is a file format read like a zip member, not Flashdrop's
# storage: this one module reads it (read-only, a temporary copy), and nothing else outside
# bot/storage may use sqlite3.
FOREIGN_SQLITE_READERS = {PurePosixPath("decks/importers/anki/collection.py")}
AGPL_PACKAGES = {"anki", "aqt"}
COGS = "cogs"
# The clock's one home.
CLOCK_HOME = PurePosixPath("infra/clock.py")
# (class, method) pairs that read the system clock.
CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
}

Rule = Callable[[PurePosixPath, ast.Module], list[str]]


def _bot_files() -> list[PurePosixPath]:
    """Every module of bot/, relative to bot/ ("cogs/quiz.py")."""
    return sorted(PurePosixPath(p.relative_to(BOT).as_posix()) for p in BOT.rglob("*.py"))


def _parse(rel: PurePosixPath) -> ast.Module:
    path = BOT / rel
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _package(rel: PurePosixPath) -> list[str]:
    """The package a module's relative imports start from, as parts: ["bot", "cogs"]."""
    return ["bot", *rel.parent.parts]


def _imports(rel: PurePosixPath, tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, absolute module) for every import; ``from a import b`` gives both a and a.b,
    since b may be a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package(rel)
                base_parts = package[: len(package) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def sql_imports(rel: PurePosixPath, tree: ast.Module) -> list[str]:
    """Imports of a SQL driver by a module outside bot/storage."""
    if rel.parts[0] == STORAGE or rel in FOREIGN_SQLITE_READERS:
        return []
    found = {
        (line, module.split(".")[0])
        for line, module in _imports(rel, tree)
        if module.split(".")[0] in SQL_DRIVERS
    }
    return [f"bot/{rel}:{line}: imports {driver}" for line, driver in sorted(found)]


def agpl_imports(rel: PurePosixPath, tree: ast.Module) -> list[str]:
    """Imports of Anki's AGPL-licensed packages."""
    found = {
        (line, module.split(".")[0])
        for line, module in _imports(rel, tree)
        if module.split(".")[0] in AGPL_PACKAGES
    }
    return [f"bot/{rel}:{line}: imports {package}" for line, package in sorted(found)]


def _unit(module: str) -> str | None:
    """The unit of bot.cogs a module belongs to ("bot.cogs.quiz.views" -> "quiz")."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["bot", COGS] else None


def _defines_a_cog(tree: ast.Module) -> bool:
    """A ``commands.Cog``/``GroupCog`` subclass, or the ``setup`` of a discord.py extension."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                if name in ("Cog", "GroupCog"):
                    return True
        if isinstance(node, ast.AsyncFunctionDef) and node.name == "setup":
            return True
    return False


@cache
def _cogs() -> frozenset[str]:
    """The units of bot/cogs that are cogs ("quiz" for cogs/quiz.py or cogs/quiz/)."""
    return frozenset(
        rel.parts[1].removesuffix(".py")
        for rel in _bot_files()
        if rel.parts[0] == COGS and len(rel.parts) > 1 and _defines_a_cog(_parse(rel))
    )


def cog_imports(rel: PurePosixPath, tree: ast.Module, cogs: Set[str] | None = None) -> list[str]:
    """Imports by a module of bot/cogs of a cog other than its own."""
    if rel.parts[0] != COGS or rel == PurePosixPath(COGS, "__init__.py"):
        return []  # the package's __init__ is no cog and may name them all
    cogs = _cogs() if cogs is None else cogs
    own = rel.parts[1].removesuffix(".py")
    found = {
        (line, module)
        for line, module in _imports(rel, tree)
        if (unit := _unit(module)) is not None and unit != own and unit in cogs
    }
    # "from bot.cogs.decks import deck_choices" yields bot.cogs.decks and its .deck_choices.
    shortest = {
        (line, module)
        for line, module in found
        if not any(
            line == other_line and module.startswith(other + ".") for other_line, other in found
        )
    }
    return [f"bot/{rel}:{line}: imports {module}" for line, module in sorted(shortest)]


def clock_reads(rel: PurePosixPath, tree: ast.Module) -> list[str]:
    """Calls that read the system clock, outside the clock module."""
    if rel == CLOCK_HOME:
        return []
    # What the names of the datetime module are called here: by default the classes, as after
    # "from datetime import date, datetime"; "import datetime as dt" makes dt the module.
    classes = {"datetime": "datetime", "date": "date"}
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "datetime":
            for alias in node.names:
                if alias.name in ("datetime", "date"):
                    classes[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "datetime":
                    modules.add(alias.asname or alias.name)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        cls = None
        if isinstance(receiver, ast.Name):
            cls = classes.get(receiver.id)
        elif (
            isinstance(receiver, ast.Attribute)
            and isinstance(receiver.value, ast.Name)
            and receiver.value.id in modules
        ):
            cls = receiver.attr
        if (cls, node.func.attr) in CLOCK_READS:
            found.append(f"bot/{rel}:{node.lineno}: calls {cls}.{node.func.attr}()")
    return found


def _everywhere(rule: Rule) -> list[str]:
    return [v for rel in _bot_files() for v in rule(rel, _parse(rel))]


def test_architecture_sees_the_layers() -> None:
    files = _bot_files()
    assert any(f.parts[0] == STORAGE for f in files)
    assert len(_cogs()) > 2
    assert CLOCK_HOME in files


def test_only_storage_imports_sqlite3_or_aiosqlite() -> None:
    violations = _everywhere(sql_imports)
    assert violations == [], "\n".join(violations)


def test_the_anki_reader_exception_names_a_real_module() -> None:
    assert set(_bot_files()) >= FOREIGN_SQLITE_READERS


def test_nothing_imports_anki_or_aqt() -> None:
    violations = _everywhere(agpl_imports)
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize(
    "source",
    [
        "import anki",
        "from anki.collection import Collection",
        "import aqt.qt",
        "from aqt import mw",
    ],
)
def test_agpl_check_catches(source: str) -> None:
    assert _check(agpl_imports, "decks/importers/anki/__init__.py", source)


def test_agpl_check_allows_our_own_anki_reader() -> None:
    source = "from bot.decks.importers.anki import read_package\nimport ankify"
    assert _check(agpl_imports, "cli.py", source) == []


def test_no_cog_imports_another_cog() -> None:
    violations = _everywhere(cog_imports)
    assert violations == [], "\n".join(violations)


def test_only_the_clock_reads_the_clock() -> None:
    violations = _everywhere(clock_reads)
    assert violations == [], "\n".join(violations)


def _check(rule: Rule, rel: str, source: str) -> list[str]:
    return rule(PurePosixPath(rel), ast.parse(source))


@pytest.mark.parametrize(
    "source",
    [
        "import sqlite3",
        "import aiosqlite as db",
        "from sqlite3 import Error",
        "from aiosqlite import connect",
        "def f():\n    import sqlite3",
    ],
)
def test_sql_check_catches(source: str) -> None:
    assert _check(sql_imports, "cli.py", source)
    assert _check(sql_imports, "cogs/quiz.py", source)


def test_sql_check_allows_only_the_anki_collection_reader_outside_storage() -> None:
    assert _check(sql_imports, "decks/importers/anki/collection.py", "import sqlite3") == []
    assert _check(sql_imports, "decks/importers/anki/package.py", "import sqlite3")
    assert _check(sql_imports, "decks/importers/anki/__init__.py", "import sqlite3")


def test_sql_check_allows_storage_and_other_imports() -> None:
    assert _check(sql_imports, "storage/writer.py", "import sqlite3\nimport aiosqlite") == []
    assert _check(sql_imports, "storage/drivers/sqlite.py", "import aiosqlite") == []
    assert _check(sql_imports, "cli.py", "from bot.storage import Storage\nimport sqlparse") == []


COGS_HERE = frozenset({"decks", "quiz"})


@pytest.mark.parametrize(
    ("rel", "source"),
    [
        ("cogs/quiz.py", "from bot.cogs.decks import deck_choices"),
        ("cogs/quiz.py", "import bot.cogs.decks"),
        ("cogs/quiz.py", "from bot.cogs import decks"),
        ("cogs/quiz.py", "from . import decks"),
        ("cogs/quiz.py", "from .decks import deck_choices"),
        ("cogs/quiz.py", "from bot.cogs.decks.views import DeckView"),
        ("cogs/quiz/views.py", "from ..decks import deck_choices"),
        ("cogs/quiz/views.py", "from .. import decks"),
        ("cogs/common.py", "from bot.cogs.decks import Decks"),
    ],
)
def test_cog_check_catches(rel: str, source: str) -> None:
    [violation] = cog_imports(PurePosixPath(rel), ast.parse(source), COGS_HERE)
    assert violation.startswith(f"bot/{rel}:1: imports bot.cogs.decks")


@pytest.mark.parametrize(
    ("rel", "source"),
    [
        ("cogs/quiz/__init__.py", "from .views import QuizView"),
        ("cogs/quiz/views.py", "from bot.cogs.quiz import texts"),
        ("cogs/quiz.py", "from bot.cogs.common import deck_choices"),
        ("cogs/quiz.py", "from . import common"),
        ("cogs/quiz.py", "from bot.core import reactions"),
        ("cogs/__init__.py", "from bot.cogs import quiz"),
        ("app.py", "from bot.cogs.quiz import Quiz"),
    ],
)
def test_cog_check_allows_a_cogs_own_modules_and_shared_helpers(rel: str, source: str) -> None:
    assert cog_imports(PurePosixPath(rel), ast.parse(source), COGS_HERE) == []


@pytest.mark.parametrize(
    ("source", "is_cog"),
    [
        ("class Quiz(commands.Cog):\n    pass", True),
        ("class Drops(commands.GroupCog, group_name='drop'):\n    pass", True),
        ("async def setup(bot):\n    pass", True),
        ("def deck_choices():\n    pass\nclass View(discord.ui.View):\n    pass", False),
    ],
)
def test_cog_check_tells_cogs_from_helpers(source: str, is_cog: bool) -> None:
    assert _defines_a_cog(ast.parse(source)) is is_cog


@pytest.mark.parametrize(
    "source",
    [
        "datetime.now(UTC)",
        "datetime.utcnow()",
        "datetime.today()",
        "date.today()",
        "import datetime\ndatetime.datetime.now(datetime.UTC)",
        "import datetime as dt\ndt.date.today()",
        "from datetime import datetime as DateTime\nDateTime.now(UTC)",
        "def f():\n    return datetime.now(UTC)",
    ],
)
def test_clock_check_catches(source: str) -> None:
    assert _check(clock_reads, "drops.py", source)
    assert _check(clock_reads, "infra/health.py", source)
    assert _check(clock_reads, "clock.py", source)  # the clock's old home is no longer one


def test_clock_check_allows_the_clock_and_given_clocks() -> None:
    assert _check(clock_reads, "infra/clock.py", "datetime.now(UTC)") == []
    given = "self.clock.now()\nclock.now()\nservices.clock.now()\nnow.date()\ntime.monotonic()"
    assert _check(clock_reads, "drops.py", given) == []

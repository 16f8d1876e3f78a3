"""bot/core stays pure: no Discord, database, YAML, file or network I/O, no reading the clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "bot" / "core"
FORBIDDEN_MODULES = {
    "aiohttp",
    "aiosqlite",
    "asyncio",
    "discord",
    "http",
    "io",
    "os",
    "pathlib",
    "requests",
    "shutil",
    "socket",
    "sqlite3",
    "subprocess",
    "tempfile",
    "urllib",
    "yaml",
}
FORBIDDEN_BUILTINS = {"open", "input", "print"}
# datetime.now(), date.today(), time.time() and friends read the clock.
FORBIDDEN_METHODS = {"now", "utcnow", "today", "monotonic", "perf_counter", "time_ns"}
FORBIDDEN_FILE_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes"}


def _core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def _violations(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _forbidden(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and _forbidden(node.module):
            found.append(node.module)
        elif isinstance(node, ast.Call):
            found += _call_violation(node.func)
    return found


def _forbidden(module: str) -> bool:
    return module.split(".")[0] in FORBIDDEN_MODULES


def _call_violation(func: ast.expr) -> list[str]:
    if isinstance(func, ast.Name) and func.id in FORBIDDEN_BUILTINS:
        return [f"{func.id}()"]
    if isinstance(func, ast.Attribute):
        is_clock = func.attr in FORBIDDEN_METHODS
        is_time_time = (
            func.attr == "time" and isinstance(func.value, ast.Name) and func.value.id == "time"
        )
        if is_clock or is_time_time or func.attr in FORBIDDEN_FILE_METHODS:
            return [f".{func.attr}()"]
    return []


def test_core_has_modules() -> None:
    assert len(_core_files()) > 3


@pytest.mark.parametrize("path", _core_files(), ids=lambda path: path.name)
def test_core_module_is_pure(path: Path) -> None:
    assert _violations(ast.parse(path.read_text(), str(path))) == []


@pytest.mark.parametrize(
    "source",
    [
        "import discord",
        "from aiosqlite import connect",
        "import yaml",
        "open('x')",
        "datetime.now(UTC)",
        "datetime.utcnow()",
        "time.time()",
        "Path('x').read_text()",
    ],
)
def test_purity_check_catches(source: str) -> None:
    assert _violations(ast.parse(source))

"""bot/core stays pure: no Discord, database, YAML, file or network I/O, and no clock reads."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "bot" / "core"
FORBIDDEN_MODULES = {
    "discord",
    "aiosqlite",
    "sqlite3",
    "yaml",
    "aiohttp",
    "socket",
    "requests",
    "urllib",
    "http",
    "asyncio",
    "subprocess",
    "os",
    "shutil",
    "pathlib",
    "io",
    "tempfile",
    "time",
}
FORBIDDEN_CALLS = {"open", "print", "input"}
FORBIDDEN_ATTRIBUTES = {
    "now",
    "utcnow",
    "today",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
}


def _core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def _violations(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        found += [
            f"line {node.lineno}: imports {name}"
            for name in names
            if name.split(".")[0] in FORBIDDEN_MODULES
        ]
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                found.append(f"line {node.lineno}: calls {func.id}()")
            if isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_ATTRIBUTES:
                found.append(f"line {node.lineno}: calls .{func.attr}()")
    return found


def test_core_has_modules() -> None:
    assert _core_files(), "bot/core has no modules"


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: p.name)
def test_core_module_is_pure(path: Path) -> None:
    assert _violations(ast.parse(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(
    "source",
    [
        "import discord",
        "from aiosqlite import connect",
        "import yaml",
        "from datetime import datetime\ndatetime.now()",
        "import time\ntime.time()",
        "open('x')",
        "from pathlib import Path",
        "import socket",
    ],
)
def test_core_purity_check_catches(source: str) -> None:
    assert _violations(ast.parse(source))

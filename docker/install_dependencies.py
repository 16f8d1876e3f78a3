"""Install the dependencies pyproject.toml lists, without the package itself.

The Dockerfile runs this in a layer of its own, before it copies bot/, so that editing the
code does not reinstall every dependency. Standard library only (runs before anything else).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path


def main() -> int:
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]
    dependencies = list(project["dependencies"])
    return subprocess.call([sys.executable, "-m", "pip", "install", *sys.argv[1:], *dependencies])


if __name__ == "__main__":
    sys.exit(main())

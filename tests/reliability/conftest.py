"""Fixtures for the reliability tests.

The end-to-end fixtures (a loopback Discord per test, the in-process Flashdrop launcher) are
re-exported from ``tests/e2e/conftest.py``, and those of bots run as processes from
``tests/e2e/process.py``.
"""

from __future__ import annotations

from tests.e2e.conftest import (  # noqa: F401 - fixtures, found by name
    clock,
    discord_endpoints,
    fake_discord,
    flashdrop,
    run_client,
    world,
)
from tests.support.process import processes, token_server  # noqa: F401 - fixtures, found by name

"""Fixtures shared by every test directory.

pytest reads ``pytest_plugins`` from the root conftest only, so the fixture modules of the
support code are declared here rather than re-exported by each directory's conftest:
- ``tests/support/fixtures.py``: a loopback Discord per test, real discord.py clients, the
  fake clock and the in-process Flashdrop launcher;
- ``tests/support/process.py``: bots run as processes of their own, and a server for them.
"""

pytest_plugins = ["tests.support.fixtures", "tests.support.process"]

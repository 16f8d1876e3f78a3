"""Fixtures shared by the deck tests."""

from __future__ import annotations

import pytest

from tests.decks.anki_fixtures import Packages, build


@pytest.fixture(scope="session")
def anki_packages(tmp_path_factory: pytest.TempPathFactory) -> Packages:
    """Packages made by Anki and genanki once per session (about a second)."""
    return build(tmp_path_factory.mktemp("anki"))

"""The decks that ship in decks/ load, and deep-learning.yaml is the seed's Brainscape export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.decks import import_file, load_deck, load_decks
from tests.decks.yamlparsers import composed, needs_libyaml, parsed

ROOT = Path(__file__).resolve().parents[2]
DECKS = ROOT / "decks"
# A copy of the Brainscape export the shipped deep-learning deck was imported from.
SEED = Path(__file__).parent / "data" / "brainscape_deep_learning.txt"
SEED_TITLE = "Kursusgang 9 (Deep learning and transfer learning)"


def squash(text: str) -> str:
    return " ".join(text.split())


def seed_cards_by_hand() -> list[tuple[str, str]]:
    """The seed's (question, answer) pairs, split with plain regexes rather than the importer."""
    raw = SEED.read_text(encoding="utf-8")
    bodies = re.split(r"\n\d+\nQ\n", raw)[1:]
    pairs = []
    for body in bodies:
        question, answer = body.split("\nA\n", 1)
        answer = answer.split("How well did you know this?", 1)[0]
        pairs.append((question.strip(), answer.strip()))
    return pairs


@pytest.mark.parametrize("path", sorted(DECKS.glob("*.yaml")), ids=lambda path: path.name)
def test_shipped_deck_loads(path: Path) -> None:
    deck = load_deck(path)
    assert deck.id == path.stem
    assert deck.cards


@needs_libyaml
@pytest.mark.parametrize("path", sorted(DECKS.glob("*.yaml")), ids=lambda path: path.name)
def test_shipped_deck_is_the_same_with_and_without_libyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert composed(text, libyaml=True) == composed(text, libyaml=False)
    with_libyaml = parsed(text, path, libyaml=True)
    assert with_libyaml == parsed(text, path, libyaml=False)
    assert with_libyaml == load_deck(path)


def test_shipped_decks_all_load_together() -> None:
    result = load_decks(DECKS)
    assert result.errors == []
    assert {"deep-learning", "python-basics"} <= set(result.decks)


def test_shipped_deep_learning_deck_is_the_seed() -> None:
    shipped = load_deck(DECKS / "deep-learning.yaml")
    expected = seed_cards_by_hand()
    assert len(expected) == 17
    assert shipped.name == SEED_TITLE
    assert [(squash(c.question), squash(c.answer)) for c in shipped.cards] == [
        (squash(question), squash(answer)) for question, answer in expected
    ]


def test_shipped_deep_learning_deck_matches_a_fresh_import() -> None:
    shipped = load_deck(DECKS / "deep-learning.yaml")
    imported = import_file(SEED, "brainscape")
    assert imported.name == SEED_TITLE
    assert imported.cards == shipped.cards


def test_brainscape_import_of_seed_keeps_line_structure() -> None:
    imported = import_file(SEED)
    assert len(imported.cards) == 17
    assert [card.question for card in imported.cards] == [q for q, _ in seed_cards_by_hand()]
    assert [card.answer for card in imported.cards] == [a for _, a in seed_cards_by_hand()]

"""anki_ids: an Anki guid as a Flashdrop note id, and the guid a note goes back to Anki with."""

from __future__ import annotations

import pytest

from bot.core.card_types import reverse_id
from bot.decks import rules
from bot.decks.anki_ids import GUID_PREFIX, guid_for, note_id


@pytest.mark.parametrize("guid", ["Ab3$x{Q!~z", "guid-france", "é", "x" * 24, "a/b:c"])
def test_note_id_of_a_short_guid_gives_the_guid_back(guid: str) -> None:
    made = note_id(guid, "bio")
    assert made == "a-" + guid.encode().hex()
    assert guid_for("bio", made) == guid


@pytest.mark.parametrize("guid", ["Ab3$x{Q!~z", "x" * 24, "y" * 25, "🧬" * 50, "a b\tc"])
def test_note_id_is_a_card_id_with_room_for_every_suffix(guid: str) -> None:
    made = note_id(guid, "bio")
    assert rules.check_card_id(made) is None
    assert rules.check_card_id(reverse_id(made)) is None
    assert rules.check_card_id(f"{made}-c999") is None


def test_note_id_of_a_long_guid_is_a_stable_hash_that_goes_back_as_a_flashdrop_guid() -> None:
    made = note_id("y" * 25, "bio")
    assert made.startswith("a-h") and made == note_id("y" * 25, "bio") != note_id("y" * 26, "bio")
    assert guid_for("bio", made) == f"{GUID_PREFIX}bio/{made}"


def test_note_id_of_a_flashdrop_guid_is_the_note_id_it_names_in_its_own_deck() -> None:
    assert note_id(guid_for("bio", "cell-1"), "bio") == "cell-1"
    # Read into another deck (two exported decks merged in Anki may both hold a `q1`), the
    # guid is kept whole, and still goes back to Anki as itself.
    bio, chem = note_id("flashdrop:bio/q1", "merged"), note_id("flashdrop:chem/q1", "merged")
    assert bio != chem and "q1" not in (bio, chem)
    assert guid_for("merged", bio) == "flashdrop:bio/q1"


@pytest.mark.parametrize("own", ["", "bad id", "x" * 49])
def test_note_id_of_a_flashdrop_guid_with_an_unusable_id_is_encoded(own: str) -> None:
    guid = f"{GUID_PREFIX}bio/{own}"
    made = note_id(guid, "bio")
    assert made != own and made.startswith("a-")
    assert rules.check_card_id(made) is None


def test_note_id_keeps_distinct_guids_apart() -> None:
    guids = ["abc", "ABC", "abd", "ab", "x" * 24, "x" * 25, "flashdrop:d/abc"]
    assert len({note_id(guid, "bio") for guid in guids}) == len(guids)


def test_guid_for_a_note_id_that_only_looks_encoded() -> None:
    # Hex that is no UTF-8 cannot be a guid Anki gave: a Flashdrop guid names the note.
    assert guid_for("bio", "a-ff") == f"{GUID_PREFIX}bio/a-ff"
    assert guid_for("bio", "plain") == f"{GUID_PREFIX}bio/plain"

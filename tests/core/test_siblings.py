from __future__ import annotations

from bot.core.models import CardRef
from bot.core.siblings import note_key, one_per_note

FRONT, BACK = CardRef("d", "dk"), CardRef("d", "dk-reverse")
C1, C2 = CardRef("d", "w-c1"), CardRef("d", "w-c2")
BASIC_W = CardRef("d", "w")  # a basic card whose id is the cloze note's id
OTHER_DECK = CardRef("e", "dk-reverse")
NOTES = {FRONT: "dk", BACK: "dk", C1: "w", C2: "w", OTHER_DECK: "dk"}


def test_one_per_note_keeps_the_first_card_of_each_note_in_order() -> None:
    first, later = one_per_note([BACK, C1, FRONT, C2, BASIC_W], NOTES)
    assert first == [BACK, C1, BASIC_W]
    assert later == [FRONT, C2]


def test_one_per_note_counts_a_shown_card_as_taking_its_note_but_not_itself() -> None:
    first, later = one_per_note([FRONT, BACK, C1], NOTES, shown=[FRONT])
    assert first == [FRONT, C1]
    assert later == [BACK]


def test_notes_are_per_deck_and_apart_from_basic_cards_of_the_same_id() -> None:
    assert note_key(OTHER_DECK, NOTES) != note_key(BACK, NOTES)
    assert note_key(BASIC_W, NOTES) != note_key(C1, NOTES)
    assert one_per_note([BACK, OTHER_DECK], NOTES) == ([BACK, OTHER_DECK], [])

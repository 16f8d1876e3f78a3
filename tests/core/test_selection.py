from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.core.models import CardRef
from bot.core.scheduling import MemberCardState, MemoryState, SchedulingSettings
from bot.core.selection import GroupSnapshot, choose_for_channel, new_card_allowance

TODAY = date(2026, 4, 1)
SETTINGS = SchedulingSettings(fuzzing=False)
CARDS = tuple(CardRef("dl", f"c{index}") for index in range(6))
C0, C1, C2, C3, C4, C5 = CARDS


def state(
    user_id: int, card: CardRef, *, due_in: int, stability: float = 5.0, reviewed_ago: int = 5
) -> MemberCardState:
    return MemberCardState(
        guild_id=1,
        user_id=user_id,
        deck_id=card.deck_id,
        card_id=card.card_id,
        memory_state=MemoryState.REVIEW,
        stability=stability,
        difficulty=5.0,
        due=TODAY + timedelta(days=due_in),
        last_review=TODAY - timedelta(days=reviewed_ago),
        introduced_on=TODAY - timedelta(days=30),
        reps=3,
        lapses=0,
    )


def snapshot(
    *states: MemberCardState,
    members: tuple[int, ...] = (1, 2, 3),
    cards: tuple[CardRef, ...] = CARDS,
    recent: tuple[CardRef, ...] = (),
) -> GroupSnapshot:
    return GroupSnapshot(
        cards=cards,
        active_members=frozenset(members),
        states=states,
        recently_posted=frozenset(recent),
    )


def seen_by_all(*cards: CardRef, due_in: int = 10) -> list[MemberCardState]:
    """States making `cards` neither due nor new for members 1-3."""
    return [state(user, card, due_in=due_in) for user in (1, 2, 3) for card in cards]


def choose(group: GroupSnapshot, count: int, seed: int = 7) -> list[CardRef]:
    return choose_for_channel(group, TODAY, count, SETTINGS, seed)


@pytest.mark.parametrize(("introduced", "allowance"), [(0, 10), (4, 6), (10, 0), (12, 0)])
def test_new_card_allowance(introduced: int, allowance: int) -> None:
    assert new_card_allowance(introduced, SETTINGS) == allowance


def test_choose_for_channel_due_for_most_members_first() -> None:
    group = snapshot(
        *seen_by_all(C3, C4, C5),
        *[state(user, C0, due_in=0) for user in (1, 2, 3)],
        state(1, C1, due_in=0),
        state(2, C1, due_in=10),
        state(3, C1, due_in=10),
        state(1, C2, due_in=-1),
        state(2, C2, due_in=0),
        state(3, C2, due_in=10),
    )
    assert choose(group, 3) == [C0, C2, C1]


def test_choose_for_channel_ties_by_lowest_mean_retrievability() -> None:
    group = snapshot(
        *seen_by_all(C0, C3, C4, C5),
        *[state(user, C1, due_in=0, stability=20.0) for user in (1, 2)],
        *[state(user, C2, due_in=0, stability=2.0) for user in (1, 2)],
        state(3, C1, due_in=10),
        state(3, C2, due_in=10),
    )
    assert choose(group, 2) == [C2, C1]


def test_choose_for_channel_fills_with_new_cards_unseen_by_most() -> None:
    group = snapshot(
        *[state(user, C0, due_in=0) for user in (1, 2, 3)],
        *seen_by_all(C1, C2),
        state(1, C3, due_in=10),
        state(1, C4, due_in=10),
        state(2, C4, due_in=10),
    )
    # C5 is new to all three, C3 to two, C4 to one.
    assert choose(group, 4) == [C0, C5, C3, C4]


def test_choose_for_channel_new_cards_in_deck_order() -> None:
    assert choose(snapshot(), 3) == [C0, C1, C2]


def test_choose_for_channel_new_cards_interleave_decks() -> None:
    other = (CardRef("ml", "m0"), CardRef("ml", "m1"))
    group = snapshot(cards=(C0, C1, C2, *other), members=())
    first_two = choose(group, 2)
    assert set(first_two) == {C0, other[0]}


def test_choose_for_channel_reviews_ahead_when_nothing_due_or_new() -> None:
    group = snapshot(
        *[state(user, C0, due_in=9, stability=50.0) for user in (1, 2, 3)],
        *[state(user, C1, due_in=2, stability=3.0) for user in (1, 2, 3)],
        cards=(C0, C1),
    )
    assert choose(group, 2) == [C1, C0]


def test_choose_for_channel_avoids_recent_posts() -> None:
    group = snapshot(
        *[state(user, C0, due_in=0) for user in (1, 2, 3)],
        recent=(C0, C1),
    )
    chosen = choose(group, 3)
    assert C0 not in chosen and C1 not in chosen
    assert chosen == [C2, C3, C4]


def test_choose_for_channel_uses_recent_posts_when_nothing_else() -> None:
    group = snapshot(
        *[state(user, C0, due_in=0) for user in (1, 2, 3)],
        cards=(C0, C1, C2),
        recent=(C0, C1),
    )
    assert choose(group, 3) == [C2, C0, C1]


def test_choose_for_channel_ignores_inactive_members() -> None:
    group = snapshot(
        *seen_by_all(C0, C1, C2, C5),
        *[state(user, card, due_in=10) for user in (2, 3) for card in (C3, C4)],
        state(1, C3, due_in=0),
        state(1, C4, due_in=10),
        # Members 7-9 have not rated anything lately: their due C4 does not count.
        *[state(user, C4, due_in=0) for user in (7, 8, 9)],
    )
    assert choose(group, 1) == [C3]


def test_choose_for_channel_same_seed_same_cards() -> None:
    group = snapshot(*seen_by_all(*CARDS))
    assert choose(group, 4, seed=11) == choose(group, 4, seed=11)


def test_choose_for_channel_seed_breaks_exact_ties() -> None:
    group = snapshot(*seen_by_all(*CARDS))
    orders = {tuple(choose(group, 6, seed=seed)) for seed in range(20)}
    assert len(orders) > 1
    assert all(set(order) == set(CARDS) for order in orders)


@pytest.mark.parametrize("count", [0, -1])
def test_choose_for_channel_nothing_for_no_count(count: int) -> None:
    assert choose(snapshot(), count) == []


def test_choose_for_channel_never_more_than_available() -> None:
    assert choose(snapshot(cards=(C0, C1)), 5) == [C0, C1]


# -- siblings: one card of a reversed or cloze entry at a time ------------------------------------

FRONT, BACK = CardRef("dl", "dk"), CardRef("dl", "dk-reverse")
CLOZE_1, CLOZE_2 = CardRef("dl", "water-c1"), CardRef("dl", "water-c2")
NOTES = {FRONT: "dk", BACK: "dk", CLOZE_1: "water", CLOZE_2: "water"}
TYPED = (FRONT, BACK, CLOZE_1, CLOZE_2, C0)


def test_choose_for_channel_takes_one_card_of_a_note_while_others_are_left() -> None:
    chosen = choose_for_channel(snapshot(cards=TYPED), TODAY, 3, SETTINGS, 7, NOTES)
    assert chosen == [FRONT, CLOZE_1, C0]


def test_choose_for_channel_takes_siblings_last_when_nothing_else_is_left() -> None:
    chosen = choose_for_channel(snapshot(cards=TYPED), TODAY, 5, SETTINGS, 7, NOTES)
    assert chosen == [FRONT, CLOZE_1, C0, BACK, CLOZE_2]


def test_choose_for_channel_a_sibling_of_a_recent_post_waits_like_the_post() -> None:
    group = snapshot(cards=TYPED, recent=(FRONT,))
    chosen = choose_for_channel(group, TODAY, 3, SETTINGS, 7, NOTES)
    assert chosen == [CLOZE_1, C0, BACK]  # the reverse before the front posted again


def test_choose_for_channel_without_notes_treats_every_card_as_its_own() -> None:
    chosen = choose_for_channel(snapshot(cards=TYPED), TODAY, 5, SETTINGS, 7)
    assert chosen == list(TYPED)

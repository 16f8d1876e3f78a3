"""Choosing cards: the daily new-card allowance and the cards a channel is shown together.

A channel's drop serves a group, so a card is worth posting when it is due for many of the
members who study there. Cards are ranked in tiers:

1. due for at least one active member: most such members first, then lowest mean
   retrievability among them (the most at risk of being forgotten);
2. new to some active member: unseen by most members first, then deck order, since decks
   tend to build from basics;
3. everything else (reviewing ahead): lowest mean retrievability first.

Remaining ties follow a shuffle seeded by the caller, so a given seed gives the same cards.
A card posted in the channel in the last `recent_post_days` is only used when the channel's
decks have nothing else to offer. Siblings (the cards of one reversed or cloze entry, see
`bot.core.siblings`) are never chosen together while other cards are left, and a card whose
sibling was posted there lately counts as posted lately itself.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import fmean

from bot.core.models import CardRef
from bot.core.scheduling import MemberCardState, SchedulingSettings, retrievability
from bot.core.siblings import NoteOf, one_per_note


@dataclass(frozen=True, slots=True)
class GroupSnapshot:
    """What choosing cards for a channel needs, read together from storage."""

    # The channel's decks' cards in deck order, retired cards left out.
    cards: tuple[CardRef, ...]
    # Members who rated a card in the guild within `active_member_days`.
    active_members: frozenset[int]
    # Those members' states of those cards; a card without a state is new to the member.
    states: tuple[MemberCardState, ...]
    recently_posted: frozenset[CardRef]


def new_card_allowance(introduced_today: int, settings: SchedulingSettings) -> int:
    """How many more cards of a deck a member may start today."""
    return max(0, settings.new_cards_per_day - introduced_today)


def choose_for_channel(
    snapshot: GroupSnapshot,
    today: date,
    count: int,
    settings: SchedulingSettings,
    seed: int,
    note_of: NoteOf | None = None,
) -> list[CardRef]:
    """Up to `count` distinct cards for the channel, best first (see the module docstring).
    `note_of`: the note of each card that shares one with others (see bot.core.siblings)."""
    by_card = _states_by_card(snapshot)
    shuffle = _shuffle_ranks(snapshot.cards, seed)
    positions = _deck_positions(snapshot.cards)
    members = len(snapshot.active_members)

    def rank(card: CardRef) -> tuple[int, float, float, int]:
        states = by_card.get(card, [])
        due = [state for state in states if state.is_due(today)]
        if due:
            return (0, -len(due), _mean_recall(due, today, settings), shuffle[card])
        unseen = members - len(states)
        if unseen > 0 or not states:
            return (1, -unseen, positions[card], shuffle[card])
        return (2, 0, _mean_recall(states, today, settings), shuffle[card])

    ranked = sorted(snapshot.cards, key=rank)
    note_of = note_of or {}
    recent = [card for card in ranked if card in snapshot.recently_posted]
    fresh, beside_recent = one_per_note(
        [card for card in ranked if card not in snapshot.recently_posted],
        note_of,
        shown=recent,
    )
    first, later = one_per_note(fresh + beside_recent + recent, note_of)
    return (first + later)[: max(count, 0)]


def _states_by_card(snapshot: GroupSnapshot) -> dict[CardRef, list[MemberCardState]]:
    by_card: dict[CardRef, list[MemberCardState]] = defaultdict(list)
    for state in snapshot.states:
        if state.user_id in snapshot.active_members:
            by_card[state.card].append(state)
    return by_card


def _shuffle_ranks(cards: Sequence[CardRef], seed: int) -> dict[CardRef, int]:
    order = list(cards)
    random.Random(seed).shuffle(order)
    return {card: index for index, card in enumerate(order)}


def _deck_positions(cards: Sequence[CardRef]) -> dict[CardRef, int]:
    """Each card's index within its own deck, so several decks interleave."""
    seen: dict[str, int] = defaultdict(int)
    positions = {}
    for card in cards:
        positions[card] = seen[card.deck_id]
        seen[card.deck_id] += 1
    return positions


def _mean_recall(
    states: Sequence[MemberCardState], today: date, settings: SchedulingSettings
) -> float:
    return fmean(retrievability(state, today, settings) for state in states)

"""Re-importing into an existing deck: which new card is which old card, so ids survive edits.

Imported cards get ids from their content, so fixing a typo in the source app and importing
again would give the card a new id and reset every member's schedule of it. match_cards pairs
the new cards with the old deck's instead, in passes from the strongest evidence to the weakest:

1. the same question and answer (an unchanged card, wherever it moved);
2. the same question (the answer was edited), if the answers are at least SIMILAR_ENOUGH
   alike or the question is distinctive: in one card of each deck and of at least
   _WORDS_TO_STAND_ALONE words;
3. the same answer (the question was edited), on the same terms with the halves swapped;
4. the same position and similar text (both edited a little): the same index give or take
   one, or the place next to a card already matched on either side, and text at least
   SIMILAR_ENOUGH alike. A pair sharing a half was judged by pass 2 or 3 and is not
   looked at again: "Bats are blind." and "Sharks are mammals.", both "False", are two
   cards, though the shared "False" makes their texts 0.65 alike.

A matched card keeps the old card's id; an unmatched new card is added with its own id (made
unique against every old id); an unmatched old card is retired. Ties are broken by how alike
the other half of the card is, then by distance in the deck, then by position, so the same two
decks always give the same answer. Pure: no I/O, so the import command and a future import
from Discord share it. `reimport` is the whole step: matching plus what the deck file keeps.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final, TypeVar

from bot.core.models import MAX_CARD_ID_CHARS, Card, Deck
from bot.decks.errors import DeckError
from bot.decks.fitting import oversize_problem
from bot.decks.importers.common import fingerprint

# A typo fix scores above 0.95; a different card about the same thing, below 0.5. Rephrased
# halves ("Is Python dynamically typed?" -> "Is Python a dynamically typed language?") score
# 0.6-0.9, a clause moved to the front 0.58; of 496 pairs of unrelated true/false statements
# and yes/no questions, one scored 0.6 or more ("The sky is green." / "Is the sky green?").
SIMILAR_ENOUGH: Final = 0.6
# A shared half this many words long, in one card of each deck, is enough alone to take the
# cards for one: "True", "Yes", "42" or "Paris" answers many unrelated cards, and even when it
# answers one card of each deck it says nothing about the question.
_WORDS_TO_STAND_ALONE: Final = 3
# Texts of this many words or more are compared by words, shorter ones by characters.
_WORDS_FOR_WORD_COMPARISON: Final = 12
# Past this many pairs in one group of equal questions (or answers), score only the pairs about
# as far down the group as each other: scoring every pair of 2,000 cards answered "True" would
# take minutes and mean little.
_MAX_SCORED_PAIRS: Final = 2_500

_Key = TypeVar("_Key", bound=Hashable)


class MatchReason(StrEnum):
    """Why a new card was taken for an old one (the pass that paired them)."""

    UNCHANGED = "unchanged"
    SAME_QUESTION = "same question"
    SAME_ANSWER = "same answer"
    SIMILAR = "same place, similar text"


@dataclass(frozen=True, slots=True)
class KeptCard:
    """A new card that keeps an old card's id. `card` is the new card, with that id."""

    old: Card
    card: Card
    reason: MatchReason


@dataclass(frozen=True, slots=True)
class CardMatching:
    """The new cards with their ids (in the new order), and what happened to each card."""

    cards: tuple[Card, ...]
    kept: tuple[KeptCard, ...]  # in the new order
    added: tuple[Card, ...]  # in the new order
    retired: tuple[Card, ...]  # in the old order

    @property
    def edited(self) -> tuple[KeptCard, ...]:
        return tuple(kept for kept in self.kept if kept.reason is not MatchReason.UNCHANGED)


def match_cards(old: Sequence[Card], new: Sequence[Card]) -> CardMatching:
    """Give `new` the ids of the `old` cards they are edits of; see the module docstring.

    A kept card takes the old card's hint and image when it has none of its own: exports carry
    neither, so they were added to the deck file by hand and must not be lost.
    """
    pairs = _Pairs(old, new)
    texts_old = [_Text.of(card) for card in old]
    texts_new = [_Text.of(card) for card in new]
    pairs.in_order(lambda t: (t.question, t.answer), texts_old, texts_new, MatchReason.UNCHANGED)
    pairs.scored(
        lambda t: t.question_key,
        lambda t: t.answer,
        texts_old,
        texts_new,
        MatchReason.SAME_QUESTION,
    )
    pairs.scored(
        lambda t: t.answer_key, lambda t: t.question, texts_old, texts_new, MatchReason.SAME_ANSWER
    )
    pairs.by_place(texts_old, texts_new)
    return pairs.result()


@dataclass(frozen=True, slots=True)
class _Text:
    question: str
    answer: str

    @classmethod
    def of(cls, card: Card) -> _Text:
        return cls(fingerprint(card.question), fingerprint(card.answer))

    @property
    def question_key(self) -> str:
        return self.question.casefold()

    @property
    def answer_key(self) -> str:
        return self.answer.casefold()

    @property
    def both(self) -> str:
        return f"{self.question}\n{self.answer}"

    def shares_a_half(self, other: _Text) -> bool:
        return self.question_key == other.question_key or self.answer_key == other.answer_key


def _likeness(a: str, b: str, *, at_least: float = 0.0) -> float:
    """How alike two texts are, 0 to 1; 0 as soon as it is clear they are under `at_least`.

    Long texts are compared word by word: as fast on a 3,600-character card as on a short one,
    and a typo changes one word of many. Short ones go character by character, where one word
    is much of the text.
    """
    words_a, words_b = a.split(" "), b.split(" ")
    matcher: difflib.SequenceMatcher[str]
    if min(len(words_a), len(words_b)) >= _WORDS_FOR_WORD_COMPARISON:
        matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    else:
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if at_least and (matcher.real_quick_ratio() < at_least or matcher.quick_ratio() < at_least):
        return 0.0
    return matcher.ratio()


class _Pairs:
    """The pairing being built: old index -> new index and the reason, both ways."""

    def __init__(self, old: Sequence[Card], new: Sequence[Card]) -> None:
        self.old, self.new = old, new
        self.new_of: dict[int, int] = {}
        self.old_of: dict[int, tuple[int, MatchReason]] = {}

    def pair(self, i: int, j: int, reason: MatchReason) -> None:
        self.new_of[i] = j
        self.old_of[j] = (i, reason)

    def _groups(
        self, key: Callable[[_Text], _Key], olds: list[_Text], news: list[_Text]
    ) -> list[tuple[_Key, list[int], list[int]]]:
        """The keys shared by unpaired old and new cards, with their indexes in deck order."""
        old_groups: defaultdict[_Key, list[int]] = defaultdict(list)
        for i, text in enumerate(olds):
            if i not in self.new_of:
                old_groups[key(text)].append(i)
        new_groups: defaultdict[_Key, list[int]] = defaultdict(list)
        for j, text in enumerate(news):
            if j not in self.old_of:
                new_groups[key(text)].append(j)
        return [(k, old_groups[k], js) for k, js in new_groups.items() if k in old_groups]

    def in_order(
        self,
        key: Callable[[_Text], Hashable],
        olds: list[_Text],
        news: list[_Text],
        reason: MatchReason,
    ) -> None:
        """Pair equal keys first with first, second with second: repeats keep their order."""
        for _, is_, js in self._groups(key, olds, news):
            for i, j in zip(is_, js, strict=False):
                self.pair(i, j, reason)

    def scored(
        self,
        key: Callable[[_Text], str],
        other: Callable[[_Text], str],
        olds: list[_Text],
        news: list[_Text],
        reason: MatchReason,
    ) -> None:
        """Pair equal keys whose other halves are SIMILAR_ENOUGH alike, the most alike pairs
        first, then the nearest, then the first; a distinctive key (in one card of each deck,
        _WORDS_TO_STAND_ALONE words or more) pairs its two cards however their others differ."""
        old_counts = Counter(key(text) for text in olds)
        new_counts = Counter(key(text) for text in news)

        def alike(i: int, j: int) -> float:
            return _likeness(other(olds[i]), other(news[j]), at_least=SIMILAR_ENOUGH)

        for shared, is_, js in self._groups(key, olds, news):
            if old_counts[shared] == new_counts[shared] == 1 and (
                len(shared.split(" ")) >= _WORDS_TO_STAND_ALONE
            ):
                self.pair(is_[0], js[0], reason)
                continue
            # Past _MAX_SCORED_PAIRS, only pairs about as far down the group as each other.
            band = max(1, _MAX_SCORED_PAIRS // (2 * max(len(is_), len(js))))
            if len(is_) * len(js) <= _MAX_SCORED_PAIRS:
                band = len(is_) + len(js)
            candidates = [
                (i, js[m])
                for k, i in enumerate(is_)
                for m in range(max(0, k - band), min(len(js), k + band + 1))
            ]
            scores = [(alike(i, j), i, j) for i, j in candidates]
            ranked = sorted((-s, abs(i - j), j, i) for s, i, j in scores if s >= SIMILAR_ENOUGH)
            for _, _, j, i in ranked:
                if i not in self.new_of and j not in self.old_of:
                    self.pair(i, j, reason)

    def by_place(self, olds: list[_Text], news: list[_Text]) -> None:
        """Pair cards in the same place with similar text, until no more pairs are found:
        each pair puts its neighbours next to a matched card, so they are looked at again."""
        scores: dict[tuple[int, int], float] = {}
        waiting = [j for j in range(len(news)) if j not in self.old_of]
        while waiting:
            ranked: list[tuple[float, int, int]] = []
            for j in waiting:
                for i in sorted(self._places(j, len(olds))):
                    if olds[i].shares_a_half(news[j]):
                        continue
                    if (i, j) not in scores:
                        scores[i, j] = _likeness(
                            olds[i].both, news[j].both, at_least=SIMILAR_ENOUGH
                        )
                    if scores[i, j] >= SIMILAR_ENOUGH:
                        ranked.append((-scores[i, j], j, i))
            again: set[int] = set()
            for _, j, i in sorted(ranked):
                if i not in self.new_of and j not in self.old_of:
                    self.pair(i, j, MatchReason.SIMILAR)
                    again.update((j - 1, j + 1))
            waiting = sorted(j for j in again if 0 <= j < len(news) and j not in self.old_of)

    def _places(self, j: int, old_count: int) -> set[int]:
        """The unpaired old indexes in new card j's place: the same index or one off (a card
        added or removed before it), and the slots next to the old partners of j's neighbours."""
        places = {j - 1, j, j + 1}
        if j - 1 in self.old_of:
            places.add(self.old_of[j - 1][0] + 1)
        if j + 1 in self.old_of:
            places.add(self.old_of[j + 1][0] - 1)
        return {i for i in places if 0 <= i < old_count and i not in self.new_of}

    def result(self) -> CardMatching:
        taken = {card.id for card in self.old}
        cards: list[Card] = []
        kept: list[KeptCard] = []
        added: list[Card] = []
        for j, card in enumerate(self.new):
            if j in self.old_of:
                i, reason = self.old_of[j]
                old = self.old[i]
                card = replace(
                    card, id=old.id, hint=card.hint or old.hint, image=card.image or old.image
                )
                kept.append(KeptCard(old, card, reason))
            else:
                card = replace(card, id=_free_id(card.id, taken))
                added.append(card)
            taken.add(card.id)
            cards.append(card)
        retired = tuple(card for i, card in enumerate(self.old) if i not in self.new_of)
        return CardMatching(tuple(cards), tuple(kept), tuple(added), retired)


def _free_id(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`… if an old card (kept or retired) has it: reusing a
    retired card's id would hand its members' schedules to a different card."""
    if wanted not in taken:
        return wanted
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = wanted[: MAX_CARD_ID_CHARS - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def reimport(
    existing: Deck, imported: Deck, *, name: str | None = None
) -> tuple[Deck, CardMatching]:
    """`imported` as the new version of `existing`: its cards, with ids matched against the
    existing deck's, under the existing deck's id, name (unless `name` is given), description
    and tags, which exports do not carry. Raises DeckError if the result does not fit in one
    deck file (kept ids can be longer than content ids).

    A text export holds a reversed or cloze entry's cards as plain cards; when every card of
    such an entry comes back unchanged, the entry is kept as it is (its type, tags, hint and
    image), else its cards become plain cards like the export's others."""
    matching = _keeping_notes(match_cards(existing.cards, imported.cards), existing)
    return new_version(existing, imported, matching.cards, name=name), matching


def _keeping_notes(matching: CardMatching, existing: Deck) -> CardMatching:
    """`matching` with the kept cards of the existing deck's typed entries whose every card is
    kept unchanged given back as those entries' cards: writing the entry once makes them all,
    so it may be written only when none of them changed or went."""
    unchanged = {k.old.id for k in matching.kept if k.reason is MatchReason.UNCHANGED}
    cards_of: defaultdict[str, list[str]] = defaultdict(list)
    for card in existing.cards:
        if card.note is not None:
            cards_of[card.note.id].append(card.id)
    whole = {note for note, ids in cards_of.items() if all(i in unchanged for i in ids)}
    if not whole:
        return matching
    restored = {
        k.old.id: k.old for k in matching.kept if k.old.note is not None and k.old.note.id in whole
    }
    kept = tuple(
        replace(k, card=restored[k.old.id]) if k.old.id in restored else k for k in matching.kept
    )
    cards = tuple(restored.get(card.id, card) for card in matching.cards)
    return replace(matching, cards=cards, kept=kept)


def new_version(
    existing: Deck, imported: Deck, cards: tuple[Card, ...], *, name: str | None = None
) -> Deck:
    """`imported` with `cards` (their ids settled) under `existing`'s id, name (unless `name`
    is given), description and tags, which exports do not carry. Raises DeckError if the
    result does not fit in one deck file (kept ids can be longer than content ids)."""
    deck = replace(
        imported,
        id=existing.id,
        name=name or existing.name,
        description=existing.description,
        tags=existing.tags,
        cards=cards,
    )
    if (problem := oversize_problem(deck, imported.source or existing.id)) is not None:
        raise DeckError([problem])
    return deck

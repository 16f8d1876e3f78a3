"""match_cards: a re-imported export keeps the ids of the cards that were only edited."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.models import Card, CardKind, Deck
from bot.decks import dump_deck, parse_deck
from bot.decks.importers.common import content_id
from bot.decks.matching import MatchReason, match_cards, reimport


def imported(question: str, answer: str) -> Card:
    """A card as an importer makes it: its id is its content's hash."""
    return Card(content_id(question, answer), question, answer)


OLD = (
    Card("dna", "What is DNA?", "A molecule carrying genetic instructions."),
    Card("cell", "What is a cell?", "The basic unit of life."),
    Card("atp", "What does ATP store?", "Energy, in its phosphate bonds."),
)


def ids(cards: tuple[Card, ...]) -> list[str]:
    return [card.id for card in cards]


def test_match_cards_typo_fixed_in_a_question_keeps_its_id() -> None:
    new = [imported(c.question, c.answer) for c in OLD]
    new[1] = imported("What is a cell ?", OLD[1].answer)
    result = match_cards(OLD, new)
    assert ids(result.cards) == ["dna", "cell", "atp"]
    (edited,) = result.edited
    assert (edited.old.id, edited.card.question, edited.reason) == (
        "cell",
        "What is a cell ?",
        MatchReason.SAME_ANSWER,
    )
    assert (result.added, result.retired) == ((), ())


def test_match_cards_edited_answer_keeps_its_id() -> None:
    new = [imported(c.question, c.answer) for c in OLD]
    new[0] = imported(OLD[0].question, "A molecule that carries genetic instructions.")
    result = match_cards(OLD, new)
    assert ids(result.cards) == ["dna", "cell", "atp"]
    assert [k.reason for k in result.edited] == [MatchReason.SAME_QUESTION]


def test_match_cards_both_halves_edited_a_little_keeps_the_id_in_the_same_place() -> None:
    new = [imported(c.question, c.answer) for c in OLD]
    new[2] = imported("What does ATP store ?", "Energy, in its phosphate bond.")
    result = match_cards(OLD, new)
    assert ids(result.cards) == ["dna", "cell", "atp"]
    assert [k.reason for k in result.edited] == [MatchReason.SIMILAR]


def test_match_cards_similar_text_next_to_a_matched_card_after_an_insertion() -> None:
    inserted = imported("What is RNA?", "A single-stranded nucleic acid.")
    edited = imported("What does ATP store ?", "Energy, in its phosphate bond.")
    new = [imported(OLD[0].question, OLD[0].answer), inserted]
    new += [imported(OLD[1].question, OLD[1].answer), edited]
    result = match_cards(OLD, new)
    assert ids(result.cards) == ["dna", inserted.id, "cell", "atp"]


def test_match_cards_reordered_deck_keeps_ids() -> None:
    new = [imported(c.question, c.answer) for c in reversed(OLD)]
    result = match_cards(OLD, new)
    assert ids(result.cards) == ["atp", "cell", "dna"]
    assert result.edited == () and len(result.kept) == 3


def test_match_cards_deleted_card_is_retired() -> None:
    new = [imported(c.question, c.answer) for c in (OLD[0], OLD[2])]
    result = match_cards(OLD, new)
    assert ids(result.cards) == ["dna", "atp"]
    assert result.retired == (OLD[1],)


def test_match_cards_new_card_gets_a_content_hash_id() -> None:
    card = imported("What is a ribosome?", "Where proteins are made.")
    result = match_cards(OLD, [*(imported(c.question, c.answer) for c in OLD), card])
    assert result.added == (card,)
    assert result.cards[-1].id == content_id(card.question, card.answer)


def test_match_cards_different_card_in_the_same_place_is_not_matched() -> None:
    new = [imported(c.question, c.answer) for c in OLD]
    new[1] = imported("Who wrote On the Origin of Species?", "Charles Darwin.")
    result = match_cards(OLD, new)
    assert result.retired == (OLD[1],) and result.added == (new[1],)


def test_match_cards_new_id_never_reuses_an_old_cards_id() -> None:
    # The old card was imported as "old text", then edited by hand; a new card with the old
    # text must not take its id (or its members' schedules).
    old = (Card(content_id("Q?", "A."), "Q, edited by hand?", "Answer, edited by hand."),)
    new = imported("Q?", "A.")
    result = match_cards(old, [new])
    (added,) = result.added
    assert added.id == f"{new.id}-2"
    assert result.retired == old


def test_match_cards_keeps_a_hand_added_hint_and_image() -> None:
    old = (
        Card("dna", "What is DNA?", "A molecule.", hint="Double helix", image="https://x/a.png"),
    )
    result = match_cards(old, [imported("What is DNA ?", "A molecule.")])
    (card,) = result.cards
    assert (card.id, card.hint, card.image) == ("dna", "Double helix", "https://x/a.png")


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_match_cards_ambiguous_matches_are_deterministic(order: tuple[int, int]) -> None:
    # Two old cards share the question; the new card's answer is closer to the second, and
    # which comes first in the old deck does not change that.
    both = (
        Card("far", "Define it.", "Something else entirely."),
        Card("near", "Define it.", "The thing itself, mostly."),
    )
    old = tuple(both[i] for i in order)
    new = imported("Define it.", "The thing itself.")
    results = {ids(match_cards(old, [new]).cards)[0] for _ in range(3)}
    assert results == {"near"}


def test_match_cards_equally_good_candidates_go_by_place() -> None:
    old = (Card("one", "Yes or no?", "Yes."), Card("two", "Yes or no?", "Yes."))
    new = [imported("Yes or no?", "Yes!"), imported("Yes or no?", "Yes!")]
    assert ids(match_cards(old, new).cards) == ["one", "two"]
    assert ids(match_cards(old, new[:1]).cards) == ["one"]


def test_match_cards_repeats_keep_their_order() -> None:
    old = (Card("a", "Q", "A"), Card("b", "Q", "A"))
    new = [imported("Q", "A"), Card(content_id("Q", "A") + "-2", "Q", "A")]
    assert ids(match_cards(old, new).cards) == ["a", "b"]


def test_match_cards_every_card_edited_after_an_insertion_at_the_top_keeps_every_id() -> None:
    # No card is unchanged to anchor on: the places one off and next to matched cards carry
    # the matching down the deck.
    old = tuple(
        Card(f"n{n}", f"What is item number {n} of the list?", f"It is the item {n}.")
        for n in range(300)
    )
    edited = [imported(c.question.replace("the list", "the list "), c.answer + "!") for c in old]
    edited = [imported(f"{c.question[:-1]} ?", c.answer) for c in edited]
    result = match_cards(old, [imported("A new first card?", "Yes."), *edited])
    assert ids(result.cards)[1:] == [card.id for card in old]
    assert len(result.added) == 1 and result.retired == ()


def test_match_cards_a_shared_short_answer_alone_does_not_match() -> None:
    # Nothing but "False" in common: the old card's members must not get the new card.
    old = (Card("sky", "Is the sky green?", "False"),)
    new = imported("Do fish fly?", "False")
    result = match_cards(old, [new])
    assert (result.kept, result.added, result.retired) == ((), (new,), old)


def test_match_cards_yes_no_deck_reordered_and_partly_edited() -> None:
    old = (
        Card("wet", "Is water wet?", "Yes"),
        Card("flat", "Is the earth flat?", "No"),
        Card("star", "Is the sun a star?", "Yes"),
        Card("cheese", "Is the moon made of cheese?", "No"),
        Card("typed", "Is Python dynamically typed?", "Yes"),
    )
    new = [
        imported("Is Python a dynamically typed language?", "Yes"),  # rephrased
        imported("Is the moon made of cheese?", "No"),
        imported("Is the sun a star ?", "Yes"),  # typo fixed
        imported("Does Rust have a garbage collector?", "No"),  # added
        imported("Is water wet?", "Yes"),
    ]  # "Is the earth flat?" deleted
    result = match_cards(old, new)
    assert ids(result.cards) == ["typed", "cheese", "star", new[3].id, "wet"]
    assert [(k.old.id, k.reason) for k in result.edited] == [
        ("typed", MatchReason.SAME_ANSWER),
        ("star", MatchReason.SAME_ANSWER),
    ]
    assert (result.added, result.retired) == ((new[3],), (old[1],))


@pytest.mark.parametrize("answer", ["Paris", "42", "Charles Darwin."])
def test_match_cards_a_short_answer_in_one_card_of_each_deck_is_not_enough(answer: str) -> None:
    old = (Card("old", "What is the capital of France?", answer),)
    result = match_cards(old, [imported("Where is the Louvre?", answer)])
    assert result.kept == () and result.retired == old


def test_match_cards_a_distinctive_answer_in_one_card_of_each_deck_is_enough() -> None:
    answer = "A molecule carrying genetic instructions."
    old = (Card("dna", "What is DNA?", answer),)
    result = match_cards(old, [imported("Which molecule holds a cell's genes?", answer)])
    assert [(k.old.id, k.reason) for k in result.kept] == [("dna", MatchReason.SAME_ANSWER)]


def test_match_cards_a_distinctive_answer_in_two_new_cards_needs_alike_questions() -> None:
    # Which of the two is the old card edited cannot be told: neither takes its schedules.
    answer = "A molecule carrying genetic instructions."
    old = (Card("dna", "What is DNA?", answer),)
    new = [
        imported("Which molecule holds a cell's genes?", answer),
        imported("What does a chromosome contain?", answer),
    ]
    result = match_cards(old, new)
    assert result.kept == () and result.retired == old


def test_match_cards_a_shared_short_answer_does_not_lift_a_card_in_the_same_place() -> None:
    # "Bats are blind.\nFalse" and "Sharks are mammals.\nFalse" are 0.65 alike, the questions
    # 0.53: only the "False" makes the cards look like one.
    old = (Card("moon", "Is the moon a planet?", "False"), Card("bats", "Bats are blind.", "False"))
    new = [imported("Is the moon a planet?", "False"), imported("Sharks are mammals.", "False")]
    result = match_cards(old, new)
    assert (result.added, result.retired) == ((new[1],), (old[1],))


def test_match_cards_large_true_false_deck_edited_after_an_insertion_keeps_every_id() -> None:
    # 2,000 edited cards answered "True" are too many to score every pair: the pairs about as
    # far down the deck as each other are enough after one card is inserted at the top.
    old = tuple(Card(f"n{n}", f"Statement number {n} holds.", "True") for n in range(2_000))
    new = [imported("A new first statement.", "True")]
    new += [imported(c.question.replace("holds", "is right"), "True") for c in old]
    result = match_cards(old, new)
    assert ids(result.cards)[1:] == [card.id for card in old]
    assert len(result.added) == 1 and result.retired == ()


TYPED = """\
name: Types
cards:
  - id: dk
    type: reversed
    question: Capital of Denmark?
    answer: Copenhagen
    tags: [geo]
  - id: water
    type: cloze
    question: Water boils at {{c1::100 °C}} at {{c2::sea level}}.
    answer: At 1 atm.
  - id: plain
    question: Plain?
    answer: "Yes"
"""


def _export(deck: Deck) -> Deck:
    """The deck as a text export gives it back: plain cards with content ids."""
    cards = tuple(Card(content_id(c.question, c.answer), c.question, c.answer) for c in deck.cards)
    return Deck("types", "Types", cards)


def test_reimport_keeps_a_typed_entry_whose_cards_are_unchanged() -> None:
    existing = parse_deck(TYPED, "types.yaml")
    deck, matching = reimport(existing, _export(existing))
    assert deck.cards == existing.cards
    assert [c.kind for c in deck.cards] == [
        CardKind.REVERSED,
        CardKind.REVERSED,
        CardKind.CLOZE,
        CardKind.CLOZE,
        CardKind.BASIC,
    ]
    assert all(k.reason is MatchReason.UNCHANGED for k in matching.kept)
    assert parse_deck(dump_deck(deck), "types.yaml").cards == existing.cards


def test_reimport_makes_plain_cards_of_a_typed_entry_with_an_edited_card() -> None:
    existing = parse_deck(TYPED, "types.yaml")
    exported = _export(existing)
    edited = replace(exported.cards[1], answer="Capital of Denmark (Europe)?")
    deck, _ = reimport(
        existing, replace(exported, cards=(exported.cards[0], edited, *exported.cards[2:]))
    )
    kinds = {c.id: c.kind for c in deck.cards}
    assert kinds["dk"] is kinds["dk-reverse"] is CardKind.BASIC
    assert kinds["water-c1"] is kinds["water-c2"] is CardKind.CLOZE
    assert [c.id for c in parse_deck(dump_deck(deck), "types.yaml").cards] == [
        c.id for c in deck.cards
    ]

from __future__ import annotations

import pytest

from bot.core.models import CardRef, Rating
from bot.core.session import ReviewSession

A, B, C, D, E = (CardRef("dl", name) for name in "abcde")


def answer_all(session: ReviewSession, *ratings: int) -> ReviewSession:
    for rating in ratings:
        session = session.answer(Rating(rating))
    return session


def test_review_session_shows_cards_in_order() -> None:
    session = ReviewSession.start([A, B, C])
    assert session.current == A
    assert session.answer(Rating.MOSTLY).current == B


def test_review_session_drops_duplicate_cards() -> None:
    assert ReviewSession.start([A, B, A]).queue == (A, B)


@pytest.mark.parametrize("rating", [Rating.NOT_AT_ALL, Rating.BARELY])
def test_review_session_requeues_failed_card_a_few_cards_later(rating: Rating) -> None:
    session = ReviewSession.start([A, B, C, D, E]).answer(rating)
    assert session.queue == (B, C, D, A, E)


@pytest.mark.parametrize("rating", [Rating.SOMEWHAT, Rating.MOSTLY, Rating.PERFECTLY])
def test_review_session_passed_card_leaves(rating: Rating) -> None:
    assert ReviewSession.start([A, B]).answer(rating).queue == (B,)


def test_review_session_requeues_at_end_when_few_left() -> None:
    assert ReviewSession.start([A, B]).answer(Rating.NOT_AT_ALL).queue == (B, A)


def test_review_session_failed_card_returns_before_session_ends() -> None:
    session = answer_all(ReviewSession.start([A, B]), 1, 4, 2, 5)
    assert session.finished
    assert [card for card, _ in session.answers] == [A, B, A, A]


def test_review_session_stop_ends_it() -> None:
    session = ReviewSession.start([A, B]).stop()
    assert session.finished and session.current is None
    with pytest.raises(ValueError):
        session.answer(Rating.MOSTLY)


def test_review_session_summary_counts() -> None:
    summary = answer_all(ReviewSession.start([A, B, C]), 1, 4, 5, 3).stop().summary()
    assert summary.counts[Rating.NOT_AT_ALL] == 1
    assert summary.counts[Rating.BARELY] == 0
    assert sum(summary.counts.values()) == summary.answers == 4
    assert summary.cards_reviewed == 3
    assert summary.cards_left == 0


def test_review_session_summary_of_stopped_session_counts_cards_left() -> None:
    summary = ReviewSession.start([A, B, C]).answer(Rating.MOSTLY).stop().summary()
    assert (summary.answers, summary.cards_reviewed, summary.cards_left) == (1, 1, 2)


def test_review_session_is_a_value() -> None:
    start = ReviewSession.start([A, B])
    start.answer(Rating.NOT_AT_ALL)
    assert start.queue == (A, B) and start.answers == ()


def test_review_session_requires_positive_requeue_gap() -> None:
    with pytest.raises(ValueError):
        ReviewSession.start([A], requeue_after=0)

"""Whether a deck fits in one deck file, judged by the deck file's own checks.

An import is refused up front when the file it would write is one check-decks refuses (too
many values, too many bytes): rather than knowing those limits, the deck is dumped and given
to parse_deck, the validator check-decks and the bot use, so the two cannot drift apart.

A deck that does not fit is refused, not split in several files: drops, /quiz and the member
schedules all name a deck, so making two decks of one is the admin's decision, and the
refusal says how many cards fit in one.
"""

from __future__ import annotations

from typing import Final

from bot.core.models import Deck
from bot.decks.deckfile import parse_deck
from bot.decks.dump import deck_file_parts
from bot.decks.errors import DeckError, Problem
from bot.decks.files import MAX_FILE_BYTES

# Each try parses a file of up to MAX_FILE_BYTES; the estimate below is right the first or
# second time, and a wrong one must not cost a minute.
_MAX_TRIES: Final = 6


def oversize_problem(deck: Deck, path: str) -> Problem | None:
    """None if the deck, written as a deck file, passes check-decks; else a problem on `path`
    saying why not and how many of its leading cards would."""
    head, cards = deck_file_parts(deck)
    shown = f"{deck.id}.yaml"
    reason = _refusal(head, cards, shown)
    if reason is None:
        return None
    fitting: int | None = None
    count, refusal = len(cards), reason
    for _ in range(_MAX_TRIES):
        count = min(count - 1, _cards_before(refusal, head, cards))
        if count < 1:
            break
        next_refusal = _refusal(head, cards[:count], shown)
        if next_refusal is None:
            fitting = count
            break
        refusal = next_refusal
    why = reason.message.split(";")[0]
    message = (
        f"{len(cards)} cards are too many for one deck file: check-decks would refuse it ({why})"
    )
    if fitting is not None:
        message += (
            f"; at most {fitting} of these cards fit in one, "
            f"so split the export into parts of at most {fitting} cards"
        )
    return Problem(path, None, message)


def _refusal(head: str, cards: list[str], shown: str) -> Problem | None:
    try:
        parse_deck(head + "\n".join(cards), shown)
    except DeckError as error:
        return error.problems[0]
    return None


def _cards_before(problem: Problem, head: str, cards: list[str]) -> int:
    """How many leading cards lie before what `problem` points at: the line of the value past
    the limit, or, for the whole file (its size), the bytes. Only an estimate to try next:
    parse_deck has the last word."""
    if problem.line is None:
        size, count = len(head.encode("utf-8")) - 1, 0
        for card in cards:
            size += 1 + len(card.encode("utf-8"))  # the blank line before it, then the card
            if size > MAX_FILE_BYTES:
                break
            count += 1
        return count
    line, count = head.count("\n") + 1, 0  # the first card's first line
    for card in cards:
        last = line + card.count("\n") - 1
        if last >= problem.line:
            break
        count += 1
        line = last + 2  # past the blank line between cards
    return count

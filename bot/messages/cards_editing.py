"""What `/card add`, `/card edit` and the "Edit card" message menu say, their modal included."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.models import CardRef
from bot.messages.suspensions import shown

EDIT_MENU = "Edit card"
ACTION = "add and edit cards"  # ends the deck-manager refusal: "…can add and edit cards."
ADD_TITLE = "Add a card"
EDIT_TITLE = "Edit card"
QUESTION_LABEL = "Question"
ANSWER_LABEL = "Answer"
CLOZE_LABEL = "Cloze text ({{c1::hidden}})"
EXTRA_LABEL = "Extra (shown below the answer)"
HINT_LABEL = "Hint (optional)"
NOT_A_POST = "That message is not a card this bot posted here."
MAX_SHOWN_PROBLEMS = 5


def library_deck(deck_id: str) -> str:
    return (
        f"`{deck_id}` is a library deck: its cards are files on the bot's host and are edited"
        " there. Cards can be added and edited in this server's own decks (`/deck import`)."
    )


def added(card: CardRef) -> str:
    return f"Added {shown(card)}. `/quiz deck:{card.deck_id}` can post it now."


def edited(card: CardRef, card_ids: tuple[str, ...]) -> str:
    others = [i for i in card_ids if i != card.card_id]
    also = (
        f" (its entry's other cards too: {', '.join(f'`{i}`' for i in others)})" if others else ""
    )
    return f"Saved {shown(card)}{also}; everyone's schedule of it is kept."


def rejected(problems: Sequence[str]) -> str:
    """A bad form: what the deck file validator found (without the stored file's line)."""
    lines = [f"- {problem}" for problem in problems[:MAX_SHOWN_PROBLEMS]]
    return "Nothing was saved; the card is not valid:\n" + "\n".join(lines)


def image_refused(filename: str, why: str) -> str:
    return f"Nothing was saved: the image `{filename[:80]}` {why}."


IMAGE_NOT_AN_IMAGE = "is not an image file (.png, .jpg, .gif, .webp)"
IMAGE_DOWNLOAD_FAILED = "could not be downloaded from Discord; try again"


def image_too_large(limit_mib: int) -> str:
    return f"is over {limit_mib} MiB, the most Discord shows with a card"


def image_over_media_limit(limit_mib: int) -> str:
    return f"would take this server's deck images past {limit_mib} MiB (max_media_mib_per_guild)"

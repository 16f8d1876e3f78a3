"""Domain models shared by every layer: cards, the deck entries (notes) they come from, decks
and the 1-5 confidence rating (its words are in `bot.messages.study`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

# Discord renders a card in one embed (description ≤ 4096 characters, 6000 in all), and the
# answer is appended to the question on reveal, so each part gets a share of that budget.
MAX_QUESTION_CHARS = 1800
MAX_ANSWER_CHARS = 1800
MAX_HINT_CHARS = 300
MAX_DECK_NAME_CHARS = 100
MAX_DESCRIPTION_CHARS = 1000
MAX_CARD_ID_CHARS = 64
MAX_TAG_CHARS = 50


class Rating(IntEnum):
    """How well a member knew a card, on Brainscape's scale."""

    NOT_AT_ALL = 1
    BARELY = 2
    SOMEWHAT = 3
    MOSTLY = 4
    PERFECTLY = 5


class CardKind(StrEnum):
    """What a deck entry (a note) is, and so how many cards it makes: `type:` in a deck file."""

    BASIC = "basic"  # one card, question -> answer
    REVERSED = "reversed"  # two cards: question -> answer and answer -> question
    CLOZE = "cloze"  # one card per cloze number of the text ({{c1::...}})


@dataclass(frozen=True, slots=True)
class Note:
    """One deck entry as written: the cards it makes come from `bot.core.card_types.expand`.

    `question` is the front (a cloze note's text with its deletions); `answer` the back (a cloze
    note's optional extra, shown below the answer). The `hint` is the front's (a reversed
    note's reverse card has none); `tags` and `image` go with every card.
    """

    id: str
    kind: CardKind
    question: str
    answer: str | None = None
    hint: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """One flashcard. `id` is stable: it keys every member's schedule of this card.

    `image` is an http(s) URL or a path relative to the deck file. `note` is the entry the
    card was made from when that is not the card itself (a reversed or cloze entry): the card's
    texts are then rendered from it, and writing the deck back writes the note once.
    """

    id: str
    question: str
    answer: str
    hint: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    note: Note | None = None

    @property
    def note_id(self) -> str:
        """The id of the entry the card comes from: the card's own for a basic card."""
        return self.id if self.note is None else self.note.id

    @property
    def kind(self) -> CardKind:
        return CardKind.BASIC if self.note is None else self.note.kind


@dataclass(frozen=True, slots=True)
class Deck:
    """A named list of cards. `id` is the deck file's name without its extension."""

    id: str
    name: str
    cards: tuple[Card, ...]
    description: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = field(default=None, compare=False)

    def card(self, card_id: str) -> Card | None:
        for card in self.cards:
            if card.id == card_id:
                return card
        return None


@dataclass(frozen=True, slots=True, order=True)
class CardRef:
    """Names one card across decks: card ids are unique within their deck only."""

    deck_id: str
    card_id: str

    def __str__(self) -> str:
        return f"{self.deck_id}/{self.card_id}"

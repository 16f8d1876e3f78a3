"""How cards look in Discord: the posted question, the revealed answer, review-session cards.

A card's image shows in its embed: a web image by its URL, a local file (a path relative to the
deck file) as `attachment://<name>`, the name of the file the message carries (see
`bot.services.posting.load_image`). The embeds take the URL to show; None shows no image.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import discord

from bot.core.models import Card, Deck, Rating
from bot.core.session import SessionSummary
from bot.messages import study

CARD_COLOUR = discord.Colour.blurple()
ANSWER_COLOUR = discord.Colour.green()


def question_text(deck: Deck, card: Card, reveal_emoji: str) -> str:
    """The message text of a posted card: deck, question, and how to reveal."""
    return (
        f"\N{FLOWER PLAYING CARDS} **{deck.name}**\n"
        f"{card.question.strip()}\n\n"
        f"*React {reveal_emoji} to reveal the answer.*"
    )


def revealed_text(deck: Deck, card: Card) -> str:
    return f"\N{FLOWER PLAYING CARDS} **{deck.name}**\n{card.question.strip()}"


def spoiler(text: str) -> str | None:
    """`text` behind a Discord spoiler, or None when a spoiler cannot hide it.

    Discord shows a fenced code block inside `|| ||` in the clear, and a `||` inside the text
    ends the spoiler early; such text is offered privately instead (a button whose answer only
    the member who pressed it sees, see `bot.services.posting`).
    """
    text = text.strip()
    if "```" in text or "||" in text:
        return None
    return f"||{text}||"


def hint_is_private(card: Card) -> bool:
    return card.hint is not None and spoiler(card.hint) is None


def answer_is_private(card: Card, *, spoiler_answers: bool) -> bool:
    return spoiler_answers and spoiler(card.answer) is None


HINT_BUTTON = "Hint"
ANSWER_BUTTON = "Show answer"  # on posted cards and on /review pages
PRIVATE_HINT = f"Hint: press **{HINT_BUTTON}** to see it (only you will)."
PRIVATE_ANSWER = (
    "This answer has code in it, which Discord cannot hide behind a spoiler: "
    f"press **{ANSWER_BUTTON}** to see it (only you will)."
)


# Discord keeps letters, digits, '.', '_' and '-' of an attachment's name and changes the rest,
# and `attachment://<name>` must name the file exactly as Discord stores it.
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def is_web_image(image: str) -> bool:
    """An image Discord fetches itself (http/https), as opposed to a file of the deck."""
    return image.lower().startswith(("http://", "https://"))


def attachment_name(image: str) -> str:
    """The name a local image is attached under: its file name, made safe for Discord."""
    name = _UNSAFE_NAME.sub("_", PurePosixPath(image.replace("\\", "/")).name).strip(".")
    return name or "image"


def attachment_url(name: str) -> str:
    return f"attachment://{name}"


def hint_embed(card: Card, *, image_url: str | None = None) -> discord.Embed | None:
    """Shown with the question: the hint (behind a spoiler) and the card's image, if any."""
    if not card.hint and not image_url:
        return None
    embed = discord.Embed(colour=CARD_COLOUR)
    if card.hint:
        hidden = spoiler(card.hint)
        embed.description = f"Hint: {hidden}" if hidden else PRIVATE_HINT
    if image_url:
        embed.set_image(url=image_url)
    return embed


def answer_embed(
    card: Card, *, spoiler_answers: bool, image_url: str | None = None
) -> discord.Embed:
    """The answer shown on reveal: behind a spoiler, in the clear, or offered privately."""
    answer = card.answer.strip()
    shown = (spoiler(answer) or PRIVATE_ANSWER) if spoiler_answers else answer
    embed = discord.Embed(
        title="Answer", description=f"{shown}\n\n{study.RATING_PROMPT}", colour=ANSWER_COLOUR
    )
    if image_url:
        embed.set_image(url=image_url)
    return embed


def private_hint(card: Card) -> discord.Embed:
    """The hint for the one member who asked for it (an ephemeral reply)."""
    return discord.Embed(title="Hint", description=(card.hint or "").strip(), colour=CARD_COLOUR)


def private_answer(deck: Deck, card: Card) -> discord.Embed:
    """The answer for the one member who asked for it (an ephemeral reply)."""
    embed = discord.Embed(
        title=f"Answer · {deck.name}", description=card.answer.strip(), colour=ANSWER_COLOUR
    )
    embed.set_footer(text=study.RATING_PROMPT)
    return embed


def missing_card_text(deck_id: str, card_id: str) -> str:
    """A posted card whose deck no longer has it, shown when it is revealed."""
    return f"This card (`{deck_id}/{card_id}`) is no longer in its deck."


# --- a member's private review session ---------------------------------------------------------


def review_page(
    deck_name: str,
    question: str,
    answer: str,
    *,
    revealed: bool,
    cards_left: int,
    image_url: str | None = None,
) -> discord.Embed:
    """One page of `/review`: the question, and the answer once the member asked for it."""
    text = question.strip()
    if revealed:
        text += f"\n\n**Answer**\n{answer.strip()}"
    embed = discord.Embed(title=deck_name, description=text)
    embed.set_footer(text=study.page_footer(cards_left, revealed=revealed))
    if image_url:
        embed.set_image(url=image_url)
    return embed


def card_gone() -> discord.Embed:
    return discord.Embed(description=study.CARD_GONE)


def session_summary(summary: SessionSummary) -> discord.Embed:
    counts = [f"{study.rate_label(r)}: {summary.counts[r]}" for r in Rating if summary.counts[r]]
    embed = discord.Embed(
        title=study.session_title(finished=not summary.cards_left),
        description=study.session_summary(summary.cards_reviewed, summary.answers, counts),
        colour=discord.Colour.green(),
    )
    if summary.cards_left:
        embed.set_footer(text=study.cards_left_footer(summary.cards_left))
    return embed

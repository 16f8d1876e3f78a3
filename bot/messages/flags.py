"""What members see of flags: the Flag button's answers, and `/deck flags` for deck managers."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.core.flags import FlaggedCard
from bot.core.models import Card
from bot.core.reactions import FLAG_EMOJI

FLAG_BUTTON = "Flag as wrong"
FLAGGED = "Flagged: thank you. This server's deck managers will see it in `/deck flags`."
ALREADY_FLAGGED = (
    "You have already flagged this card; this server's deck managers will see it in `/deck flags`."
)
FLAGS_SHOWN = 15  # cards listed by /deck flags; the rest are counted
_QUESTION_CHARS = 60


def no_flags(deck_id: str | None) -> str:
    where = f" in `{deck_id}`" if deck_id else ""
    return f"No card{where} is flagged."


def _members(n: int) -> str:
    return "1 member" if n == 1 else f"{n} members"


def _question_start(card: Card | None) -> str:
    if card is None:
        return "*(no longer in its deck)*"
    question = " ".join(card.question.split())
    return question if len(question) <= _QUESTION_CHARS else question[: _QUESTION_CHARS - 1] + "…"


def _when(at: datetime) -> str:
    return f"<t:{int(at.timestamp())}:R>"  # Discord shows it in each reader's own time


def flag_list(
    flagged: list[tuple[FlaggedCard, Card | None]], total: int, deck_id: str | None
) -> discord.Embed:
    """`/deck flags`: the most flagged cards first, with how many more there are."""
    lines = [
        f"`{f.card.deck_id}` · `{f.card.card_id}` — {_question_start(card)}\n"
        f"  {FLAG_EMOJI} {_members(f.members)}, last {_when(f.last_flagged_at)}"
        for f, card in flagged
    ]
    if total > len(flagged):
        lines.append(f"… and {total - len(flagged)} more flagged card(s).")
    lines.append("Clear a card's flags with `/deck unflag deck card`.")
    title = f"Flagged cards in {deck_id}" if deck_id else "Flagged cards"
    return discord.Embed(title=f"{title} ({total})", description="\n".join(lines)[:4096])


def cleared(deck_id: str, card_id: str, n: int) -> str:
    flags = "1 flag" if n == 1 else f"{n} flags"
    return f"Cleared {flags} on `{deck_id}` · `{card_id}`: it leaves `/deck flags`."


def nothing_to_clear(deck_id: str, card_id: str) -> str:
    return f"`{deck_id}` · `{card_id}` has no open flags."

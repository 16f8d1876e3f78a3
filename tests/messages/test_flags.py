"""How `/deck flags` shows flagged cards: question starts, counts, and the rest counted."""

from __future__ import annotations

from bot.core.flags import FlaggedCard
from bot.core.models import Card, CardRef
from bot.messages.flags import flag_list
from tests.core.factories import T0

LONG = "Which of these statements about gradient descent with momentum is true when " * 2


def test_flag_list_cuts_questions_and_counts_the_cards_not_shown() -> None:
    shown = [
        (FlaggedCard(CardRef("dl", "c1"), 3, T0, T0), Card("c1", LONG, "A")),
        (FlaggedCard(CardRef("dl", "gone"), 1, T0, T0), None),
    ]

    embed = flag_list(shown, total=17, deck_id="dl")

    assert embed.title == "Flagged cards in dl (17)"
    lines = (embed.description or "").split("\n")
    assert lines[0] == f"`dl` · `c1` — {LONG[:59]}…"
    assert lines[1] == f"  🚩 3 members, last <t:{int(T0.timestamp())}:R>"
    assert lines[2] == "`dl` · `gone` — *(no longer in its deck)*"
    assert lines[4] == "… and 15 more flagged card(s)."

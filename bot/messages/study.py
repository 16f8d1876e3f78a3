"""A member's own study: `/review` sessions, `/due`, `/timezone`, `/remind` and the reminder DM."""

from __future__ import annotations

from datetime import date, time

from bot.core.models import Rating

NOTHING_TO_REVIEW = (
    "Nothing to review right now: no cards are due and today's new cards are done. "
    "See `/due` for when the next ones come."
)
SESSION_ENDED = "This review session has ended. Start a new one with `/review`."
NOT_YOUR_SESSION = "This review session is someone else's. Start your own with `/review`."
CARD_GONE = "This card is no longer in its deck."
STOP = "Stop"

RATING_PROMPT = "How well did you know this? 1 Not at all … 5 Perfectly"
_RATING_LABELS = {
    Rating.NOT_AT_ALL: "Not at all",
    Rating.BARELY: "Barely",
    Rating.SOMEWHAT: "Somewhat",
    Rating.MOSTLY: "Mostly",
    Rating.PERFECTLY: "Perfectly",
}


def rating_label(rating: Rating) -> str:
    """The words of a rating, as on Brainscape's scale: "Not at all" … "Perfectly"."""
    return _RATING_LABELS[rating]


def due_summary(
    counts: dict[str, int], new: int, deck_names: dict[str, str], upcoming: date | None
) -> str:
    """`/due`: the member's due cards per deck, the new cards waiting, the next due date."""
    lines = [
        f"**{deck_names.get(deck_id, deck_id)}**: {n} due" for deck_id, n in sorted(counts.items())
    ]
    total = sum(counts.values())
    head = f"You have **{total}** card(s) due today." if total else "Nothing is due today."
    if not new:
        waiting = ""
    elif total:
        waiting = f"**{new}** new card(s) are waiting too."
    else:
        waiting = f"**{new}** new card(s) are waiting: `/review` starts them."
    tail = f"Next cards come due on **{upcoming.isoformat()}**." if upcoming else ""
    hint = "Use `/review` to study them." if total else ""
    return "\n".join(line for line in (head, *lines, waiting, tail, hint) if line)


def page_footer(cards_left: int, *, revealed: bool) -> str:
    return RATING_PROMPT if revealed else f"{cards_left} card(s) left in this session"


def rate_label(rating: Rating) -> str:
    """A rating with its number, as on the rate buttons: "1 Not at all"."""
    return f"{int(rating)} {rating_label(rating)}"


def session_title(*, finished: bool) -> str:
    return "Session finished" if finished else "Session stopped"


def session_summary(cards_reviewed: int, answers: int, counts: list[str]) -> str:
    return f"You reviewed **{cards_reviewed}** card(s) with **{answers}** answer(s).\n" + "\n".join(
        counts
    )


def cards_left_footer(cards_left: int) -> str:
    return f"{cards_left} card(s) left for later: /review continues."


def unknown_zone(problem: str) -> str:
    """`problem`: the zone parser's one line (see `bot.core.admin_input.parse_zone`)."""
    return f"{problem}. Pick one from the list this command offers as you type."


def zone_set(zone: str) -> str:
    return f"Your time zone is now **{zone}**."


REMINDERS_OFF = "Reminders are off."


def reminders_on(at: time, zone: str) -> str:
    return f"I'll DM you at {at:%H:%M} ({zone}) when cards are due. Set your zone with `/timezone`."


def reminder_dm(due: int) -> str:
    return (
        f"\N{ALARM CLOCK} You have **{due}** card(s) due. "
        "Run `/review` in the server to study them."
    )

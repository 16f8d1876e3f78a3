"""What members and admins read about daily drops: the heading, descriptions, replies."""

from __future__ import annotations

from datetime import datetime

from bot.core.drops import (
    EVERY_DAY,
    WEEKDAY_NAMES,
    WEEKDAYS,
    WEEKENDS,
    Drop,
    DropSource,
    Occurrence,
)


def heading(role_id: int | None, deck_names: list[str], count: int) -> str:
    """The message a drop's cards follow (mentioning the drop's role, if it has one)."""
    decks = " & ".join(deck_names) if deck_names else "your decks"
    mention = f"<@&{role_id}> " if role_id else ""
    plural = "card" if count == 1 else "cards"
    return f"{mention}\N{SUNRISE} **Daily drop** — {count} {plural} from {decks}"


def thread_name(day: str) -> str:
    return f"Daily drop {day}"


def describe_days(days: frozenset[int]) -> str:
    if days == EVERY_DAY:
        return "every day"
    if days == WEEKDAYS:
        return "weekdays"
    if days == WEEKENDS:
        return "weekends"
    return ", ".join(WEEKDAY_NAMES[d - 1] for d in sorted(days))


def describe(drop: Drop, deck_names: dict[str, str], upcoming: Occurrence | None) -> str:
    """One line of `/drop list`: what, where, when, and the next time it runs."""
    names = ", ".join(deck_names.get(d, f"`{d}`") for d in drop.deck_ids)
    when = f"next {timestamp(upcoming.at)}" if upcoming else "no upcoming date"
    parts = [
        f"{drop.cards} card(s) from {names} in <#{drop.channel_id}>",
        f"at {drop.local_time:%H:%M} {drop.timezone}, {describe_days(drop.weekdays)}",
        "paused" if drop.paused else when,
    ]
    if drop.role_id:
        parts.append(f"mentions <@&{drop.role_id}>")
    if drop.thread:
        parts.append("in a thread")
    if drop.source is DropSource.CONFIG:
        parts.append("from config.yaml")
    return " · ".join(parts)


def timestamp(at: datetime) -> str:
    """Discord renders this in each reader's own time zone."""
    return f"<t:{int(at.timestamp())}:F>"


def scheduled(drop_id: int | None, description: str) -> str:
    return f"Drop **#{drop_id}** scheduled: {description}"


def listed(drop_id: int | None, description: str) -> str:
    """One drop in `/drop list`."""
    return f"**#{drop_id}** {description}"


def listing(lines: list[str]) -> str:
    return "\n".join(lines)[:2000]


NO_DROPS = "No drops yet: add one with `/drop add`."


def removed(drop_id: int) -> str:
    return f"Drop #{drop_id} removed."


def paused(drop_id: int, *, paused: bool) -> str:
    return f"Drop #{drop_id} {'paused' if paused else 'resumed'}."


def no_such_drop(drop_id: int) -> str:
    return f"There is no drop #{drop_id} on this server: see `/drop list`."


def posted_now(drop_id: int, count: int) -> str:
    return f"Posted drop #{drop_id} ({count} cards)."


def cannot_post_in(channel_id: int, reason: str) -> str:
    return f"I could not post in <#{channel_id}>: {reason}"

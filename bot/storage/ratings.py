"""The rating log and the member schedules derived from it, kept in step in one transaction.

The rules (duplicates, a button replacing the earlier choice, incremental review or replay)
are `bot.core.ratings.plan_rating` and `plan_retraction`. Each unit of work here reads what
they need (the post's card, the member's live events of it), asks for the plan and applies it.
A REVIEW plan gives the same state as the replay, which the tests check.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from bot.core.members import GuildSettings, member_study_date
from bot.core.models import CardRef, Rating
from bot.core.ratings import (
    RatingEvent,
    RatingPlan,
    RatingSource,
    StateChange,
    plan_rating,
    plan_retraction,
)
from bot.core.scheduling import MemberCardState, SchedulingSettings, replay, review
from bot.storage.codec import decode_date, decode_instant, encode_date, encode_instant
from bot.storage.database import Database
from bot.storage.members import (
    GUILD_SETTINGS_SQL,
    MEMBER_SETTINGS_SQL,
    guild_settings_from_row,
    member_settings_from_row,
)
from bot.storage.posts import posted_card
from bot.storage.states import delete_state, load_state, save_state

EVENT_COLUMNS = (
    "id, guild_id, user_id, deck_id, card_id, post_id, rating, rated_at, study_date, source,"
    " retracted"
)


@dataclass(frozen=True, slots=True)
class RatingUpdate:
    """What recording or retracting a rating did."""

    # False: a duplicate delivery, or nothing to retract.
    changed: bool
    # The member's state of the card afterwards; None when no effective rating is left.
    state: MemberCardState | None
    # The stored event, with its id, when a row was added.
    event: RatingEvent | None = None


class RatingStore:
    """Every write of ratings and schedules runs on the writer (`bot.storage.writer`), in
    submission order; the reads that must see the queued writes (live ratings) do too."""

    def __init__(
        self, database: Database, settings: SchedulingSettings, guild_defaults: GuildSettings
    ) -> None:
        self._database = database
        self._settings = settings
        # What a guild's settings are until an admin changes them (the config's zone and day).
        self._guild_defaults = guild_defaults

    async def record_rating(self, event: RatingEvent) -> RatingUpdate:
        """Store an answer and update the member's schedule of the card, atomically."""
        if event.id is not None or event.retracted:
            raise ValueError("record_rating takes a new, unretracted event")
        return await self._database.submit(partial(_record, event=event, settings=self._settings))

    def rate_post_soon(
        self, post_id: int, user_id: int, rating: Rating, at: datetime, source: RatingSource
    ) -> asyncio.Future[RatingUpdate | None]:
        """Queue a member's rating of a posted card, dated by their own study day.

        Resolves to None when no card was posted as `post_id` (a reaction elsewhere).
        """
        return self._database.submit(
            partial(
                _rate_post,
                post_id=post_id,
                user_id=user_id,
                rating=rating,
                at=at,
                source=source,
                settings=self._settings,
                guild_defaults=self._guild_defaults,
            )
        )

    def retract_rating_soon(
        self, post_id: int, user_id: int, rating: Rating
    ) -> asyncio.Future[RatingUpdate]:
        """Queue: a member removed reaction `rating` from a post; retract it, reschedule."""
        return self._database.submit(
            partial(
                _retract,
                post_id=post_id,
                user_id=user_id,
                rating=rating,
                settings=self._settings,
            )
        )

    async def live_ratings(self, post_id: int) -> frozenset[tuple[int, Rating]]:
        """(user id, rating) of every live answer on a post: the reactions it should carry.

        Read on the writer, so answers queued before the call are included.
        """

        def read(db: sqlite3.Connection) -> frozenset[tuple[int, Rating]]:
            rows = db.execute(
                "SELECT user_id, rating FROM ratings WHERE post_id = ? AND retracted = 0",
                (post_id,),
            )
            return frozenset((row["user_id"], Rating(row["rating"])) for row in rows)

        return await self._database.submit(read)


# --- units of work, run in the writer's thread ----------------------------------------------


def _rate_post(
    db: sqlite3.Connection,
    *,
    post_id: int,
    user_id: int,
    rating: Rating,
    at: datetime,
    source: RatingSource,
    settings: SchedulingSettings,
    guild_defaults: GuildSettings,
) -> RatingUpdate | None:
    posted = posted_card(db, post_id)
    if posted is None:
        return None
    guild_id, card = posted
    guild = guild_settings_from_row(
        guild_id, db.execute(GUILD_SETTINGS_SQL, (guild_id,)).fetchone(), guild_defaults
    )
    member = member_settings_from_row(
        guild_id, user_id, db.execute(MEMBER_SETTINGS_SQL, (guild_id, user_id)).fetchone()
    )
    event = RatingEvent(
        guild_id=guild_id,
        user_id=user_id,
        deck_id=card.deck_id,
        card_id=card.card_id,
        rating=rating,
        rated_at=at,
        study_date=member_study_date(at, guild, member),
        source=source,
        post_id=post_id,
    )
    return _record(db, event=event, settings=settings, post_checked=True)


def _record(
    db: sqlite3.Connection,
    *,
    event: RatingEvent,
    settings: SchedulingSettings,
    post_checked: bool = False,
) -> RatingUpdate:
    if event.post_id is not None and not post_checked:
        _check_post(db, event.post_id, event)
    plan = plan_rating(event, _events_bearing_on(db, event))
    stored = None
    if plan.insert:
        stored = _insert(db, event)
        _touch_member(db, stored)
    return _apply(db, plan, event.guild_id, event.user_id, event.card, None, stored, settings)


def _retract(
    db: sqlite3.Connection,
    *,
    post_id: int,
    user_id: int,
    rating: Rating,
    settings: SchedulingSettings,
) -> RatingUpdate:
    posted = posted_card(db, post_id)
    if posted is None:
        return RatingUpdate(changed=False, state=None)
    guild_id, card = posted
    live = _live_events(db, guild_id, user_id, card)
    plan = plan_retraction(post_id, rating, live)
    return _apply(db, plan, guild_id, user_id, card, live, None, settings)


def _apply(
    db: sqlite3.Connection,
    plan: RatingPlan,
    guild_id: int,
    user_id: int,
    card: CardRef,
    history: list[RatingEvent] | None,
    stored: RatingEvent | None,
    settings: SchedulingSettings,
) -> RatingUpdate:
    """Carry out the rest of `plan` (the new event, if any, is already `stored`).

    `history`: the member's live events of the card before the plan, all of them, if they
    were read; a replay reads them otherwise.
    """
    for event_id in plan.retract:
        db.execute("UPDATE ratings SET retracted = 1 WHERE id = ?", (event_id,))
    state: MemberCardState | None
    if plan.state is StateChange.KEEP:
        state = load_state(db, guild_id, user_id, card)
    elif plan.state is StateChange.REVIEW:
        assert stored is not None
        state = review(load_state(db, guild_id, user_id, card), stored, settings)
        save_state(db, state)
    else:
        if history is None:
            events = _live_events(db, guild_id, user_id, card)
        else:  # as they now stand, still in arrival order (a stored one is the newest)
            gone = set(plan.retract)
            events = [e for e in history if e.id not in gone] + ([stored] if stored else [])
        state = replay(events, settings)
        if state is None:
            delete_state(db, guild_id, user_id, card)
        else:
            save_state(db, state)
    return RatingUpdate(changed=plan.changed, state=state, event=stored)


def event_from_row(row: sqlite3.Row) -> RatingEvent:
    return RatingEvent(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        post_id=row["post_id"],
        rating=Rating(row["rating"]),
        rated_at=decode_instant(row["rated_at"]),
        study_date=decode_date(row["study_date"]),
        source=RatingSource(row["source"]),
        retracted=bool(row["retracted"]),
    )


def _live_events(
    db: sqlite3.Connection, guild_id: int, user_id: int, card: CardRef
) -> list[RatingEvent]:
    """The member's unretracted events of the card, in arrival order: what the plan needs."""
    rows = db.execute(
        f"SELECT {EVENT_COLUMNS} FROM ratings"
        " WHERE guild_id = ? AND user_id = ? AND deck_id = ? AND card_id = ? AND retracted = 0"
        " ORDER BY id",
        (guild_id, user_id, card.deck_id, card.card_id),
    )
    return [event_from_row(row) for row in rows]


def _events_bearing_on(db: sqlite3.Connection, event: RatingEvent) -> list[RatingEvent]:
    """The member's live events of the card that `plan_rating` looks at: those on the
    event's post and those answered after it (usually none), in arrival order."""
    # Two index seeks (the post's live events, the card's later ones), not a scan of the
    # member's whole history of the card. On a post, the card is the post's (see _check_post).
    # UNION ALL, deduplicated and ordered here: SQLite's UNION and ORDER BY cost temporary
    # b-trees on every rating, for results that are almost always empty.
    rows = db.execute(
        f"SELECT {EVENT_COLUMNS} FROM ratings WHERE post_id = ? AND user_id = ? AND retracted = 0"
        f" UNION ALL SELECT {EVENT_COLUMNS} FROM ratings"
        " WHERE guild_id = ? AND user_id = ? AND deck_id = ? AND card_id = ? AND rated_at > ?"
        " AND retracted = 0",
        (
            event.post_id,
            event.user_id,
            event.guild_id,
            event.user_id,
            event.deck_id,
            event.card_id,
            encode_instant(event.rated_at),
        ),
    ).fetchall()
    if not rows:
        return []
    by_id = {row["id"]: row for row in rows}
    return [event_from_row(by_id[event_id]) for event_id in sorted(by_id)]


def _check_post(db: sqlite3.Connection, post_id: int, event: RatingEvent) -> None:
    # A rating filed under the wrong card would silently corrupt two schedules.
    posted = posted_card(db, post_id)
    if posted is None:
        raise ValueError(f"rating for unknown post {post_id}")
    if posted != (event.guild_id, event.card):
        raise ValueError(f"rating for {event.card} does not match post {post_id}")


def _insert(db: sqlite3.Connection, event: RatingEvent) -> RatingEvent:
    cursor = db.execute(
        "INSERT INTO ratings (guild_id, user_id, deck_id, card_id, post_id, rating, rated_at,"
        " study_date, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            event.guild_id,
            event.user_id,
            event.deck_id,
            event.card_id,
            event.post_id,
            int(event.rating),
            encode_instant(event.rated_at),
            encode_date(event.study_date),
            event.source.value,
        ),
    )
    assert cursor.lastrowid is not None
    return replace(event, id=cursor.lastrowid)


def _touch_member(db: sqlite3.Connection, event: RatingEvent) -> None:
    # max(): a reconciled or late event must not make a member look less recently active.
    db.execute(
        "INSERT INTO members (guild_id, user_id, last_rated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE SET"
        " last_rated_at = max(coalesce(last_rated_at, ''), excluded.last_rated_at)",
        (event.guild_id, event.user_id, encode_instant(event.rated_at)),
    )

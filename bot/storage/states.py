"""Rows of `member_card_state`: one codec for the stores that read schedules and the writer.

The writer's side (`load_state`, `save_state`, `delete_state`) is plain sqlite3, run in the
writer's thread (see `bot.storage.writer`).
"""

from __future__ import annotations

import sqlite3

from bot.core.models import CardRef
from bot.core.scheduling import MemberCardState, MemoryState
from bot.storage.codec import decode_date, encode_date

STATE_COLUMNS = (
    "guild_id, user_id, deck_id, card_id, memory_state, stability, difficulty, due_date, "
    "last_review, introduced_on, reps, lapses"
)


def state_from_row(row: sqlite3.Row) -> MemberCardState:
    return MemberCardState(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        memory_state=MemoryState(row["memory_state"]),
        stability=row["stability"],
        difficulty=row["difficulty"],
        due=decode_date(row["due_date"]),
        last_review=decode_date(row["last_review"]),
        introduced_on=decode_date(row["introduced_on"]),
        reps=row["reps"],
        lapses=row["lapses"],
    )


LOAD_STATE_SQL = (
    f"SELECT {STATE_COLUMNS} FROM member_card_state"
    " WHERE guild_id = ? AND user_id = ? AND deck_id = ? AND card_id = ?"
)


def load_state(
    db: sqlite3.Connection, guild_id: int, user_id: int, card: CardRef
) -> MemberCardState | None:
    row = db.execute(LOAD_STATE_SQL, (guild_id, user_id, card.deck_id, card.card_id)).fetchone()
    return None if row is None else state_from_row(row)


def save_state(db: sqlite3.Connection, state: MemberCardState) -> None:
    db.execute(
        f"INSERT INTO member_card_state ({STATE_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (guild_id, user_id, deck_id, card_id) DO UPDATE SET"
        " memory_state = excluded.memory_state, stability = excluded.stability,"
        " difficulty = excluded.difficulty, due_date = excluded.due_date,"
        " last_review = excluded.last_review, introduced_on = excluded.introduced_on,"
        " reps = excluded.reps, lapses = excluded.lapses",
        (
            state.guild_id,
            state.user_id,
            state.deck_id,
            state.card_id,
            int(state.memory_state),
            state.stability,
            state.difficulty,
            encode_date(state.due),
            encode_date(state.last_review),
            encode_date(state.introduced_on),
            state.reps,
            state.lapses,
        ),
    )


def delete_state(db: sqlite3.Connection, guild_id: int, user_id: int, card: CardRef) -> None:
    db.execute(
        "DELETE FROM member_card_state"
        " WHERE guild_id = ? AND user_id = ? AND deck_id = ? AND card_id = ?",
        (guild_id, user_id, card.deck_id, card.card_id),
    )

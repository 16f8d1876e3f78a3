"""Suspended cards: out of every choice of what to study, their history kept, back when
unsuspended — on real SQLite files."""

from __future__ import annotations

from datetime import timedelta

from bot.core.models import CardRef
from bot.storage import Storage
from tests.core.factories import GUILD, T0, USER
from tests.storage.conftest import CHANNEL
from tests.storage.helpers import card_state, rating_history
from tests.storage.test_schedule_store import TODAY, rate

C1, C2, C3 = (CardRef("dl", f"c{n}") for n in (1, 2, 3))
TOMORROW = TODAY + timedelta(days=1)


async def test_suspend_is_per_guild_and_said_once(storage: Storage) -> None:
    assert await storage.suspensions.suspend(GUILD, C1, USER, T0) is True
    assert await storage.suspensions.suspend(GUILD, C1, USER, T0) is False
    assert await storage.suspensions.suspended(GUILD) == [C1]
    assert await storage.suspensions.suspended(GUILD, "ml") == []
    assert await storage.suspensions.suspended(GUILD + 1) == []
    assert await storage.suspensions.unsuspend(GUILD, C1) is True
    assert await storage.suspensions.unsuspend(GUILD, C1) is False
    assert await storage.suspensions.suspended(GUILD) == []


async def test_a_suspended_card_is_neither_due_nor_new_nor_chosen_and_keeps_its_history(
    storage: Storage,
) -> None:
    await rate(storage, "c1", 3)  # due tomorrow
    await rate(storage, "c2", 3)
    before = await card_state(storage, GUILD, USER, C1)

    await storage.suspensions.suspend(GUILD, C1, USER, T0)

    due = await storage.schedule.next_due(GUILD, USER, TOMORROW)
    assert [state.card for state in due] == [C2]
    assert await storage.schedule.due_counts(GUILD, USER, TOMORROW) == {"dl": 1}
    await storage.suspensions.suspend(GUILD, C3, USER, T0)
    new = await storage.schedule.new_card_candidates(GUILD, USER, "dl", TODAY)
    assert C3 not in new and new  # the deck's other new cards are still offered
    snapshot = await storage.schedule.group_snapshot(GUILD, CHANNEL, ["dl"], T0)
    assert C1 not in snapshot.cards and C3 not in snapshot.cards and C2 in snapshot.cards
    # Another guild studies the same library cards as before.
    other = await storage.schedule.group_snapshot(GUILD + 1, CHANNEL, ["dl"], T0)
    assert C1 in other.cards and C3 in other.cards
    # History and schedule untouched, and back as they were once unsuspended.
    assert await card_state(storage, GUILD, USER, C1) == before
    assert len(await rating_history(storage, GUILD, USER, C1)) == 1
    await storage.suspensions.unsuspend(GUILD, C1)
    due = await storage.schedule.next_due(GUILD, USER, TOMORROW)
    assert [state.card for state in due] == [C1, C2]
    assert await storage.schedule.next_due_date(GUILD, USER, TODAY) == TOMORROW

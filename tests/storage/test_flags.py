from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.flags import FlaggedCard
from bot.core.models import CardRef
from bot.storage import Storage
from tests.core.factories import GUILD, T0, USER
from tests.storage.conftest import make_post

C1, C2, M1 = CardRef("dl", "c1"), CardRef("dl", "c2"), CardRef("ml", "m1")
LATER = T0 + timedelta(hours=1)


async def test_flags_one_open_flag_per_member_and_card(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    assert await storage.flags.flag(GUILD, C1, USER, 1, T0) is True
    assert await storage.flags.flag(GUILD, C1, USER, None, LATER) is False
    assert await storage.flags.flag(GUILD, C1, USER + 1, None, LATER) is True

    flagged, total = await storage.flags.open_flags(GUILD)

    assert (flagged, total) == ([FlaggedCard(C1, 2, T0, LATER)], 1)


async def test_flags_most_flagged_first_capped_with_the_total(storage: Storage) -> None:
    await storage.flags.flag(GUILD, C2, USER, None, T0)
    await storage.flags.flag(GUILD, M1, USER, None, LATER)
    await storage.flags.flag(GUILD, C1, USER, None, T0)
    await storage.flags.flag(GUILD, C1, USER + 1, None, T0)
    await storage.flags.flag(GUILD + 1, C2, USER, None, T0)  # another guild's

    everything, total = await storage.flags.open_flags(GUILD)
    first_two, same_total = await storage.flags.open_flags(GUILD, limit=2)
    of_ml, ml_total = await storage.flags.open_flags(GUILD, "ml")

    assert [f.card for f in everything] == [C1, M1, C2] and total == 3
    assert [f.card for f in first_two] == [C1, M1] and same_total == 3
    assert [f.card for f in of_ml] == [M1] and ml_total == 1


async def test_flags_withdraw_closes_only_the_member_s_own(storage: Storage) -> None:
    await storage.flags.flag(GUILD, C1, USER, None, T0)
    await storage.flags.flag(GUILD, C1, USER + 1, None, T0)

    assert await storage.flags.withdraw(GUILD, C1, USER, LATER) is True
    assert await storage.flags.withdraw(GUILD, C1, USER, LATER) is False

    assert await storage.flags.open_flags(GUILD) == ([FlaggedCard(C1, 1, T0, T0)], 1)
    # A withdrawn flag may be raised again.
    assert await storage.flags.flag(GUILD, C1, USER, None, LATER) is True


async def test_flags_clear_closes_every_open_flag_and_keeps_the_rows(db_path: Path) -> None:
    async with await Storage.open(db_path) as store:
        await store.decks.sync_decks([])
        await store.flags.flag(GUILD, C1, USER, None, T0)
        await store.flags.flag(GUILD, C1, USER + 1, None, T0)
        await store.flags.flag(GUILD, C2, USER, None, T0)

        assert await store.flags.clear(GUILD, C1, by=7, at=LATER) == 2
        assert await store.flags.clear(GUILD, C1, by=7, at=LATER) == 0
    async with await Storage.open(db_path) as store:
        assert await store.flags.open_flags(GUILD) == ([FlaggedCard(C2, 1, T0, T0)], 1)
        async with store.database.reading() as db:
            rows = await db.execute_fetchall(
                "SELECT cleared_by FROM card_flags WHERE card_id = 'c1' ORDER BY user_id"
            )
        assert [row["cleared_by"] for row in rows] == [7, 7]


async def test_flags_catch_up_records_once_per_post_and_never_a_cleared_one(
    storage: Storage,
) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.posts.record_post(make_post(2))

    assert await storage.flags.catch_up(GUILD, C1, USER, 1, T0) is True
    assert await storage.flags.catch_up(GUILD, C1, USER, 1, LATER) is False  # open already
    await storage.flags.clear(GUILD, C1, by=7, at=LATER)
    assert await storage.flags.catch_up(GUILD, C1, USER, 1, LATER) is False  # cleared: stays
    assert await storage.flags.open_flags(GUILD) == ([], 0)
    # The same card flagged on another post of it is a new flag.
    assert await storage.flags.catch_up(GUILD, C1, USER, 2, LATER) is True
    assert await storage.flags.open_flags(GUILD) == ([FlaggedCard(C1, 1, LATER, LATER)], 1)

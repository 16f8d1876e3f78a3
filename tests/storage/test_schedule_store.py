from __future__ import annotations

from datetime import date, timedelta

from bot.core.members import GuildSettings, MemberSettings
from bot.core.models import CardRef
from bot.core.selection import choose_for_channel
from bot.storage import Storage
from tests.core.factories import GUILD, T0, USER, make_deck, make_event
from tests.storage.conftest import CHANNEL, SETTINGS, make_post
from tests.storage.helpers import save_guild_settings

TODAY = T0.date()


async def rate(
    storage: Storage,
    card_id: str,
    rating: int,
    day: date = TODAY,
    *,
    deck_id: str = "dl",
    user_id: int = USER,
) -> None:
    at = T0 + timedelta(days=(day - TODAY).days)
    await storage.ratings.record_rating(
        make_event(
            rating, rated_at=at, study_date=day, deck_id=deck_id, card_id=card_id, user_id=user_id
        )
    )


async def test_next_due_orders_by_due_date(storage: Storage) -> None:
    await rate(storage, "c1", 5)  # due in 8 days
    await rate(storage, "c2", 4)  # due in 2 days
    await rate(storage, "c3", 3)  # due tomorrow
    await rate(storage, "m1", 3, deck_id="ml")  # due tomorrow
    in_ten_days = TODAY + timedelta(days=10)
    due = await storage.schedule.next_due(GUILD, USER, in_ten_days)
    assert [state.card for state in due] == [
        CardRef("dl", "c3"),
        CardRef("ml", "m1"),
        CardRef("dl", "c2"),
        CardRef("dl", "c1"),
    ]
    assert [
        s.card_id for s in await storage.schedule.next_due(GUILD, USER, TODAY + timedelta(days=1))
    ] == [
        "c3",
        "m1",
    ]
    assert await storage.schedule.next_due(GUILD, USER, TODAY) == []


async def test_next_due_filters_decks_and_limits(storage: Storage) -> None:
    for card_id in ("c1", "c2", "c3"):
        await rate(storage, card_id, 3)
    await rate(storage, "m1", 3, deck_id="ml")
    tomorrow = TODAY + timedelta(days=1)
    assert [
        s.card_id for s in await storage.schedule.next_due(GUILD, USER, tomorrow, deck_ids=["ml"])
    ] == ["m1"]
    assert len(await storage.schedule.next_due(GUILD, USER, tomorrow, limit=2)) == 2


async def test_next_due_skips_other_members_and_guilds(storage: Storage) -> None:
    await rate(storage, "c1", 3, user_id=USER + 1)
    await storage.ratings.record_rating(make_event(3, guild_id=GUILD + 1))
    assert await storage.schedule.next_due(GUILD, USER, TODAY + timedelta(days=5)) == []


async def test_due_counts_per_deck(storage: Storage) -> None:
    for card_id in ("c1", "c2"):
        await rate(storage, card_id, 3)
    await rate(storage, "c3", 5)
    await rate(storage, "m1", 1, deck_id="ml")
    assert await storage.schedule.due_counts(GUILD, USER, TODAY + timedelta(days=1)) == {
        "dl": 2,
        "ml": 1,
    }


async def test_retired_cards_are_not_offered(storage: Storage) -> None:
    await rate(storage, "c1", 3)
    await storage.decks.sync_decks([make_deck("dl", ("c2", "c3")), make_deck("ml", ("m1", "m2"))])
    tomorrow = TODAY + timedelta(days=1)
    assert await storage.schedule.next_due(GUILD, USER, tomorrow) == []
    assert await storage.schedule.due_counts(GUILD, USER, tomorrow) == {}
    assert CardRef("dl", "c1") not in await storage.schedule.new_card_candidates(
        GUILD, USER, "dl", TODAY
    )


async def test_new_card_candidates_in_deck_order_within_daily_limit(storage: Storage) -> None:
    # SETTINGS allows 3 new cards per deck per study date.
    assert [
        c.card_id for c in await storage.schedule.new_card_candidates(GUILD, USER, "dl", TODAY)
    ] == [
        "c1",
        "c2",
        "c3",
    ]
    await rate(storage, "c1", 4)
    await rate(storage, "c3", 4)
    assert [
        c.card_id for c in await storage.schedule.new_card_candidates(GUILD, USER, "dl", TODAY)
    ] == ["c2"]
    # Other decks have their own allowance; tomorrow brings a fresh one.
    assert len(await storage.schedule.new_card_candidates(GUILD, USER, "ml", TODAY)) == 2
    tomorrow = TODAY + timedelta(days=1)
    assert [
        c.card_id for c in await storage.schedule.new_card_candidates(GUILD, USER, "dl", tomorrow)
    ] == [
        "c2",
        "c4",
        "c5",
    ]
    assert (
        len(await storage.schedule.new_card_candidates(GUILD, USER, "dl", tomorrow, limit=1)) == 1
    )


async def test_new_card_limit_exhausted(storage: Storage) -> None:
    for card_id in ("c1", "c2", "c3"):
        await rate(storage, card_id, 4)
    assert await storage.schedule.new_card_candidates(GUILD, USER, "dl", TODAY) == []


async def test_reviews_do_not_count_against_new_card_limit(storage: Storage) -> None:
    for card_id in ("c1", "c2", "c3"):
        await rate(storage, card_id, 3)
    tomorrow = TODAY + timedelta(days=1)
    for card_id in ("c1", "c2", "c3"):
        await rate(storage, card_id, 4, day=tomorrow)
    assert len(await storage.schedule.new_card_candidates(GUILD, USER, "dl", tomorrow)) == 3


async def test_group_snapshot_active_members_rated_within_window(storage: Storage) -> None:
    await rate(storage, "c1", 4, user_id=1)
    await rate(storage, "c1", 4, day=TODAY + timedelta(days=40), user_id=2)
    now = T0 + timedelta(days=40)
    snapshot = await storage.schedule.group_snapshot(GUILD, CHANNEL, ["dl"], now)
    assert snapshot.active_members == frozenset({2})
    other_guild = await storage.schedule.group_snapshot(GUILD + 1, CHANNEL, ["dl"], now)
    assert other_guild.active_members == frozenset()


async def test_group_snapshot_feeds_channel_selection(storage: Storage) -> None:
    for user_id in (1, 2, 3):
        await rate(storage, "c1", 3, user_id=user_id)  # due tomorrow for all three
    await rate(storage, "c2", 3, user_id=1)  # due tomorrow for one
    await rate(storage, "m1", 3, deck_id="ml", user_id=9)  # another deck
    await storage.posts.record_post(make_post(50, "c3", posted_at=T0 + timedelta(hours=12)))
    await storage.posts.record_post(make_post(51, "c4", posted_at=T0 - timedelta(days=5)))
    await storage.posts.record_post(make_post(52, "c5", channel_id=CHANNEL + 1, posted_at=T0))
    now = T0 + timedelta(days=1)

    snapshot = await storage.schedule.group_snapshot(GUILD, CHANNEL, ["dl"], now)

    assert snapshot.cards == tuple(CardRef("dl", f"c{n}") for n in range(1, 7))
    assert snapshot.active_members == frozenset({1, 2, 3, 9})
    assert {(s.user_id, s.card_id) for s in snapshot.states} == {
        (1, "c1"),
        (2, "c1"),
        (3, "c1"),
        (1, "c2"),
    }
    assert snapshot.recently_posted == frozenset({CardRef("dl", "c3")})
    chosen = choose_for_channel(snapshot, now.date(), 4, SETTINGS, seed=1)
    # Due for most, due for one, then new cards by how many members have not seen them;
    # c3 was just posted here and waits.
    assert chosen == [
        CardRef("dl", "c1"),
        CardRef("dl", "c2"),
        CardRef("dl", "c4"),
        CardRef("dl", "c5"),
    ]


async def test_group_snapshot_keeps_deck_order_of_request(storage: Storage) -> None:
    snapshot = await storage.schedule.group_snapshot(GUILD, CHANNEL, ["ml", "dl"], T0)
    assert [card.deck_id for card in snapshot.cards][:2] == ["ml", "ml"]


async def test_study_date_for_member_uses_their_zone(storage: Storage) -> None:
    await save_guild_settings(storage, GuildSettings(GUILD, timezone="Europe/Copenhagen"))
    await storage.members.save_member_settings(
        MemberSettings(GUILD, USER, timezone="America/New_York")
    )
    late_evening_in_new_york = T0.replace(hour=3)  # 23:00 the day before in New York
    assert await storage.members.study_date_for(
        GUILD, USER, late_evening_in_new_york
    ) == TODAY - timedelta(days=1)
    assert await storage.members.study_date_for(GUILD, USER + 1, late_evening_in_new_york) == TODAY


async def test_next_due_date_is_first_date_after(storage: Storage) -> None:
    assert await storage.schedule.next_due_date(GUILD, USER, TODAY) is None
    await rate(storage, "c1", 5)  # due in 8 days
    await rate(storage, "c3", 3)  # due tomorrow
    assert await storage.schedule.next_due_date(GUILD, USER, TODAY) == TODAY + timedelta(days=1)
    tomorrow = TODAY + timedelta(days=1)
    assert await storage.schedule.next_due_date(GUILD, USER, tomorrow) == TODAY + timedelta(days=8)

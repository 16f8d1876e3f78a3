from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.core.members import GuildSettings, MemberSettings
from bot.core.models import CardRef
from bot.storage import Storage
from tests.core.factories import GUILD, USER, make_event
from tests.storage.conftest import make_post
from tests.storage.helpers import (
    DeletedMemberData,
    card_state,
    delete_member_data,
    effective_ratings,
    rating_history,
    save_guild_settings,
)


async def test_guild_settings_default_until_saved(storage: Storage) -> None:
    assert await storage.members.guild_settings(GUILD) == GuildSettings(GUILD)
    saved = GuildSettings(GUILD, timezone="Europe/Copenhagen", day_starts_at=time(5, 30))
    await save_guild_settings(storage, saved)
    assert await storage.members.guild_settings(GUILD) == saved


async def test_member_settings_default_until_saved(storage: Storage) -> None:
    assert await storage.members.member_settings(GUILD, USER) == MemberSettings(GUILD, USER)
    saved = MemberSettings(GUILD, USER, timezone="America/New_York", remind_at=time(19, 0))
    await storage.members.save_member_settings(saved)
    assert await storage.members.member_settings(GUILD, USER) == saved
    await storage.members.save_member_settings(MemberSettings(GUILD, USER))
    assert await storage.members.member_settings(GUILD, USER) == MemberSettings(GUILD, USER)


async def test_member_settings_survive_rating(storage: Storage) -> None:
    saved = MemberSettings(GUILD, USER, timezone="Asia/Tokyo")
    await storage.members.save_member_settings(saved)
    await storage.ratings.record_rating(make_event(4))
    assert await storage.members.member_settings(GUILD, USER) == saved


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd"])
async def test_settings_refuse_unknown_time_zone(storage: Storage, zone: str) -> None:
    with pytest.raises(ValueError, match="time zone"):
        await storage.members.save_member_settings(MemberSettings(GUILD, USER, timezone=zone))


async def test_delete_member_data_forgets_member_in_guild(storage: Storage) -> None:
    await storage.posts.record_post(make_post(1))
    await storage.members.save_member_settings(MemberSettings(GUILD, USER, timezone="Asia/Tokyo"))
    await storage.ratings.record_rating(make_event(4, post_id=1))
    await storage.ratings.record_rating(make_event(3, card_id="c2"))
    await storage.ratings.record_rating(make_event(5, user_id=USER + 1))
    await storage.ratings.record_rating(make_event(5, guild_id=GUILD + 1))

    deleted = await delete_member_data(storage, GUILD, USER)

    assert deleted == DeletedMemberData(ratings=2, card_states=2)
    assert await rating_history(storage, GUILD, USER, CardRef("dl", "c1")) == []
    assert await card_state(storage, GUILD, USER, CardRef("dl", "c1")) is None
    assert await storage.members.member_settings(GUILD, USER) == MemberSettings(GUILD, USER)
    assert await effective_ratings(storage, 1) == {}
    assert await storage.posts.get_post(1) is not None
    # Other members, and the same member elsewhere, are untouched.
    assert await card_state(storage, GUILD, USER + 1, CardRef("dl", "c1")) is not None
    assert await card_state(storage, GUILD + 1, USER, CardRef("dl", "c1")) is not None


async def test_guild_settings_default_to_configured_zone_and_day(db_path: Path) -> None:
    defaults = GuildSettings(0, timezone="Europe/Copenhagen", day_starts_at=time(5, 0))
    async with await Storage.open(db_path, guild_defaults=defaults) as store:
        assert await store.members.guild_settings(GUILD) == GuildSettings(
            GUILD, timezone="Europe/Copenhagen", day_starts_at=time(5, 0)
        )


async def test_guild_settings_deck_manager_role_set_kept_and_cleared(db_path: Path) -> None:
    defaults = GuildSettings(0, timezone="Europe/Paris", day_starts_at=time(6, 0))
    async with await Storage.open(db_path, guild_defaults=defaults) as store:
        await store.members.set_deck_manager_role(GUILD, "4242")
    async with await Storage.open(db_path, guild_defaults=defaults) as store:
        # A new row keeps the zone and day the guild had (the defaults), beside the role.
        assert await store.members.guild_settings(GUILD) == GuildSettings(
            GUILD, timezone="Europe/Paris", day_starts_at=time(6, 0), deck_manager_role="4242"
        )
    moved = GuildSettings(0, timezone="Europe/Oslo", day_starts_at=time(4, 30))
    async with await Storage.open(db_path, guild_defaults=moved) as store:
        # The zone and day were never set for the guild: it follows the config's new ones.
        assert await store.members.guild_settings(GUILD) == GuildSettings(
            GUILD, timezone="Europe/Oslo", day_starts_at=time(4, 30), deck_manager_role="4242"
        )
    async with await Storage.open(db_path, guild_defaults=defaults) as store:
        await store.members.set_deck_manager_role(GUILD, None)
        assert (await store.members.guild_settings(GUILD)).deck_manager_role is None
        assert (await store.members.guild_settings(GUILD + 1)).deck_manager_role is None


async def test_guild_settings_deck_manager_role_leaves_a_saved_zone_alone(
    storage: Storage,
) -> None:
    saved = GuildSettings(GUILD, timezone="Asia/Tokyo", day_starts_at=time(3, 0))
    await save_guild_settings(storage, saved)
    await storage.members.set_deck_manager_role(GUILD, "Editors")
    assert await storage.members.guild_settings(GUILD) == GuildSettings(
        GUILD, timezone="Asia/Tokyo", day_starts_at=time(3, 0), deck_manager_role="Editors"
    )

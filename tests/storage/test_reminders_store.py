"""Personal reminders: listed for members who switched them on, marked once sent."""

from __future__ import annotations

from datetime import date, time

from bot.core.members import MemberSettings
from bot.storage import Storage
from tests.core.factories import GUILD, USER

DAY = date(2026, 3, 15)


async def test_reminders_listed_and_marked(storage: Storage) -> None:
    await storage.members.save_member_settings(
        MemberSettings(GUILD, USER, "Asia/Tokyo", time(7, 30))
    )
    await storage.members.save_member_settings(MemberSettings(GUILD, USER + 1, None, None))
    (reminder,) = await storage.reminders.reminders()
    assert reminder.settings.remind_at == time(7, 30) and reminder.last_reminded_on is None
    await storage.reminders.mark_reminded(GUILD, USER, DAY)
    assert (await storage.reminders.reminders())[0].last_reminded_on == DAY

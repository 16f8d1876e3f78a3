"""`Storage`: the bot's database and one store per concern over it, speaking domain types.

Every store is built on the one `Database` (see `bot.storage.database` for its connections,
lock and write turn) and is given only the settings it needs. Stores hold no state of their
own beyond that, so any number of them may share the database.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self

from bot.core.members import GuildSettings
from bot.core.scheduling import SchedulingSettings
from bot.storage.database import Database
from bot.storage.decks import DeckStore
from bot.storage.drops import DropStore
from bot.storage.export import ExportStore
from bot.storage.members import MemberStore
from bot.storage.posts import PostStore
from bot.storage.ratings import RatingStore
from bot.storage.reminders import ReminderStore
from bot.storage.schedule import ScheduleStore
from bot.storage.suspensions import SuspensionStore


class Storage:
    """All persistence of the bot. Open with `await Storage.open(path)`; close when done."""

    def __init__(
        self,
        database: Database,
        settings: SchedulingSettings,
        guild_defaults: GuildSettings,
    ) -> None:
        self.database = database
        self.settings = settings
        self.decks = DeckStore(database)
        self.posts = PostStore(database)
        self.ratings = RatingStore(database, settings, guild_defaults)
        self.schedule = ScheduleStore(database, settings)
        self.members = MemberStore(database, guild_defaults)
        self.drops = DropStore(database)
        self.reminders = ReminderStore(database)
        self.export = ExportStore(database)
        self.suspensions = SuspensionStore(database)

    @classmethod
    async def open(
        cls,
        path: str | Path,
        settings: SchedulingSettings | None = None,
        guild_defaults: GuildSettings | None = None,
    ) -> Self:
        """`guild_defaults`: a guild's settings until an admin changes them (its id unused)."""
        database = await Database.open(path)
        return cls(database, settings or SchedulingSettings(), guild_defaults or GuildSettings(0))

    @classmethod
    async def open_read_only(cls, path: str | Path) -> Self:
        """For commands that only read (see `Database.open_read_only`)."""
        database = await Database.open_read_only(path)
        return cls(database, SchedulingSettings(), GuildSettings(0))

    async def close(self) -> None:
        await self.database.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

"""Persistence: the only package that speaks SQL."""

from bot.storage.database import Database
from bot.storage.decks import SyncSummary
from bot.storage.export import RatingExportRow, ScheduleExportRow
from bot.storage.migrations import SCHEMA_VERSION, SchemaTooNewError, StorageError
from bot.storage.ratings import RatingUpdate
from bot.storage.storage import Storage

__all__ = [
    "SCHEMA_VERSION",
    "Database",
    "RatingExportRow",
    "RatingUpdate",
    "ScheduleExportRow",
    "SchemaTooNewError",
    "Storage",
    "StorageError",
    "SyncSummary",
]

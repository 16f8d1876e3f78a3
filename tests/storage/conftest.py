from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.models import Deck
from bot.core.posts import Post, PostKind
from bot.core.scheduling import SchedulingSettings
from bot.storage import Storage
from tests.core.factories import GUILD, T0, make_deck

CHANNEL = 300
SETTINGS = SchedulingSettings(fuzzing=False, new_cards_per_day=3)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "flashdrop.db"


@pytest.fixture
def decks() -> list[Deck]:
    return [make_deck("dl", tuple(f"c{n}" for n in range(1, 7))), make_deck("ml", ("m1", "m2"))]


@pytest.fixture
async def storage(db_path: Path, decks: list[Deck]) -> AsyncIterator[Storage]:
    store = await Storage.open(db_path, SETTINGS)
    await store.decks.sync_decks(decks)
    yield store
    await store.close()


def make_post(
    message_id: int,
    card_id: str = "c1",
    *,
    deck_id: str = "dl",
    posted_at: datetime = T0,
    channel_id: int = CHANNEL,
    kind: PostKind = PostKind.DROP,
) -> Post:
    return Post(
        message_id=message_id,
        guild_id=GUILD,
        channel_id=channel_id,
        deck_id=deck_id,
        card_id=card_id,
        kind=kind,
        posted_at=posted_at,
    )

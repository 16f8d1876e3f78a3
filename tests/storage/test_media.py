from __future__ import annotations

from pathlib import Path

from bot.storage import Storage
from bot.storage.database import fetch_all
from bot.storage.media import media_digest
from tests.core.factories import GUILD, make_deck

OTHER_GUILD = GUILD + 1
PNG = b"\x89PNG\r\n\x1a\n" + b"a" * 100
GIF = b"GIF89a" + b"b" * 50


async def stored_blobs(storage: Storage) -> dict[str, int]:
    async with storage.database.reading() as db:
        rows = await fetch_all(db, "SELECT digest, size FROM media")
    return {row["digest"]: row["size"] for row in rows}


async def test_media_save_then_load_and_files(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.media.save(GUILD, "bio", {"cell.png": PNG, "a.gif": GIF})
        assert await storage.media.load(GUILD, "bio", "cell.png") == PNG
        assert await storage.media.files(GUILD, "bio") == {"a.gif": GIF, "cell.png": PNG}


async def test_media_names_are_the_deck_s_own(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.media.save(GUILD, "bio", {"cell.png": PNG, "a.gif": GIF})
        await storage.media.save(GUILD, "chem", {"flask.png": PNG})
        assert await storage.media.names(GUILD, "bio") == {"cell.png", "a.gif"}
        assert await storage.media.names(OTHER_GUILD, "bio") == set()


async def test_media_load_is_per_guild_and_deck(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.media.save(GUILD, "bio", {"cell.png": PNG})
        assert await storage.media.load(OTHER_GUILD, "bio", "cell.png") is None
        assert await storage.media.load(GUILD, "chem", "cell.png") is None
        assert await storage.media.load(GUILD, "bio", "other.png") is None
        assert await storage.media.files(OTHER_GUILD, "bio") == {}


async def test_media_same_bytes_are_stored_once(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.media.save(GUILD, "bio", {"cell.png": PNG, "copy.png": PNG})
        await storage.media.save(OTHER_GUILD, "x", {"y.png": PNG})
        assert await stored_blobs(storage) == {media_digest(PNG): len(PNG)}
        assert await storage.media.load(OTHER_GUILD, "x", "y.png") == PNG


async def test_media_save_adds_and_overwrites_names(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.media.save(GUILD, "bio", {"cell.png": PNG})
        await storage.media.save(GUILD, "bio", {"cell.png": GIF, "new.png": PNG})
        assert await storage.media.files(GUILD, "bio") == {"cell.png": GIF, "new.png": PNG}
        # PNG is still new.png's, so its bytes stay.
        assert set(await stored_blobs(storage)) == {media_digest(PNG), media_digest(GIF)}


async def test_media_overwritten_bytes_nobody_uses_are_dropped(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.media.save(GUILD, "bio", {"cell.png": PNG})
        await storage.media.save(GUILD, "bio", {"cell.png": GIF})
        assert set(await stored_blobs(storage)) == {media_digest(GIF)}


async def test_media_retain_forgets_other_names_and_unused_bytes(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.media.save(GUILD, "bio", {"cell.png": PNG, "a.gif": GIF})
        await storage.media.save(OTHER_GUILD, "x", {"y.gif": GIF})
        await storage.media.retain(GUILD, "bio", ["a.gif"])
        assert await storage.media.files(GUILD, "bio") == {"a.gif": GIF}
        assert set(await stored_blobs(storage)) == {media_digest(GIF)}
        await storage.media.retain(GUILD, "bio", [])
        # Another guild's deck still holds the GIF.
        assert await storage.media.load(OTHER_GUILD, "x", "y.gif") == GIF
        assert set(await stored_blobs(storage)) == {media_digest(GIF)}


async def test_media_total_bytes_counts_live_decks_once_per_content(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        for deck_id in ("bio", "chem"):
            await storage.decks.save_guild_deck(GUILD, make_deck(deck_id), "source")
        await storage.media.save(GUILD, "bio", {"cell.png": PNG, "a.gif": GIF})
        await storage.media.save(GUILD, "chem", {"same.png": PNG})
        await storage.media.save(OTHER_GUILD, "x", {"big.png": PNG * 10})
        assert await storage.media.total_bytes(GUILD) == len(PNG) + len(GIF)
        assert await storage.media.total_bytes(GUILD, besides=["bio"]) == len(PNG)
        assert await storage.media.total_bytes(GUILD, besides=["bio", "chem"]) == 0
        await storage.decks.retire_guild_deck(GUILD, "chem")
        assert await storage.media.total_bytes(GUILD, besides=["bio"]) == 0


async def test_media_of_a_deck_not_stored_do_not_count(db_path: Path) -> None:
    # Media are saved before their deck; if the deck's save never happens they are harmless.
    async with await Storage.open(db_path) as storage:
        await storage.media.save(GUILD, "never", {"cell.png": PNG})
        assert await storage.media.total_bytes(GUILD) == 0


async def test_media_survive_reopening(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.media.save(GUILD, "bio", {"cell.png": PNG})
    async with await Storage.open(db_path) as storage:
        assert await storage.media.load(GUILD, "bio", "cell.png") == PNG


async def test_forget_unused_frees_a_removed_deck_s_media_and_an_unfinished_import_s(
    storage: Storage,
) -> None:
    kept, removed, orphan = b"kept" * 100, b"removed" * 100, b"orphan" * 100
    for deck_id, data in (("bio", kept), ("old", removed)):
        await storage.media.save(GUILD, deck_id, {"a.png": data})
        await storage.decks.save_guild_deck(GUILD, make_deck(deck_id), "source")
    await storage.media.save(GUILD, "crashed", {"x.png": orphan})  # its deck never stored
    await storage.media.save(OTHER_GUILD, "crashed", {"x.png": orphan})  # another guild's import
    await storage.decks.retire_guild_deck(GUILD, "old")

    assert await storage.media.forget_unused(GUILD) == 2
    assert await storage.media.files(GUILD, "bio") == {"a.png": kept}
    assert await storage.media.files(GUILD, "old") == {}
    assert await storage.media.total_bytes(GUILD) == len(kept)
    assert await storage.media.files(OTHER_GUILD, "crashed") == {"x.png": orphan}  # not its guild
    assert await storage.media.forget_unused() == 1
    assert list((await stored_blobs(storage)).values()) == [len(kept)]

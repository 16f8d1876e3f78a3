"""Drops and runs on a real SQLite file: exactly-once runs, resumable plans, config sync."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path

from bot.core.drops import Drop, DropSource
from bot.core.models import CardRef
from bot.storage import Storage
from tests.core.factories import GUILD, T0

DAY = date(2026, 3, 15)


def make_drop(**fields: object) -> Drop:
    base = Drop(GUILD, 300, ("dl",), time(8, 0), "Europe/Copenhagen", created_at=T0)
    return replace(base, **fields)  # type: ignore[arg-type]


async def test_add_and_list_drops_round_trip(storage: Storage) -> None:
    added = await storage.drops.add_drop(
        make_drop(weekdays=frozenset({1, 5}), role_id=9, thread=True)
    )
    assert added.id is not None
    assert await storage.drops.drops(GUILD) == [added]
    assert await storage.drops.drops(GUILD + 1) == []


async def test_remove_and_pause_only_in_own_guild(storage: Storage) -> None:
    drop = await storage.drops.add_drop(make_drop())
    assert drop.id is not None
    assert not await storage.drops.set_drop_paused(GUILD + 1, drop.id, True)
    assert await storage.drops.set_drop_paused(GUILD, drop.id, True)
    assert (await storage.drops.drops(GUILD))[0].paused
    assert not await storage.drops.remove_drop(GUILD + 1, drop.id)
    assert await storage.drops.remove_drop(GUILD, drop.id)
    assert await storage.drops.drops() == []


async def test_start_run_is_once_per_drop_and_date(storage: Storage) -> None:
    drop = await storage.drops.add_drop(make_drop())
    assert drop.id is not None
    first = await storage.drops.start_run(drop.id, DAY, T0)
    again = await storage.drops.start_run(drop.id, DAY, T0 + timedelta(minutes=1))
    assert again.run_id == first.run_id and not again.finished
    await storage.drops.finish_run(first.run_id, "posted", T0)
    assert (await storage.drops.start_run(drop.id, DAY, T0)).finished
    other_day = await storage.drops.start_run(drop.id, DAY + timedelta(days=1), T0)
    assert other_day.run_id != first.run_id


async def test_plan_run_keeps_first_plan_and_posted_messages(storage: Storage) -> None:
    drop = await storage.drops.add_drop(make_drop())
    assert drop.id is not None
    run = await storage.drops.start_run(drop.id, DAY, T0)
    plan = [CardRef("dl", "c1"), CardRef("dl", "c2"), CardRef("dl", "c3")]
    await storage.drops.plan_run(run.run_id, plan)
    await storage.drops.set_run_heading(run.run_id, 900, None)
    await storage.drops.set_run_card_posted(run.run_id, 0, 901)
    # A resumed run asks again with other cards: the first plan stands.
    replanned = await storage.drops.plan_run(run.run_id, [CardRef("dl", "c4")])
    assert [c.card for c in replanned] == plan
    resumed = await storage.drops.start_run(drop.id, DAY, T0)
    assert resumed.heading_message_id == 900
    assert [c.message_id for c in resumed.cards] == [901, None, None]
    assert [r.run_id for r in await storage.drops.unfinished_runs()] == [run.run_id]


async def test_skip_run_records_once(storage: Storage) -> None:
    drop = await storage.drops.add_drop(make_drop())
    assert drop.id is not None
    assert await storage.drops.skip_run(drop.id, DAY, T0)
    assert not await storage.drops.skip_run(drop.id, DAY, T0)
    assert (await storage.drops.start_run(drop.id, DAY, T0)).outcome == "skipped"


async def test_sync_config_drops_keeps_unchanged_and_their_runs(storage: Storage) -> None:
    command_drop = await storage.drops.add_drop(make_drop(channel_id=999))
    a, b = make_drop(), make_drop(local_time=time(9, 0))
    first = await storage.drops.sync_config_drops([a, b], T0)
    assert (first.added, first.removed, first.kept) == (2, 0, 0)
    kept = next(
        d
        for d in await storage.drops.drops()
        if d.source is DropSource.CONFIG and d.local_time == time(8)
    )
    assert kept.source is DropSource.CONFIG and kept.id is not None
    await storage.drops.finish_run(
        (await storage.drops.start_run(kept.id, DAY, T0)).run_id, "posted", T0
    )
    second = await storage.drops.sync_config_drops([a], T0 + timedelta(days=1))
    assert (second.added, second.removed, second.kept) == (0, 1, 1)
    assert (await storage.drops.start_run(kept.id, DAY, T0)).finished  # still ran once
    assert {d.id for d in await storage.drops.drops()} == {command_drop.id, kept.id}


async def test_drops_survive_reopen(db_path: Path, storage: Storage) -> None:
    drop = await storage.drops.add_drop(make_drop())
    await storage.close()
    async with await Storage.open(db_path) as reopened:
        assert await reopened.drops.drops() == [drop]


async def test_unfinished_runs_are_the_open_ones_with_their_progress(storage: Storage) -> None:
    first, second, removed = [
        await storage.drops.add_drop(make_drop(channel_id=channel)) for channel in (300, 301, 302)
    ]
    assert first.id is not None and second.id is not None and removed.id is not None
    interrupted = await storage.drops.start_run(first.id, DAY, T0)
    await storage.drops.plan_run(interrupted.run_id, [CardRef("dl", "c1"), CardRef("dl", "c2")])
    await storage.drops.set_run_heading(interrupted.run_id, 900, 950)
    await storage.drops.set_run_card_posted(interrupted.run_id, 0, 901)
    done = await storage.drops.start_run(first.id, DAY + timedelta(days=1), T0)
    await storage.drops.finish_run(done.run_id, "posted", T0)
    failed = await storage.drops.start_run(second.id, DAY, T0)
    await storage.drops.finish_run(failed.run_id, "failed", T0)
    await storage.drops.skip_run(second.id, DAY + timedelta(days=1), T0)
    later = await storage.drops.start_run(second.id, DAY + timedelta(days=2), T0)
    await storage.drops.start_run(removed.id, DAY, T0)
    await storage.drops.remove_drop(GUILD, removed.id)  # its runs go with it

    runs = await storage.drops.unfinished_runs()

    assert runs == [await storage.drops.start_run(first.id, DAY, T0), later]
    assert not any(run.finished for run in runs)
    assert (runs[0].heading_message_id, runs[0].thread_id) == (900, 950)
    assert [(c.card.card_id, c.message_id) for c in runs[0].cards] == [("c1", 901), ("c2", None)]
    await storage.drops.finish_run(interrupted.run_id, "posted", T0)
    assert await storage.drops.unfinished_runs() == [later]


async def test_group_snapshot_counts_cards_planned_by_unfinished_runs_in_the_channel(
    storage: Storage,
) -> None:
    drop = await storage.drops.add_drop(make_drop())  # channel 300
    elsewhere = await storage.drops.add_drop(make_drop(channel_id=301))
    assert drop.id is not None and elsewhere.id is not None
    run = await storage.drops.start_run(drop.id, DAY, T0)
    await storage.drops.plan_run(run.run_id, [CardRef("dl", "c1"), CardRef("dl", "c2")])
    other = await storage.drops.start_run(elsewhere.id, DAY, T0)
    await storage.drops.plan_run(other.run_id, [CardRef("dl", "c5")])

    planned = (await storage.schedule.group_snapshot(GUILD, 300, ["dl"], T0)).recently_posted
    assert planned == {CardRef("dl", "c1"), CardRef("dl", "c2")}

    await storage.drops.set_run_card_posted(run.run_id, 0, 901)  # c1 posted: now a post's
    await storage.drops.finish_run(run.run_id, "failed", T0)  # a finished run plans nothing
    assert (await storage.schedule.group_snapshot(GUILD, 300, ["dl"], T0)).recently_posted == set()

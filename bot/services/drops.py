"""Running daily drops: each tick posts the occurrences that are due, exactly once.

Every (drop, local date) gets a run row before anything is posted; the run plans its cards,
then records the heading and each card's message as it goes. A crash in the middle therefore
resumes with the cards not yet posted, and a restart never posts a finished run again. Each
message carries a nonce derived from its run and position, so a retry of a post whose record
was lost in a crash is answered by Discord with the message it already made.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.core.drops import Drop, Occurrence, due_occurrences, local_instant
from bot.core.models import CardRef
from bot.core.posts import PostKind
from bot.messages import drops as texts
from bot.services.posting import CardPoster
from bot.storage.drops import DropRun

if TYPE_CHECKING:
    from bot.app import Services
    from bot.services.catalog import DeckCatalog

log = logging.getLogger(__name__)


def message_nonce(run_id: int, position: int) -> int:
    """A stable 63-bit nonce for message `position` of a run (-1: the heading)."""
    digest = hashlib.sha256(f"flashdrop-drop:{run_id}:{position}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass(frozen=True, slots=True)
class TickReport:
    posted: int = 0
    failed: int = 0
    skipped: int = 0


class DropRunner:
    def __init__(
        self, client: discord.Client, services: Services, poster: CardPoster, catalog: DeckCatalog
    ) -> None:
        self.client = client
        self.services = services
        self.poster = poster
        self.catalog = catalog
        # One tick at a time: two overlapping ticks would both resume the same unfinished run.
        self._tick_lock = asyncio.Lock()
        # Per channel, choosing and planning a run's cards take turns: the next run's choice
        # then sees the cards the previous one planned (storage counts planned cards of
        # unfinished runs as recently posted in their channel).
        self._planning: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._places_checked = False

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.services.config.drop_grace_minutes)

    async def tick(self, now: datetime) -> TickReport:
        """Post every due occurrence (concurrently); record the ones missed beyond grace."""
        async with self._tick_lock:
            return await self._tick(now)

    async def sync_config_drops(self) -> None:
        """Make the stored config drops match config.yaml's `drops:` (at every start).

        A drop naming a deck that did not load is warned about now, one naming a guild or
        channel the bot does not have once the bot is connected (see `warn_unknown_places`).
        """
        result = await self.services.storage.drops.sync_config_drops(
            list(self.services.config.drops), self.services.clock.now()
        )
        log.info(
            "config drops: %d added, %d removed, %d unchanged",
            result.added,
            result.removed,
            result.kept,
        )
        self.warn_unknown_decks()
        if isinstance(self.client, commands.Bot):
            self.client.add_listener(self._check_places_once, "on_ready")

    def warn_unknown_decks(self) -> None:
        """One warning per config drop that names a deck which is not loaded."""
        for key, drop in self._config_drops():
            loaded = self.catalog.decks_for(drop.guild_id)
            hidden = self.catalog.hidden(drop.guild_id)  # skipped at the drop, with a log line
            missing = [d for d in drop.deck_ids if d not in loaded and d not in hidden]
            if missing:
                log.warning(
                    "%s: no deck %s is loaded (loaded: %s)",
                    key,
                    ", ".join(repr(deck_id) for deck_id in missing),
                    ", ".join(loaded) or "none",
                )

    def warn_unknown_places(self) -> None:
        """One warning per config drop whose guild or channel is not in the guild cache.

        Call once connected: the guilds intent fills the cache with every guild the bot is in
        and its channels and threads. A guild Discord reports unavailable is not judged.
        """
        for key, drop in self._config_drops():
            guild = self.client.get_guild(drop.guild_id)
            if guild is None:
                log.warning(
                    "%s.guild_id: the bot is in no guild with id %s; the drop cannot post",
                    key,
                    drop.guild_id,
                )
            elif not guild.unavailable and guild.get_channel_or_thread(drop.channel_id) is None:
                log.warning(
                    "%s.channel_id: guild %r has no channel with id %s; the drop cannot post",
                    key,
                    guild.name,
                    drop.channel_id,
                )

    async def _check_places_once(self) -> None:
        # on_ready comes again after a fresh session; the warnings are for the start.
        if not self._places_checked:
            self._places_checked = True
            self.warn_unknown_places()

    def _config_drops(self) -> list[tuple[str, Drop]]:
        """Each config drop with the key it has in the config file: "config.yaml: drops[2]"."""
        source = self.services.config.source
        prefix = f"{source}: " if source is not None else ""
        return [(f"{prefix}drops[{i}]", d) for i, d in enumerate(self.services.config.drops)]

    async def _tick(self, now: datetime) -> TickReport:
        storage = self.services.storage
        drops = await storage.drops.drops()
        due = due_occurrences(drops, now, self.grace)
        abandoned = await self._close_abandoned_runs({d.id: d for d in drops}, now)
        skipped = 0
        for missed in due.missed:
            assert missed.drop.id is not None
            if await storage.drops.skip_run(missed.drop.id, missed.local_date, now):
                skipped += 1
                log.warning(
                    "drop %s (guild %s) of %s was missed by more than %s: skipped",
                    missed.drop.id,
                    missed.drop.guild_id,
                    missed.local_date,
                    self.grace,
                )
        results = await asyncio.gather(*(self._run_logged(o) for o in due.post))
        return TickReport(
            posted=sum(r is True for r in results),
            failed=abandoned + sum(r is False for r in results),
            skipped=skipped,
        )

    async def _close_abandoned_runs(self, drops: dict[int | None, Drop], now: datetime) -> int:
        """Give an outcome to runs a crash interrupted that can no longer resume.

        An unfinished run resumes at the next tick while its occurrence is within the grace
        window (it is due again); past it, nothing would ever finish it, so it is recorded as
        failed, once, with a log line saying which cards never went out.
        """
        closed = 0
        for run in await self.services.storage.drops.unfinished_runs():
            drop = drops.get(run.drop_id)
            if drop is None:
                continue
            if now - local_instant(run.local_date, drop.local_time, drop.zone) <= self.grace:
                continue
            await self.services.storage.drops.finish_run(run.run_id, "failed", now)
            unposted = sum(card.message_id is None for card in run.cards) if run.cards else None
            log.warning(
                "drop %s (guild %s) of %s was interrupted and not resumed within %s: "
                "recorded as failed (%s card(s) not posted)",
                drop.id,
                drop.guild_id,
                run.local_date,
                self.grace,
                "all its" if unposted is None else unposted,
            )
            closed += 1
        return closed

    async def _run_logged(self, occurrence: Occurrence) -> bool | None:
        """One guild's failure is logged and never stops the others' drops."""
        drop = occurrence.drop
        try:
            return await self.run(drop, occurrence)
        except Exception:
            log.exception("drop %s in guild %s failed", drop.id, drop.guild_id)
            return False

    async def run(self, drop: Drop, occurrence: Occurrence) -> bool | None:
        """Post (or resume) one occurrence. True: posted now; None: had already run."""
        storage, now = self.services.storage, self.services.clock.now()
        assert drop.id is not None
        if not self.offered_decks(drop):
            # Every deck hidden: no heading of an empty drop; shown again, the next one runs.
            if await storage.drops.skip_run(drop.id, occurrence.local_date, now):
                log.warning(
                    "drop %s (guild %s): all its decks are hidden; skipped", drop.id, drop.guild_id
                )
            return None
        run = await storage.drops.start_run(drop.id, occurrence.local_date, now)
        if run.finished:
            return None
        try:
            await self._post(drop, run)
        except (discord.Forbidden, discord.NotFound) as exc:
            # A deleted channel or missing permissions will not fix itself within the grace
            # window: record the failure once instead of retrying every tick.
            await storage.drops.finish_run(run.run_id, "failed", self.services.clock.now())
            log.error(
                "drop %s in guild %s, channel %s could not be posted: %s",
                drop.id,
                drop.guild_id,
                drop.channel_id,
                exc,
            )
            return False
        await storage.drops.finish_run(run.run_id, "posted", self.services.clock.now())
        log.info("drop %s posted in guild %s for %s", drop.id, drop.guild_id, run.local_date)
        return True

    def offered_decks(self, drop: Drop) -> list[str]:
        """The drop's decks the guild is offered; one it hid (`/settings hide`) is skipped,
        with a log line, until it is shown again."""
        hidden = self.catalog.hidden(drop.guild_id)
        skipped = [deck_id for deck_id in drop.deck_ids if deck_id in hidden]
        if skipped:
            log.info("drop %s: skipped hidden deck(s) %s", drop.id, ", ".join(skipped))
        return [deck_id for deck_id in drop.deck_ids if deck_id not in hidden]

    async def post_now(self, drop: Drop, seed: int) -> int:
        """`/drop now`: post the cards at once, outside the schedule; returns how many (none,
        and no heading, when all its decks are hidden)."""
        if not self.offered_decks(drop):
            return 0
        cards = await self.poster.choose(
            drop.guild_id, drop.channel_id, self.offered_decks(drop), drop.cards, seed
        )
        target = await self._heading(drop, len(cards), nonce=None)
        for deck, card in cards:
            await self.poster.post_card(target, drop.guild_id, deck, card, PostKind.DROP)
        return len(cards)

    async def _post(self, drop: Drop, run: DropRun) -> None:
        storage = self.services.storage
        plan = run.cards
        if not plan:
            async with self._planning[drop.channel_id]:
                chosen = await self.poster.choose(
                    drop.guild_id,
                    drop.channel_id,
                    self.offered_decks(drop),
                    drop.cards,
                    seed=run.run_id,
                )
                refs = [CardRef(deck.id, card.id) for deck, card in chosen]
                plan = await storage.drops.plan_run(run.run_id, refs)
        if run.heading_message_id is None:
            target = await self._heading(drop, len(plan), message_nonce(run.run_id, -1), run)
        else:
            target = self.client.get_partial_messageable(
                run.thread_id or drop.channel_id, guild_id=drop.guild_id
            )
        for planned in plan:
            if planned.message_id is not None:
                continue
            found = self.catalog.find_card(drop.guild_id, planned.card)
            if found is None:
                log.warning("drop %s: card %s left its deck; not posted", drop.id, planned.card)
                continue
            deck, card = found
            message = await self.poster.post_card(
                target,
                drop.guild_id,
                deck,
                card,
                PostKind.DROP,
                nonce=message_nonce(run.run_id, planned.position),
            )
            await storage.drops.set_run_card_posted(run.run_id, planned.position, message.id)

    async def _heading(
        self, drop: Drop, count: int, nonce: int | None, run: DropRun | None = None
    ) -> discord.abc.Messageable:
        """Post the heading (and the drop's thread); returns where the cards go."""
        channel = self.client.get_partial_messageable(drop.channel_id, guild_id=drop.guild_id)
        decks = self.catalog.decks_for(drop.guild_id)
        names = [decks[d].name for d in drop.deck_ids if d in decks]
        heading = await channel.send(
            texts.heading(drop.role_id, names, count),
            nonce=secrets.randbits(63) if nonce is None else nonce,
        )
        target: discord.abc.Messageable = channel
        thread_id = None
        if drop.thread:
            day = (
                run.local_date.isoformat() if run else self.services.clock.now().date().isoformat()
            )
            thread = await heading.create_thread(name=texts.thread_name(day))
            target, thread_id = thread, thread.id
        if run is not None:
            await self.services.storage.drops.set_run_heading(run.run_id, heading.id, thread_id)
        return target

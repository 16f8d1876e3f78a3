"""Cards in channels: post, reveal, record reaction ratings, and catch up after downtime.

Shared by `/quiz` and the daily drops. Everything goes through the posts table and raw
reaction events (never the message cache), so a post made before a restart keeps working.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot import render
from bot.core.members import member_zone
from bot.core.models import Card, CardRef, Deck, Rating
from bot.core.posts import Post, PostKind
from bot.core.ratings import RatingSource
from bot.core.reactions import RATING_EMOJI, rating_for
from bot.core.selection import choose_for_channel
from bot.core.study_dates import study_date

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger(__name__)

# Posts this recent are read back from Discord at start to record reactions made meanwhile.
RECONCILE_WINDOW = timedelta(days=7)

# `Reaction.users(limit=None)` stops after the count the message had when it was fetched, so
# members reacting meanwhile push the last reactors (by user id) off the listing and their
# ratings would be retracted. With this limit discord.py pages until Discord has no more.
EVERY_REACTOR = 2**62

# What the bot needs in a channel to post a card and its reactions.
POST_PERMISSIONS = ("send_messages", "embed_links", "add_reactions", "read_message_history")


def missing_permissions(granted: discord.Permissions, needed: tuple[str, ...]) -> list[str]:
    """Names (as Discord shows them) of the permissions in `needed` that `granted` lacks."""
    return [name.replace("_", " ").title() for name in needed if not getattr(granted, name, False)]


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    """The parts of a raw reaction event the quiz flow reads."""

    guild_id: int | None
    channel_id: int
    message_id: int
    user_id: int
    emoji: str
    by_bot: bool

    @classmethod
    def from_payload(cls, payload: discord.RawReactionActionEvent) -> ReactionEvent:
        return cls(
            guild_id=payload.guild_id,
            channel_id=payload.channel_id,
            message_id=payload.message_id,
            user_id=payload.user_id,
            emoji=str(payload.emoji),
            by_bot=payload.member is not None and payload.member.bot,
        )


class PostLocks:
    """One lock per post, made on demand and dropped once nobody holds or awaits it.

    discord.py hands each event to a task of its own. A rating is queued on the storage writer
    in one synchronous step, so ratings alone keep their order; but a catch-up awaits Discord
    between reading the reactions and queueing its changes, and a reveal awaits Discord too.
    Without the lock a member's "add 3" arriving meanwhile could be queued before the catch-up's
    retraction of the "3" it read as absent, and be lost. Taken as a handler's first await, the
    lock (FIFO) makes a post's events take effect in the order they arrived, and keeps a
    post's catch-up apart from its live events.
    """

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, message_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(message_id, (asyncio.Lock(), 0))
        self._locks[message_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[message_id]
            if users == 1:
                del self._locks[message_id]
            else:
                self._locks[message_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class CardPoster:
    """Posts cards and turns reactions on them into ratings."""

    def __init__(self, client: discord.Client, services: Services) -> None:
        self.client = client
        self.services = services
        self.locks = PostLocks()

    @property
    def reveal_emoji(self) -> str:
        return self.services.config.quiz.reveal_emoji

    # --- choosing and posting -------------------------------------------------------------

    async def choose(
        self, guild_id: int, channel_id: int, deck_ids: list[str], count: int, seed: int
    ) -> list[tuple[Deck, Card]]:
        """The group-aware choice of `count` cards for a channel (see core.selection)."""
        storage, now = self.services.storage, self.services.clock.now()
        guild = await storage.members.guild_settings(guild_id)
        today = study_date(now, member_zone(guild, None), guild.day_starts_at)
        snapshot = await storage.schedule.group_snapshot(guild_id, channel_id, deck_ids, now)
        refs = choose_for_channel(snapshot, today, count, storage.settings, seed)
        return [found for ref in refs if (found := self.lookup(ref)) is not None]

    def lookup(self, ref: CardRef) -> tuple[Deck, Card] | None:
        deck = self.services.decks.get(ref.deck_id)
        card = deck.card(ref.card_id) if deck else None
        return (deck, card) if deck and card else None

    async def post_card(
        self,
        channel: discord.abc.Messageable,
        guild_id: int,
        deck: Deck,
        card: Card,
        kind: PostKind,
        nonce: int | None = None,
    ) -> discord.Message:
        """Send the question, remember the post, then add the reveal reaction.

        A `nonce` makes Discord return the same message if this exact post is retried within
        a few minutes (a drop resumed after a crash), instead of posting it twice.
        """
        message = await channel.send(
            render.question_text(deck, card, self.reveal_emoji),
            embed=render.hint_embed(card) or discord.utils.MISSING,
            nonce=secrets.randbits(63) if nonce is None else nonce,
        )
        post = Post(
            message_id=message.id,
            guild_id=guild_id,
            channel_id=message.channel.id,
            deck_id=deck.id,
            card_id=card.id,
            kind=kind,
            posted_at=self.services.clock.now(),
        )
        await self.services.storage.posts.record_post(post)
        await message.add_reaction(self.reveal_emoji)
        return message

    async def reveal(self, post: Post) -> None:
        """Show the answer and the 1-5 reactions; recorded only once it is done, so a reveal
        interrupted by a crash is redone by the auto-reveal sweep (every step is idempotent)."""
        message = self.client.get_partial_messageable(
            post.channel_id, guild_id=post.guild_id
        ).get_partial_message(post.message_id)
        found = self.lookup(post.card)
        if found is None:
            await message.edit(content=render.missing_card_text(post.deck_id, post.card_id))
        else:
            deck, card = found
            spoiler = self.services.config.quiz.spoiler_answers
            await message.edit(
                content=render.revealed_text(deck, card),
                embed=render.answer_embed(card, spoiler=spoiler),
            )
            for emoji in RATING_EMOJI.values():
                await message.add_reaction(emoji)
        await self.services.storage.posts.mark_revealed(post.message_id, self.services.clock.now())

    # --- reactions -------------------------------------------------------------------------

    def _ours(self, event: ReactionEvent) -> bool:
        """A reaction that may matter: a member's, in a guild, with one of our emoji."""
        me = self.client.user
        return (
            event.guild_id is not None
            and not event.by_bot
            and (me is None or event.user_id != me.id)
            and (event.emoji == self.reveal_emoji or rating_for(event.emoji) is not None)
        )

    async def reaction_added(self, event: ReactionEvent) -> None:
        if not self._ours(event):
            return
        rating = rating_for(event.emoji)
        async with self.locks.hold(event.message_id):  # the first await: see PostLocks
            if rating is None:
                post = await self.services.storage.posts.get_post(event.message_id)
                if post is not None and post.revealed_at is None:
                    await self.reveal(post)
                return
            # Queued in arrival order under the lock; stored (and awaited) outside it, so a
            # burst of answers on one post shares the writer's transactions.
            stored = self.services.storage.ratings.rate_post_soon(
                event.message_id,
                event.user_id,
                rating,
                self.services.clock.now(),
                RatingSource.REACTION,
            )
        await stored

    async def reaction_removed(self, event: ReactionEvent) -> None:
        rating = rating_for(event.emoji)
        if rating is None or not self._ours(event):
            return
        async with self.locks.hold(event.message_id):  # the first await: see PostLocks
            retracted = self.services.storage.ratings.retract_rating_soon(
                event.message_id, event.user_id, rating
            )
        if (await retracted).changed:
            log.debug("retracted %s by %s on %s", rating, event.user_id, event.message_id)

    # --- catching up -----------------------------------------------------------------------

    async def reconcile(self, now: datetime) -> int:
        """Make the stored ratings of recent posts match the reactions Discord has.

        Reactions added while the bot was offline are recorded (source "reconcile"); ratings
        whose reaction was removed meanwhile are retracted; a post a member asked to reveal is
        revealed. Recording a rating that is already live is a no-op, so this is idempotent.
        Returns the number of ratings recorded or retracted.
        """
        changes = 0
        for post in await self.services.storage.posts.posts_since(now - RECONCILE_WINDOW):
            try:
                changes += await self._reconcile_post(post)
            except discord.NotFound:
                log.info("post %s was deleted; skipped", post.message_id)
            except discord.HTTPException as exc:
                log.warning("cannot read reactions of post %s: %s", post.message_id, exc)
        return changes

    async def _reconcile_post(self, post: Post) -> int:
        # Live events on the post wait meanwhile, then apply on top of what was read here.
        async with self.locks.hold(post.message_id):
            return await self._reconcile_post_locked(post)

    async def _reconcile_post_locked(self, post: Post) -> int:
        channel = self.client.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
        message = await channel.fetch_message(post.message_id)
        on_discord: set[tuple[int, Rating]] = set()
        wants_reveal = False
        for reaction in message.reactions:
            emoji = str(reaction.emoji)
            rating = rating_for(emoji)
            if (rating is None and emoji != self.reveal_emoji) or reaction.count - int(
                reaction.me
            ) <= 0:
                continue
            members = [
                user.id async for user in reaction.users(limit=EVERY_REACTOR) if not user.bot
            ]
            if rating is None:
                wants_reveal = bool(members)
            else:
                on_discord.update((user_id, rating) for user_id in members)
        storage, now = self.services.storage, self.services.clock.now()
        stored = await storage.ratings.live_ratings(
            post.message_id
        )  # includes answers queued before
        changes = [
            storage.ratings.rate_post_soon(
                post.message_id, user_id, rating, now, RatingSource.RECONCILE
            )
            for user_id, rating in sorted(on_discord - stored)
        ] + [
            storage.ratings.retract_rating_soon(post.message_id, user_id, rating)
            for user_id, rating in sorted(stored - on_discord)
        ]
        await asyncio.gather(*changes)
        if wants_reveal and post.revealed_at is None:
            await self.reveal(post)
        return len(on_discord ^ stored)

    async def auto_reveal(self, now: datetime) -> int:
        """Reveal posts nobody revealed within `quiz.auto_reveal_after_minutes`."""
        minutes = self.services.config.quiz.auto_reveal_after_minutes
        if minutes <= 0:
            return 0
        revealed = 0
        for post in await self.services.storage.posts.unrevealed_before(
            now - timedelta(minutes=minutes)
        ):
            try:
                await self.reveal(post)
                revealed += 1
            except discord.NotFound:
                # The message is gone: stop trying.
                await self.services.storage.posts.mark_revealed(post.message_id, now)
            except discord.HTTPException as exc:
                log.warning("cannot auto-reveal post %s: %s", post.message_id, exc)
        return revealed

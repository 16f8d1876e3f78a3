"""Cards in channels: post, reveal, record reaction ratings, and catch up after downtime.

Shared by `/quiz` and the daily drops. Everything goes through the posts table and raw
reaction events (never the message cache), so a post made before a restart keeps working.

A card whose image is a file of its deck is posted with the file attached (`load_image`, which
`/review` uses too): a library deck's file is read beside the deck file, a guild deck's from the
database (`storage.media`). A file that is gone, unreadable or too big, or a channel where the
bot may not attach files, is logged and the card is posted without its image.
"""

from __future__ import annotations

import asyncio
import io
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import discord

from bot.core.members import member_zone
from bot.core.models import Card, Deck, Rating
from bot.core.posts import Post, PostKind
from bot.core.ratings import RatingSource
from bot.core.reactions import FLAG_EMOJI, RATING_EMOJI, is_flag, rating_for
from bot.core.selection import choose_for_channel
from bot.core.study_dates import study_date
from bot.decks.importers.anki import media_folder
from bot.messages import cards as render
from bot.messages import flags as flag_texts
from bot.messages import study as study_texts

if TYPE_CHECKING:
    from bot.app import Services
    from bot.services.catalog import DeckCatalog, StoredMedia

log = logging.getLogger(__name__)

# Posts this recent are read back from Discord at start to record reactions made meanwhile.
RECONCILE_WINDOW = timedelta(days=7)

# `Reaction.users(limit=None)` stops after the count the message had when it was fetched, so
# members reacting meanwhile push the last reactors (by user id) off the listing and their
# ratings would be retracted. The catch-up lists up to that count plus this margin: far more
# newcomers than one catch-up of one post meets, and still an end when a server never ends
# the listing (see `reactor_ids`).
REACTOR_MARGIN = 1000


# Discord's upload limit for a bot in a server without boosts; a bigger file would be refused.
MAX_IMAGE_BYTES: Final = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CardImage:
    """A card's image as a message carries it: the URL its embed shows (None: no image) and,
    for a file of the deck, the bytes attached under `filename`."""

    url: str | None = None
    filename: str | None = None
    data: bytes | None = None

    @property
    def local(self) -> bool:
        return self.data is not None

    def files(self) -> list[discord.File]:
        """The attachment, made afresh: a discord.File is spent once sent."""
        if self.data is None or self.filename is None:
            return []
        return [discord.File(io.BytesIO(self.data), filename=self.filename)]


NO_IMAGE: Final = CardImage()


def image_path(deck: Deck, image: str) -> Path | None:
    """Where a local image is: relative to the deck file, and never outside its folder (a
    path like `../../etc/passwd` must not post the host's files). None if it is outside."""
    if deck.source is None:
        return None
    folder = Path(deck.source).parent.resolve()
    path = (folder / image).resolve()
    return path if path.is_relative_to(folder) else None


def _read_image(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(MAX_IMAGE_BYTES + 1)


def _load_local(deck: Deck, card: Card, image: str) -> CardImage:
    """Resolve and read a local image (file system work: run off the event loop)."""
    path = image_path(deck, image)
    if path is None:
        log.warning(
            "card %s/%s: image %r is not inside the deck's folder; shown without it",
            deck.id,
            card.id,
            image,
        )
        return NO_IMAGE
    try:
        data = _read_image(path)
    except OSError as exc:
        log.warning(
            "card %s/%s: cannot read image %s (%s); shown without it",
            deck.id,
            card.id,
            path,
            exc.strerror or exc,
        )
        return NO_IMAGE
    if len(data) > MAX_IMAGE_BYTES:
        log.warning(
            "card %s/%s: image %s is over %d MiB, Discord's limit; shown without it",
            deck.id,
            card.id,
            path,
            MAX_IMAGE_BYTES // (1024 * 1024),
        )
        return NO_IMAGE
    name = render.attachment_name(image)
    return CardImage(render.attachment_url(name), name, data)


async def _load_stored(deck: Deck, card: Card, image: str, stored: StoredMedia) -> CardImage:
    """A guild deck's image, from the database (never the file system)."""
    folder, _, name = image.partition("/")
    data = await stored(name) if folder == media_folder(deck.id) else None
    if data is None or len(data) > MAX_IMAGE_BYTES:
        log.warning("card %s/%s: image %r is not stored; shown without it", deck.id, card.id, image)
        return NO_IMAGE
    name = render.attachment_name(image)
    return CardImage(render.attachment_url(name), name, data)


async def load_image(deck: Deck, card: Card, stored: StoredMedia | None = None) -> CardImage:
    """The card's image for a message: a web image by URL, a local file read now (it may have
    changed or gone since the deck was loaded); NO_IMAGE, logged, if the file cannot be sent.
    `stored`: a guild deck's files (`DeckCatalog.stored_media`); None: a library deck's."""
    if card.image is None:
        return NO_IMAGE
    if render.is_web_image(card.image):
        return CardImage(card.image)
    if stored is not None:
        return await _load_stored(deck, card, card.image, stored)
    return await asyncio.to_thread(_load_local, deck, card, card.image)


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


# Buttons on a post that answer privately: `card:<hint|answer>:<message id>`. They are not
# stored views: any press, before or after a restart, reaches `CardPoster.private_reply`.
PRIVATE_BUTTON = "card"
PRIVATE_PARTS = ("hint", "answer")


def private_button_id(part: str, message_id: int) -> str:
    return f"{PRIVATE_BUTTON}:{part}:{message_id}"


def parse_private_button(custom_id: str) -> tuple[str, int] | None:
    """(part, message id) of a private-answer button; None for any other custom id."""
    pieces = custom_id.split(":")
    if len(pieces) != 3 or pieces[0] != PRIVATE_BUTTON or pieces[1] not in PRIVATE_PARTS:
        return None
    return (pieces[1], int(pieces[2])) if pieces[2].isdigit() else None


def private_button(part: str, message_id: int, label: str) -> discord.ui.View:
    """A view holding one private-answer button, made to be sent, never stored (stopped)."""
    return _buttons([(private_button_id(part, message_id), label, None)])


# The Flag button of a revealed post, `card:flag:<message id>`: like the private buttons, any
# press reaches `CardPoster.flag_pressed`, before or after a restart.
FLAG_PART = "flag"


def flag_button_id(message_id: int) -> str:
    return f"{PRIVATE_BUTTON}:{FLAG_PART}:{message_id}"


def parse_flag_button(custom_id: str) -> int | None:
    """The message id of a Flag button; None for any other custom id."""
    pieces = custom_id.split(":")
    if len(pieces) != 3 or pieces[0] != PRIVATE_BUTTON or pieces[1] != FLAG_PART:
        return None
    return int(pieces[2]) if pieces[2].isdigit() else None


def revealed_buttons(message_id: int, private_answer: bool) -> discord.ui.View:
    """A revealed post's buttons: Show answer (when it is private), then Flag."""
    answer = (private_button_id("answer", message_id), render.ANSWER_BUTTON, None)
    flag = (flag_button_id(message_id), flag_texts.FLAG_BUTTON, FLAG_EMOJI)
    return _buttons([answer, flag] if private_answer else [flag])


def _buttons(buttons: list[tuple[str, str, str | None]]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for custom_id, label, emoji in buttons:
        view.add_item(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id, emoji=emoji
            )
        )
    view.stop()
    return view


@dataclass(frozen=True, slots=True)
class Reactors:
    """Who reacted with one emoji, as far as the listing went."""

    member_ids: tuple[int, ...]  # members only, not bots
    # False when the listing was cut short: a member missing from it may still be there.
    complete: bool


async def reactor_ids(reaction: discord.Reaction, post_id: int) -> Reactors:
    """The members (not bots) who reacted with `reaction`.

    Discord pages reactors by user id. The listing stops when Discord has no more, at the
    count the message reported plus `REACTOR_MARGIN`, or when a user comes back a second time
    (a server that ignores `after` answers the first page again): a listing that never ends
    would hold the post's lock, and so its live ratings, for ever. The last two cut it short.
    """
    limit = reaction.count + REACTOR_MARGIN
    seen: set[int] = set()
    members: list[int] = []
    async for user in reaction.users(limit=limit):
        if user.id in seen:
            log.warning("post %s: the server listed reactors again; listing stopped", post_id)
            return Reactors(tuple(members), complete=False)
        seen.add(user.id)
        if not user.bot:
            members.append(user.id)
    return Reactors(tuple(members), complete=len(seen) < limit)


class CardPoster:
    """Posts cards and turns reactions on them into ratings."""

    def __init__(self, client: discord.Client, services: Services, catalog: DeckCatalog) -> None:
        self.client = client
        self.services = services
        self.catalog = catalog
        self.locks = PostLocks()
        # Posts whose reveal failed half-way (an edit or reaction refused): the next sweep
        # finishes them. A restart forgets this set; the catch-up at start then sees the
        # reveal reaction on the message and reveals the post.
        self.unfinished_reveals: set[int] = set()
        # Posts whose reveal Discord forbade (missing permissions): that will not mend itself
        # by the next sweep, so only a new reveal reaction (or a restart) tries again.
        self.forbidden_reveals: set[int] = set()

    @property
    def reveal_emoji(self) -> str:
        return self.services.config.quiz.reveal_emoji

    # --- choosing and posting -------------------------------------------------------------

    async def choose(
        self,
        guild_id: int,
        channel_id: int,
        deck_ids: list[str],
        count: int,
        seed: int,
    ) -> list[tuple[Deck, Card]]:
        """The group-aware choice of `count` cards for a channel (see core.selection)."""
        storage, now = self.services.storage, self.services.clock.now()
        guild = await storage.members.guild_settings(guild_id)
        today = study_date(now, member_zone(guild, None), guild.day_starts_at)
        snapshot = await storage.schedule.group_snapshot(guild_id, channel_id, deck_ids, now)
        note_of = self.catalog.notes_of(guild_id, deck_ids)
        refs = choose_for_channel(snapshot, today, count, storage.settings, seed, note_of)
        return [
            found for ref in refs if (found := self.catalog.find_card(guild_id, ref)) is not None
        ]

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
        image = await load_image(deck, card, self.catalog.stored_media(guild_id, deck))
        content = render.question_text(deck, card, self.reveal_emoji)
        nonce = secrets.randbits(63) if nonce is None else nonce
        try:
            message = await channel.send(
                content,
                embed=render.hint_embed(card, image_url=image.url) or discord.utils.MISSING,
                files=image.files() or discord.utils.MISSING,
                nonce=nonce,
            )
        except discord.Forbidden as exc:
            if not image.local:
                raise
            # Most likely no Attach Files permission: the card still goes out, without image.
            log.warning(
                "card %s/%s: the image could not be attached in channel %s (%s); "
                "posting it without",
                deck.id,
                card.id,
                getattr(channel, "id", "?"),
                exc.text,
            )
            message = await channel.send(
                content, embed=render.hint_embed(card) or discord.utils.MISSING, nonce=nonce
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
        if render.hint_is_private(card):
            await message.edit(view=private_button("hint", message.id, render.HINT_BUTTON))
        await message.add_reaction(self.reveal_emoji)
        return message

    async def reveal(self, post: Post) -> None:
        """Show the answer and the 1-5 reactions; recorded only once it is done, so a reveal
        interrupted by a crash is redone by the auto-reveal sweep (every step is idempotent)."""
        message = self.client.get_partial_messageable(
            post.channel_id, guild_id=post.guild_id
        ).get_partial_message(post.message_id)
        found = self.catalog.find_card(post.guild_id, post.card)
        if found is None:
            await message.edit(content=render.missing_card_text(post.deck_id, post.card_id))
        else:
            deck, card = found
            spoiler_answers = self.services.config.quiz.spoiler_answers
            private = render.answer_is_private(card, spoiler_answers=spoiler_answers)
            view = revealed_buttons(post.message_id, private)
            content = render.revealed_text(deck, card)
            await self._edit_with_image(
                message,
                card,
                await load_image(deck, card, self.catalog.stored_media(post.guild_id, deck)),
                lambda url: render.answer_embed(
                    card, spoiler_answers=spoiler_answers, image_url=url
                ),
                content=content,
                view=view,
            )
            for emoji in RATING_EMOJI.values():
                await message.add_reaction(emoji)
        await self.services.storage.posts.mark_revealed(post.message_id, self.services.clock.now())
        self.unfinished_reveals.discard(post.message_id)

    @staticmethod
    async def _edit_with_image(
        message: discord.PartialMessage,
        card: Card,
        image: CardImage,
        embed: Callable[[str | None], discord.Embed],
        **fields: Any,
    ) -> None:
        """Edit a posted card to show `embed(image url)`. A local image is attached again (a
        new embed cannot lean on the question's attachment), replacing the question's, or the
        question's is removed if the file is gone; where the bot may not attach files the
        answer is shown without the image."""
        if card.image is None or render.is_web_image(card.image):
            await message.edit(embed=embed(image.url), **fields)
            return
        try:
            await message.edit(embed=embed(image.url), attachments=image.files(), **fields)
        except discord.Forbidden as exc:
            log.warning(
                "post %s: the image could not be attached (%s); revealed without it",
                message.id,
                exc.text,
            )
            await message.edit(embed=embed(None), attachments=[], **fields)

    async def _reveal_or_retry(self, post: Post) -> bool:
        """Reveal `post`. A step Discord fails is finished by the next sweep; one it forbids
        (missing permissions) waits for the next reveal reaction."""
        try:
            await self.reveal(post)
        except discord.NotFound:
            # The message is gone: nothing left to reveal.
            self.unfinished_reveals.discard(post.message_id)
            await self.services.storage.posts.mark_revealed(
                post.message_id, self.services.clock.now()
            )
            return False
        except discord.Forbidden as exc:
            log.warning(
                "reveal of post %s in channel %s refused (missing permissions: %s); "
                "tried again on the next reveal reaction",
                post.message_id,
                post.channel_id,
                exc.text,
            )
            self.unfinished_reveals.discard(post.message_id)
            self.forbidden_reveals.add(post.message_id)
            return False
        except discord.HTTPException as exc:
            log.warning(
                "reveal of post %s failed, retried at the next sweep: %s", post.message_id, exc
            )
            self.unfinished_reveals.add(post.message_id)
            return False
        self.forbidden_reveals.discard(post.message_id)
        return True

    async def flag_pressed(self, custom_id: str, user_id: int) -> str | None:
        """Record the presser's flag on a post's card and say so (to them only); None if
        `custom_id` is not a Flag button."""
        message_id = parse_flag_button(custom_id)
        if message_id is None:
            return None
        async with self.locks.hold(message_id):
            flagged = await self._flag(message_id, user_id)
        if flagged is None:
            return study_texts.CARD_GONE
        return flag_texts.FLAGGED if flagged else flag_texts.ALREADY_FLAGGED

    async def _flag(self, message_id: int, user_id: int) -> bool | None:
        """The member's flag on the post's card: True if new, False if they had one open,
        None when the post or its card is gone (nothing recorded)."""
        post = await self.services.storage.posts.get_post(message_id)
        return None if post is None else await self._flag_post(post, user_id)

    async def _flag_post(self, post: Post, user_id: int, *, catch_up: bool = False) -> bool | None:
        if self.catalog.find_card(post.guild_id, post.card) is None:
            return None
        flags, now = self.services.storage.flags, self.services.clock.now()
        record = flags.catch_up if catch_up else flags.flag
        flagged = await record(post.guild_id, post.card, user_id, post.message_id, now)
        if flagged:
            log.info("member %s flagged %s on post %s", user_id, post.card, post.message_id)
        return flagged

    async def _withdraw_flag(self, message_id: int, user_id: int) -> None:
        post = await self.services.storage.posts.get_post(message_id)
        if post is None:
            return
        now = self.services.clock.now()
        if await self.services.storage.flags.withdraw(post.guild_id, post.card, user_id, now):
            log.info("member %s withdrew their flag on %s", user_id, post.card)

    async def private_reply(self, custom_id: str) -> discord.Embed | None:
        """The hint or answer a private-answer button shows its presser; None if `custom_id`
        is not such a button."""
        parsed = parse_private_button(custom_id)
        if parsed is None:
            return None
        part, message_id = parsed
        post = await self.services.storage.posts.get_post(message_id)
        found = self.catalog.find_card(post.guild_id, post.card) if post is not None else None
        if found is None:
            return render.card_gone()
        deck, card = found
        return render.private_hint(card) if part == "hint" else render.private_answer(deck, card)

    # --- reactions -------------------------------------------------------------------------

    def _ours(self, event: ReactionEvent) -> bool:
        """A reaction that may matter: a member's, in a guild, with one of our emoji."""
        me = self.client.user
        return (
            event.guild_id is not None
            and not event.by_bot
            and (me is None or event.user_id != me.id)
            and (
                event.emoji == self.reveal_emoji
                or rating_for(event.emoji) is not None
                or is_flag(event.emoji)
            )
        )

    async def reaction_added(self, event: ReactionEvent) -> None:
        if not self._ours(event):
            return
        rating = rating_for(event.emoji)
        async with self.locks.hold(event.message_id):  # the first await: see PostLocks
            if is_flag(event.emoji):  # a flag, never a rating
                await self._flag(event.message_id, event.user_id)
                return
            if rating is None:
                post = await self.services.storage.posts.get_post(event.message_id)
                if post is not None and post.revealed_at is None:
                    await self._reveal_or_retry(post)
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
        if not self._ours(event):
            return
        if is_flag(event.emoji):
            async with self.locks.hold(event.message_id):
                await self._withdraw_flag(event.message_id, event.user_id)
            return
        rating = rating_for(event.emoji)
        if rating is None:
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
        revealed; a 🚩 added meanwhile is recorded as that member's flag. Recording a rating
        (or flag) that is already live is a no-op, so this is idempotent.
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
        # Ratings whose listing was cut short: their absence proves nothing, so none is retracted.
        unsure: set[Rating] = set()
        wants_reveal = False
        flaggers: list[int] = []
        for reaction in message.reactions:
            emoji = str(reaction.emoji)
            rating = rating_for(emoji)
            if reaction.count - int(reaction.me) <= 0:
                continue
            if is_flag(emoji):
                # Flags raised meanwhile are recorded (not again once cleared); one withdrawn
                # meanwhile stays open (it may have come from the Flag button, no reaction).
                flaggers += (await reactor_ids(reaction, post.message_id)).member_ids
                continue
            if rating is None and emoji != self.reveal_emoji:
                continue
            reactors = await reactor_ids(reaction, post.message_id)
            if rating is None:
                wants_reveal = bool(reactors.member_ids)
                continue
            on_discord.update((user_id, rating) for user_id in reactors.member_ids)
            if not reactors.complete:
                unsure.add(rating)
        storage, now = self.services.storage, self.services.clock.now()
        stored = await storage.ratings.live_ratings(post.message_id)  # queued answers too
        gone = {
            (user_id, rating) for user_id, rating in stored - on_discord if rating not in unsure
        }
        changes = [
            storage.ratings.rate_post_soon(
                post.message_id, user_id, rating, now, RatingSource.RECONCILE
            )
            for user_id, rating in sorted(on_discord - stored)
        ] + [
            storage.ratings.retract_rating_soon(post.message_id, user_id, rating)
            for user_id, rating in sorted(gone)
        ]
        await asyncio.gather(*changes)
        for user_id in flaggers:
            await self._flag_post(post, user_id, catch_up=True)
        if wants_reveal and post.revealed_at is None:
            await self._reveal_or_retry(post)
        return len(on_discord - stored) + len(gone)

    async def sweep(self, now: datetime) -> int:
        """Reveal the posts that should be: those whose reveal failed half-way, and those
        nobody revealed within `quiz.auto_reveal_after_minutes`. Returns how many were."""
        minutes = self.services.config.quiz.auto_reveal_after_minutes
        storage = self.services.storage
        wanted = set(self.unfinished_reveals)
        if minutes > 0:
            old = await storage.posts.unrevealed_before(now - timedelta(minutes=minutes))
            wanted.update(post.message_id for post in old)
        wanted -= self.forbidden_reveals
        revealed = 0
        for message_id in sorted(wanted):
            async with self.locks.hold(message_id):
                post = await storage.posts.get_post(
                    message_id
                )  # a 👀 may have revealed it meanwhile
                if post is None or post.revealed_at is not None:
                    self.unfinished_reveals.discard(message_id)
                    continue
                revealed += await self._reveal_or_retry(post)
        return revealed

"""`/review`: a member's private session of due and new cards, answered with buttons."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import deck_choices, guild_id_of
from bot.core.members import member_study_date
from bot.core.models import CardRef, Rating
from bot.core.ratings import RatingEvent, RatingSource
from bot.core.session import ReviewSession
from bot.messages import cards as render
from bot.messages import decks as deck_texts
from bot.messages import study as texts
from bot.services.posting import NO_IMAGE, CardImage, load_image

log = logging.getLogger(__name__)

SESSION_TIMEOUT_SECONDS = 14 * 60  # interaction tokens live 15 minutes


class Review(commands.Cog):
    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot
        # Running sessions by id; a session lives in memory only, so a restart ends it.
        self.sessions: dict[int, ReviewView] = {}

    @app_commands.command(name="review")
    @app_commands.guild_only()
    @app_commands.describe(deck="only this deck (default: all decks)")
    async def review(self, interaction: discord.Interaction, deck: str | None = None) -> None:
        """Review your due cards privately, then new ones up to today's limit."""
        guild_id = guild_id_of(interaction)
        decks = self.bot.catalog.decks_for(guild_id)
        if deck is not None and deck not in decks:
            await interaction.response.send_message(deck_texts.no_such_deck(deck), ephemeral=True)
            return
        deck_ids = [deck] if deck else list(decks)
        cards = await self.bot.study.queue(guild_id, interaction.user.id, deck_ids)
        if not cards:
            await interaction.response.send_message(texts.NOTHING_TO_REVIEW, ephemeral=True)
            return
        view = ReviewView(
            self.bot,
            interaction.user.id,
            guild_id,
            cards,
            interaction.id,
            self.sessions,
        )
        self.sessions[view.session_id] = view
        embed, image = await view.page_and_image()
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, files=image.files() or discord.utils.MISSING
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A button of a session that no longer runs (the bot restarted, or the session timed
        out) gets an answer instead of Discord's "This interaction failed"."""
        session_id = session_of(interaction)
        if session_id is not None and session_id not in self.sessions:
            await interaction.response.send_message(texts.SESSION_ENDED, ephemeral=True)

    @review.autocomplete("deck")
    async def review_deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)


def button_id(session_id: int, step: int, action: str) -> str:
    """`review:<session>:<step>:<action>`: the session and the page a button acts on, so a
    press on a page already left (a double click) or on an ended session is recognised."""
    return f"review:{session_id}:{step}:{action}"


def session_of(interaction: discord.Interaction) -> int | None:
    """The review session a button press belongs to; None for any other interaction."""
    if interaction.type is not discord.InteractionType.component or interaction.data is None:
        return None
    parts = str(interaction.data.get("custom_id", "")).split(":")
    if len(parts) >= 4 and parts[0] == "review" and parts[1].isdigit():
        return int(parts[1])
    return None


class ReviewView(discord.ui.View):
    """One member's private session: question → Show answer → 1-5 → next card."""

    def __init__(
        self,
        bot: Flashdrop,
        owner_id: int,
        guild_id: int,
        cards: list[CardRef],
        session_id: int,
        running: dict[int, ReviewView],
    ) -> None:
        super().__init__(timeout=SESSION_TIMEOUT_SECONDS)
        self.bot = bot
        self.owner_id = owner_id
        self.guild_id = guild_id
        self.session_id = session_id
        self.session = ReviewSession.start(cards)
        self.revealed = False
        self._running = running
        # Presses are handled one at a time: a double click must not rate the next card.
        self._lock = asyncio.Lock()
        self._build()

    @property
    def step(self) -> int:
        """How many answers were given: with `revealed`, which page is on screen."""
        return len(self.session.answers)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(texts.NOT_YOUR_SESSION, ephemeral=True)
        return False

    async def page_and_image(self) -> tuple[discord.Embed, CardImage]:
        """The embed for the session's current state, and the card's image to attach to it."""
        card_ref = self.session.current
        if card_ref is None:
            return render.session_summary(self.session.summary()), NO_IMAGE
        found = self.bot.catalog.find_card(self.guild_id, card_ref)
        if found is None:
            return render.card_gone(), NO_IMAGE
        deck, card = found
        stored = self.bot.catalog.stored_media(self.guild_id, deck)
        image = await load_image(deck, card, stored)
        embed = render.review_page(
            deck.name,
            card.question,
            card.answer,
            revealed=self.revealed,
            cards_left=len(self.session.queue),
            image_url=image.url,
        )
        return embed, image

    async def show_page(self, interaction: discord.Interaction, *, ended: bool = False) -> None:
        """Replace the session message with the current page; its attachment is the current
        card's image, or none (the previous card's is dropped)."""
        embed, image = await self.page_and_image()
        await interaction.response.edit_message(
            embed=embed, view=None if ended else self, attachments=image.files()
        )

    def _build(self) -> None:
        self.clear_items()
        if self.session.finished:
            self.stop()
            return
        if self.revealed:
            for rating in Rating:
                self.add_item(RateButton(self.session_id, self.step, rating))
        else:
            self.add_item(ShowAnswerButton(self.session_id, self.step))
        self.add_item(StopButton(self.session_id, self.step))

    async def show_answer(self, interaction: discord.Interaction, step: int) -> None:
        async with self._lock:
            if (step, self.revealed) != (self.step, False):
                await interaction.response.defer()  # a page already left: nothing to do
                return
            self.revealed = True
            self._build()
            await self.show_page(interaction)

    async def rate(self, interaction: discord.Interaction, step: int, rating: Rating) -> None:
        async with self._lock:
            card = self.session.current
            if card is None or (step, self.revealed) != (self.step, True):
                await interaction.response.defer()  # e.g. the second click of a double click
                return
            await self._record(card, rating)
            self.session = self.session.answer(rating)
            self.revealed = False
            self._build()
            await self.show_page(interaction)
            if self.session.finished:
                self._end()

    async def finish(self, interaction: discord.Interaction) -> None:
        async with self._lock:
            self.session = self.session.stop()
            self._build()
            await self.show_page(interaction, ended=True)
            self._end()

    async def on_timeout(self) -> None:
        self._end()

    def _end(self) -> None:
        # Only once the last answer is sent: a press still in flight then finds it ended.
        self._running.pop(self.session_id, None)

    async def _record(self, card: CardRef, rating: Rating) -> None:
        storage, now = self.bot.services.storage, self.bot.services.clock.now()
        guild = await storage.members.guild_settings(self.guild_id)
        member = await storage.members.member_settings(self.guild_id, self.owner_id)
        await storage.ratings.record_rating(
            RatingEvent(
                guild_id=self.guild_id,
                user_id=self.owner_id,
                deck_id=card.deck_id,
                card_id=card.card_id,
                rating=rating,
                rated_at=now,
                study_date=member_study_date(now, guild, member),
                source=RatingSource.BUTTON,
            )
        )


class ShowAnswerButton(discord.ui.Button[ReviewView]):
    def __init__(self, session_id: int, step: int) -> None:
        super().__init__(
            label=render.ANSWER_BUTTON,
            style=discord.ButtonStyle.primary,
            custom_id=button_id(session_id, step, "show"),
        )
        self.step = step

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.show_answer(interaction, self.step)


class RateButton(discord.ui.Button[ReviewView]):
    def __init__(self, session_id: int, step: int, rating: Rating) -> None:
        super().__init__(
            label=texts.rate_label(rating),
            style=discord.ButtonStyle.secondary,
            custom_id=button_id(session_id, step, f"rate:{int(rating)}"),
        )
        self.step = step
        self.rating = rating

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.rate(interaction, self.step, self.rating)


class StopButton(discord.ui.Button[ReviewView]):
    def __init__(self, session_id: int, step: int) -> None:
        super().__init__(
            label=texts.STOP,
            style=discord.ButtonStyle.danger,
            custom_id=button_id(session_id, step, "stop"),
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.finish(interaction)


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Review(bot))

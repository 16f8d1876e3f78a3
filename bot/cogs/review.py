"""A member's own study: `/review` sessions with buttons, `/due`, `/timezone`."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import date
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.decks import deck_choices
from bot.core.members import member_study_date
from bot.core.models import RATING_PROMPT, CardRef, Rating
from bot.core.ratings import RatingEvent, RatingSource
from bot.core.session import ReviewSession

log = logging.getLogger(__name__)

SESSION_TIMEOUT_SECONDS = 14 * 60  # interaction tokens live 15 minutes
MAX_DUE_IN_SESSION = 100
SESSION_ENDED = "This review session has ended. Start a new one with `/review`."
_ZONES = sorted(available_timezones())


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
        decks = self.bot.services.decks
        if deck is not None and deck not in decks:
            await interaction.response.send_message(f"No deck `{deck}`.", ephemeral=True)
            return
        assert interaction.guild_id is not None
        deck_ids = [deck] if deck else list(decks)
        cards = await self._queue(interaction.guild_id, interaction.user.id, deck_ids)
        if not cards:
            await interaction.response.send_message(
                "Nothing to review right now: no cards are due and today's new cards are done. "
                "See `/due` for when the next ones come.",
                ephemeral=True,
            )
            return
        view = ReviewView(
            self.bot,
            interaction.user.id,
            interaction.guild_id,
            cards,
            interaction.id,
            self.sessions,
        )
        self.sessions[view.session_id] = view
        await interaction.response.send_message(embed=view.page(), view=view, ephemeral=True)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A button of a session that no longer runs (the bot restarted, or the session timed
        out) gets an answer instead of Discord's "This interaction failed"."""
        session_id = session_of(interaction)
        if session_id is not None and session_id not in self.sessions:
            await interaction.response.send_message(SESSION_ENDED, ephemeral=True)

    async def _queue(self, guild_id: int, user_id: int, deck_ids: list[str]) -> list[CardRef]:
        """Due cards first (most overdue first), then new cards within the daily limit."""
        storage, now = self.bot.services.storage, self.bot.services.clock.now()
        today = await storage.members.study_date_for(guild_id, user_id, now)
        due = await storage.schedule.next_due(
            guild_id, user_id, today, deck_ids=deck_ids, limit=MAX_DUE_IN_SESSION
        )
        cards = [state.card for state in due]
        for deck_id in deck_ids:
            cards += await storage.schedule.new_card_candidates(guild_id, user_id, deck_id, today)
        return cards

    @app_commands.command(name="due")
    @app_commands.guild_only()
    async def due(self, interaction: discord.Interaction) -> None:
        """How many of your cards are due, per deck, and when the next ones come."""
        assert interaction.guild_id is not None
        guild_id, user_id = interaction.guild_id, interaction.user.id
        storage = self.bot.services.storage
        today = await storage.members.study_date_for(
            guild_id, user_id, self.bot.services.clock.now()
        )
        counts = await storage.schedule.due_counts(guild_id, user_id, today)
        upcoming = await storage.schedule.next_due_date(guild_id, user_id, today)
        await interaction.response.send_message(
            due_text(self.bot, counts, today, upcoming), ephemeral=True
        )

    @review.autocomplete("deck")
    async def review_deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, current)

    @app_commands.command(name="timezone")
    @app_commands.guild_only()
    @app_commands.describe(zone="an IANA time zone, e.g. Europe/Copenhagen")
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        """Set your time zone, so your study day starts at the right local hour."""
        assert interaction.guild_id is not None
        storage = self.bot.services.storage
        if zone not in _ZONES:
            await interaction.response.send_message(
                f"`{zone[:100]}` is not a time zone I know. Pick one from the list, "
                "e.g. `Europe/Copenhagen` or `America/New_York`.",
                ephemeral=True,
            )
            return
        settings = await storage.members.member_settings(interaction.guild_id, interaction.user.id)
        await storage.members.save_member_settings(replace(settings, timezone=zone))
        await interaction.response.send_message(
            f"Your time zone is now **{zone}**.", ephemeral=True
        )

    @timezone.autocomplete("zone")
    async def zone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.casefold().replace(" ", "_")
        return [app_commands.Choice(name=z, value=z) for z in _ZONES if needle in z.casefold()][:25]


def due_text(bot: Flashdrop, counts: dict[str, int], today: date, upcoming: date | None) -> str:
    decks = bot.services.decks
    lines = [
        f"**{decks[deck_id].name if deck_id in decks else deck_id}**: {n} due"
        for deck_id, n in sorted(counts.items())
    ]
    total = sum(counts.values())
    head = f"You have **{total}** card(s) due today." if total else "Nothing is due today."
    tail = f"Next cards come due on **{upcoming.isoformat()}**." if upcoming else ""
    hint = "Use `/review` to study them." if total else ""
    return "\n".join(line for line in (head, *lines, tail, hint) if line)


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
        await interaction.response.send_message(
            "This review session is someone else's. Start your own with `/review`.",
            ephemeral=True,
        )
        return False

    def page(self) -> discord.Embed:
        """The embed for the session's current state."""
        card_ref = self.session.current
        if card_ref is None:
            return summary_embed(self.session)
        found = self._lookup(card_ref)
        if found is None:
            return discord.Embed(description="This card is no longer in its deck.")
        deck_name, question, answer = found
        left = len(self.session.queue)
        text = question.strip()
        if self.revealed:
            text += f"\n\n**Answer**\n{answer.strip()}"
        embed = discord.Embed(title=deck_name, description=text)
        if self.revealed:
            embed.set_footer(text=RATING_PROMPT)
        else:
            embed.set_footer(text=f"{left} card(s) left in this session")
        return embed

    def _lookup(self, ref: CardRef) -> tuple[str, str, str] | None:
        deck = self.bot.services.decks.get(ref.deck_id)
        card = deck.card(ref.card_id) if deck else None
        return (deck.name, card.question, card.answer) if deck and card else None

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
            await interaction.response.edit_message(embed=self.page(), view=self)

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
            await interaction.response.edit_message(embed=self.page(), view=self)
            if self.session.finished:
                self._end()

    async def finish(self, interaction: discord.Interaction) -> None:
        async with self._lock:
            self.session = self.session.stop()
            self._build()
            await interaction.response.edit_message(embed=self.page(), view=None)
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
            label="Show answer",
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
            label=f"{int(rating)} {rating.label}",
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
            label="Stop",
            style=discord.ButtonStyle.danger,
            custom_id=button_id(session_id, step, "stop"),
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.finish(interaction)


def summary_embed(session: ReviewSession) -> discord.Embed:
    summary = session.summary()
    lines = [f"{int(r)} {r.label}: {summary.counts[r]}" for r in Rating if summary.counts[r]]
    embed = discord.Embed(
        title="Session finished" if not summary.cards_left else "Session stopped",
        description=(
            f"You reviewed **{summary.cards_reviewed}** card(s) with **{summary.answers}** "
            "answer(s).\n" + "\n".join(lines)
        ),
        colour=discord.Colour.green(),
    )
    if summary.cards_left:
        embed.set_footer(text=f"{summary.cards_left} card(s) left for later: /review continues.")
    return embed


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Review(bot))

"""`/card`: one card of a deck — `/card add` and `/card edit` (and the "Edit card" menu on a
posted card) open one modal that writes the server's own deck (`bot.services.card_edits`);
`/card suspend` takes a card out of the server's study (drops, `/quiz`, `/review`, `/due`)
without losing anyone's history, `/card unsuspend` brings it back."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import card_choices, deck_choices, guild_id_of, require_deck_manager
from bot.core.models import (
    MAX_ANSWER_CHARS,
    MAX_HINT_CHARS,
    MAX_QUESTION_CHARS,
    CardKind,
    CardRef,
    Deck,
)
from bot.decks import DeckError
from bot.decks.importers.anki import media_file_name, media_folder
from bot.messages import cards_editing as edit_texts
from bot.messages import decks as deck_texts
from bot.messages import suspensions as suspension_texts
from bot.services import card_edits
from bot.services.card_edits import CardText
from bot.services.deck_imports import MIB
from bot.services.posting import MAX_IMAGE_BYTES

Save = Callable[[discord.Interaction, CardText], Awaitable[None]]
# What a submitted form makes of a deck (guild id, the deck as it is now, the form's texts):
# the new deck and what to tell the member, or why there is none. Raises DeckError.
# A submitted form's change of a deck: (guild, the deck now, the form's texts, the path of the
# image attached to the command, if any) -> the new deck and what to say, or why not.
Change = Callable[[int, Deck, CardText, str | None], tuple[Deck, str] | str]


class CardModal(discord.ui.Modal):
    """Question, answer and hint of one card; a cloze card's text and extra instead."""

    def __init__(self, title: str, text: CardText, kind: CardKind, save: Save) -> None:
        super().__init__(title=title, timeout=900)
        cloze = kind is CardKind.CLOZE
        self._save = save
        self.question: discord.ui.TextInput[CardModal] = discord.ui.TextInput(
            label=edit_texts.CLOZE_LABEL if cloze else edit_texts.QUESTION_LABEL,
            style=discord.TextStyle.paragraph,
            default=text.question or None,
            max_length=MAX_QUESTION_CHARS,
            custom_id="question",
        )
        self.answer: discord.ui.TextInput[CardModal] = discord.ui.TextInput(
            label=edit_texts.EXTRA_LABEL if cloze else edit_texts.ANSWER_LABEL,
            style=discord.TextStyle.paragraph,
            default=text.answer or None,
            max_length=MAX_ANSWER_CHARS,
            required=not cloze,
            custom_id="answer",
        )
        self.hint: discord.ui.TextInput[CardModal] = discord.ui.TextInput(
            label=edit_texts.HINT_LABEL,
            default=text.hint or None,
            max_length=MAX_HINT_CHARS,
            required=False,
            custom_id="hint",
        )
        for item in (self.question, self.answer, self.hint):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = CardText(self.question.value, self.answer.value, self.hint.value)
        await self._save(interaction, text)


@app_commands.guild_only()
class Cards(commands.GroupCog, group_name="card"):
    """Manage one card of a deck."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot
        menu = app_commands.ContextMenu(name=edit_texts.EDIT_MENU, callback=self.edit_post)
        self.edit_menu = app_commands.guild_only(menu)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.edit_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.edit_menu.name, type=self.edit_menu.type)

    @app_commands.command(name="add")
    @app_commands.describe(
        deck="one of this server's own decks", image="a picture the card shows with its question"
    )
    async def add(
        self, interaction: discord.Interaction, deck: str, image: discord.Attachment | None = None
    ) -> None:
        """Add a card to one of this server's decks: a form asks its question, answer and hint."""
        if await self._refused(interaction, deck):
            return
        if image is not None and (refusal := _image_refusal(image)) is not None:
            await _say(interaction, refusal)
            return

        def change(
            guild_id: int, current: Deck, text: CardText, image_path: str | None
        ) -> tuple[Deck, str]:
            new_deck, card = card_edits.added(guild_id, current, text, image_path)
            return new_deck, edit_texts.added(CardRef(deck, card.id))

        save = functools.partial(self._store, deck_id=deck, change=change, image=image)
        modal = CardModal(edit_texts.ADD_TITLE, CardText("", ""), CardKind.BASIC, save)
        await interaction.response.send_modal(modal)

    @app_commands.command(name="edit")
    @app_commands.describe(deck="one of this server's own decks", card="the card's id")
    async def edit(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Edit a card's question, answer and hint; everyone's schedule of it is kept."""
        await self._open_edit(interaction, CardRef(deck, card))

    async def edit_post(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The "Edit card" menu: the card a message of the bot posted, in the same form."""
        post = await self.bot.services.storage.posts.get_post(message.id)
        if post is None or post.guild_id != guild_id_of(interaction):
            await _say(interaction, edit_texts.NOT_A_POST)
            return
        await self._open_edit(interaction, post.card)

    async def _open_edit(self, interaction: discord.Interaction, ref: CardRef) -> None:
        if await self._refused(interaction, ref.deck_id):
            return
        deck = self.bot.catalog.guild_decks(guild_id_of(interaction))[ref.deck_id]
        card = deck.card(ref.card_id)
        if card is None:
            await _say(interaction, suspension_texts.no_such_card(ref))
            return

        def change(
            guild_id: int, current: Deck, text: CardText, _image: str | None
        ) -> tuple[Deck, str] | str:
            found = current.card(ref.card_id)
            if found is None:
                return suspension_texts.no_such_card(ref)
            new_deck = card_edits.edited(guild_id, current, found, text)
            ids = tuple(c.id for c in new_deck.cards if c.note_id == found.note_id)
            return new_deck, edit_texts.edited(ref, ids)

        save = functools.partial(self._store, deck_id=ref.deck_id, change=change)
        modal = CardModal(edit_texts.EDIT_TITLE, card_edits.modal_text(card), card.kind, save)
        await interaction.response.send_modal(modal)

    async def _store(
        self,
        interaction: discord.Interaction,
        text: CardText,
        *,
        deck_id: str,
        change: Change,
        image: discord.Attachment | None = None,
    ) -> None:
        """Save `change` of the server's deck as it is now (one save at a time, so two forms
        sent together both count); a member who lost the right meanwhile is refused."""
        if not await require_deck_manager(interaction, self.bot, edit_texts.ACTION):
            return
        guild_id = guild_id_of(interaction)
        # Checking the whole deck again takes about a second per 4,000 cards: off the loop.
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.catalog.changing(guild_id):
            current = self.bot.catalog.guild_decks(guild_id).get(deck_id)
            try:
                image_path = None
                if image is not None and current is not None:
                    image_path = await self._store_image(guild_id, deck_id, image)
                outcome = (
                    deck_texts.no_such_deck(deck_id)
                    if current is None
                    else await asyncio.to_thread(change, guild_id, current, text, image_path)
                )
            except _ImageRefused as refused:
                outcome = str(refused)
            except DeckError as error:
                outcome = edit_texts.rejected([problem.message for problem in error.problems])
            if not isinstance(outcome, str):
                new_deck, outcome = outcome
                await self.bot.catalog.save(guild_id, new_deck)
        await interaction.edit_original_response(content=outcome)

    async def _store_image(self, guild_id: int, deck_id: str, image: discord.Attachment) -> str:
        """Download the attached image and store it with the deck's media (content-addressed,
        within the server's media limit); its path for the card. Raises _ImageRefused."""
        try:
            data = await image.read()
        except discord.HTTPException as exc:
            raise _ImageRefused(image.filename, edit_texts.IMAGE_DOWNLOAD_FAILED) from exc
        name = card_edits.image_name(data, image.filename)
        if name is None:
            raise _ImageRefused(image.filename, edit_texts.IMAGE_NOT_AN_IMAGE)
        if len(data) > MAX_IMAGE_BYTES:
            raise _ImageRefused(image.filename, edit_texts.image_too_large(MAX_IMAGE_BYTES // MIB))
        media, limit = self.bot.services.storage.media, self.bot.config.max_media_mib_per_guild
        if await media.total_bytes(guild_id) + len(data) > limit * MIB:
            raise _ImageRefused(image.filename, edit_texts.image_over_media_limit(limit))
        # Saved before the deck, as an import's are: unused, it is forgotten (forget_unused).
        await media.save(guild_id, deck_id, {name: data})
        return f"{media_folder(deck_id)}/{name}"

    async def _refused(self, interaction: discord.Interaction, deck_id: str) -> bool:
        """Told why (privately) unless a deck manager names one of the server's own decks."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, edit_texts.ACTION):
            return True
        if deck_id in self.bot.catalog.guild_decks(guild_id):
            return False
        if deck_id in self.bot.catalog.decks_for(guild_id):
            await _say(interaction, edit_texts.library_deck(deck_id))
        else:
            await _say(interaction, deck_texts.no_such_deck(deck_id))
        return True

    @app_commands.command(name="suspend")
    @app_commands.describe(deck="the card's deck", card="the card's id")
    async def suspend(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Take a card out of drops, /quiz and /review here; everyone's history is kept."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, "suspend cards"):
            return
        ref = CardRef(deck, card)
        refusal = self._unknown(guild_id, ref)
        if refusal is None:
            now = self.bot.services.clock.now()
            storage = self.bot.services.storage
            done = await storage.suspensions.suspend(guild_id, ref, interaction.user.id, now)
            text = (
                suspension_texts.suspended(ref) if done else suspension_texts.already_suspended(ref)
            )
        else:
            text = refusal
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="unsuspend")
    @app_commands.describe(deck="the card's deck", card="the suspended card's id")
    async def unsuspend(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Study a suspended card here again, with everyone's schedule as it was."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, "unsuspend cards"):
            return
        ref = CardRef(deck, card)
        done = await self.bot.services.storage.suspensions.unsuspend(guild_id, ref)
        text = suspension_texts.unsuspended(ref) if done else suspension_texts.not_suspended(ref)
        await interaction.response.send_message(text, ephemeral=True)

    def _unknown(self, guild_id: int, ref: CardRef) -> str | None:
        """Why `ref` names no card this server studies, or None."""
        deck = self.bot.catalog.decks_for(guild_id).get(ref.deck_id)
        if deck is None:
            return deck_texts.no_such_deck(ref.deck_id)
        if deck.card(ref.card_id) is None:
            return suspension_texts.no_such_card(ref)
        return None

    @add.autocomplete("deck")
    @edit.autocomplete("deck")
    async def own_deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        own = self.bot.catalog.guild_decks(interaction.guild_id) if interaction.guild_id else {}
        return [c for c in deck_choices(self.bot, interaction, current) if c.value in own]

    @suspend.autocomplete("deck")
    @unsuspend.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)

    @suspend.autocomplete("card")
    @edit.autocomplete("card")
    async def card_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return card_choices(self.bot, interaction, current)

    @unsuspend.autocomplete("card")
    async def suspended_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        storage = self.bot.services.storage
        suspended = await storage.suspensions.suspended(interaction.guild_id)
        return card_choices(self.bot, interaction, current, only=suspended)


class _ImageRefused(Exception):
    def __init__(self, filename: str, why: str) -> None:
        super().__init__(edit_texts.image_refused(filename, why))


def _image_refusal(image: discord.Attachment) -> str | None:
    """Why an attachment cannot be a card's image, told before the form opens; None if it
    may be one (its bytes are checked again once downloaded)."""
    if media_file_name(image.filename) is None:
        return edit_texts.image_refused(image.filename, edit_texts.IMAGE_NOT_AN_IMAGE)
    if image.size > MAX_IMAGE_BYTES:
        limit = edit_texts.image_too_large(MAX_IMAGE_BYTES // MIB)
        return edit_texts.image_refused(image.filename, limit)
    return None


async def _say(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Cards(bot))

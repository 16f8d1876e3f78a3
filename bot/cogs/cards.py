"""`/card add`, `/card edit` and the "Edit card" message menu: a deck manager writes a card of
one of the server's own decks in a modal (saved through the deck-file rules and the catalog,
so the card's id and every schedule stay). `/card suspend` and `/card unsuspend`: a card out of
drops, quizzes and reviews (its history and every member's schedule kept), and back."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import card_choices, deck_choices, guild_id_of, require_deck_manager
from bot.core.models import (
    MAX_ANSWER_CHARS,
    MAX_HINT_CHARS,
    MAX_QUESTION_CHARS,
    Card,
    CardRef,
    Deck,
)
from bot.messages import cards_editing as texts
from bot.messages import decks as deck_texts
from bot.services.card_edits import CardText, EditRefused, with_card_added, with_card_edited
from bot.services.catalog import guild_deck_path


@app_commands.guild_only()
class Cards(commands.GroupCog, group_name="card"):
    """Change the cards of this server's decks."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot
        menu = app_commands.ContextMenu(name="Edit card", callback=self.edit_posted)
        self.edit_menu = app_commands.guild_only(menu)
        bot.tree.add_command(self.edit_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.edit_menu.name, type=self.edit_menu.type)

    @app_commands.command(name="add")
    @app_commands.describe(deck="one of this server's own decks")
    async def add(self, interaction: discord.Interaction, deck: str) -> None:
        """Add a card to one of this server's decks: you write it in a form."""
        found = await self._own_deck(interaction, deck, "add cards")
        if found is not None:
            await interaction.response.send_modal(CardModal(self, found, None))

    @app_commands.command(name="edit")
    @app_commands.describe(deck="one of this server's own decks", card="the card to edit")
    async def edit(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Edit a card of one of this server's decks in a form; its schedules are kept."""
        await self._open_edit(interaction, deck, card)

    async def edit_posted(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The "Edit card" menu on a posted card: the same form as `/card edit`."""
        post = await self.bot.services.storage.posts.get_post(message.id)
        if post is None or post.guild_id != guild_id_of(interaction):
            await interaction.response.send_message(texts.NOT_A_POST, ephemeral=True)
            return
        await self._open_edit(interaction, post.deck_id, post.card_id)

    async def _open_edit(
        self, interaction: discord.Interaction, deck_id: str, card_id: str
    ) -> None:
        deck = await self._own_deck(interaction, deck_id, "edit cards")
        if deck is None:
            return
        card = deck.card(card_id)
        if card is None:
            text = texts.no_such_card(deck_id, card_id)
        elif card.note is not None:
            text = texts.typed_card(deck, card)
        else:
            await interaction.response.send_modal(CardModal(self, deck, card))
            return
        await interaction.response.send_message(text, ephemeral=True)

    async def _own_deck(
        self, interaction: discord.Interaction, deck_id: str, action: str
    ) -> Deck | None:
        """The guild's own deck for a deck manager; anyone else, a library deck or an unknown
        deck is told why."""
        if not await require_deck_manager(interaction, self.bot, action):
            return None
        guild_id = guild_id_of(interaction)
        deck = self.bot.catalog.guild_decks(guild_id).get(deck_id)
        if deck is not None:
            return deck
        library = self.bot.catalog.deck(guild_id, deck_id)
        text = deck_texts.no_such_deck(deck_id) if library is None else texts.library_deck(library)
        await interaction.response.send_message(text, ephemeral=True)
        return None

    async def save(
        self, interaction: discord.Interaction, deck: Deck, card: Card | None, text: CardText
    ) -> None:
        """A submitted modal: the deck's next version, checked and stored, or why not."""
        guild_id = guild_id_of(interaction)
        current = self.bot.catalog.guild_decks(guild_id).get(deck.id)
        path = guild_deck_path(guild_id, deck.id)
        try:
            if current is None:  # removed while the form was open
                raise EditRefused(deck_texts.no_such_deck(deck.id))
            if card is None:
                edited, saved = with_card_added(current, text, path)
                reply = texts.card_added(edited, saved)
            else:
                if current.card(card.id) is None:
                    raise EditRefused(texts.no_such_card(deck.id, card.id))
                edited = with_card_edited(current, card.id, text, path)
                reply = texts.card_saved(edited, card)
        except EditRefused as refused:
            await interaction.response.send_message(str(refused), ephemeral=True)
            return
        await self.bot.catalog.save(guild_id, edited)
        await interaction.response.send_message(reply, ephemeral=True)

    @app_commands.command(name="suspend")
    @app_commands.describe(deck="the card's deck", card="the card to take out")
    async def suspend(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Take a card out of drops, quizzes and reviews; its history is kept."""
        found = await self._managed_card(interaction, deck, card, "suspend cards")
        if found is None:
            return
        ref, now = CardRef(found[0].id, found[1].id), self.bot.services.clock.now()
        storage = self.bot.services.storage
        done = await storage.suspensions.suspend(
            guild_id_of(interaction), ref, interaction.user.id, now
        )
        text = texts.suspended(*found) if done else texts.already_suspended(*found)
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="unsuspend")
    @app_commands.describe(deck="the card's deck", card="the card to bring back")
    async def unsuspend(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Bring a suspended card back, with its schedules as they were."""
        found = await self._managed_card(interaction, deck, card, "unsuspend cards")
        if found is None:
            return
        ref = CardRef(found[0].id, found[1].id)
        done = await self.bot.services.storage.suspensions.unsuspend(guild_id_of(interaction), ref)
        text = texts.unsuspended(*found) if done else texts.not_suspended(*found)
        await interaction.response.send_message(text, ephemeral=True)

    async def _managed_card(
        self, interaction: discord.Interaction, deck_id: str, card_id: str, action: str
    ) -> tuple[Deck, Card] | None:
        """The named card for a deck manager; anyone else, or an unknown card, is told why."""
        if not await require_deck_manager(interaction, self.bot, action):
            return None
        guild_id = guild_id_of(interaction)
        if self.bot.catalog.deck(guild_id, deck_id) is None:
            text = deck_texts.no_such_deck(deck_id)
        elif (found := self.bot.catalog.find_card(guild_id, CardRef(deck_id, card_id))) is None:
            text = texts.no_such_card(deck_id, card_id)
        else:
            return found
        await interaction.response.send_message(text, ephemeral=True)
        return None

    @add.autocomplete("deck")
    @edit.autocomplete("deck")
    @suspend.autocomplete("deck")
    @unsuspend.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)

    @edit.autocomplete("card")
    @suspend.autocomplete("card")
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
        suspended = await self.bot.services.storage.suspensions.suspended(interaction.guild_id)
        return card_choices(self.bot, interaction, current, only=suspended)


class CardModal(discord.ui.Modal):
    """Question, answer and hint of one card: empty for `/card add`, prefilled for an edit."""

    def __init__(self, cog: Cards, deck: Deck, card: Card | None) -> None:
        title = texts.MODAL_ADD_TITLE if card is None else texts.MODAL_EDIT_TITLE
        super().__init__(
            title=title, custom_id=f"cardmodal:{deck.id}:{card.id if card else ''}"[:100]
        )
        self.cog, self.deck, self.card = cog, deck, card
        self.question: discord.ui.TextInput[CardModal] = discord.ui.TextInput(
            label=texts.QUESTION_LABEL,
            style=discord.TextStyle.paragraph,
            max_length=MAX_QUESTION_CHARS,
            default=card.question if card else None,
            custom_id="question",
        )
        self.answer: discord.ui.TextInput[CardModal] = discord.ui.TextInput(
            label=texts.ANSWER_LABEL,
            style=discord.TextStyle.paragraph,
            max_length=MAX_ANSWER_CHARS,
            default=card.answer if card else None,
            custom_id="answer",
        )
        self.hint: discord.ui.TextInput[CardModal] = discord.ui.TextInput(
            label=texts.HINT_LABEL,
            required=False,
            max_length=MAX_HINT_CHARS,
            default=card.hint if card else None,
            custom_id="hint",
        )
        for item in (self.question, self.answer, self.hint):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = CardText(self.question.value, self.answer.value, self.hint.value or None)
        await self.cog.save(interaction, self.deck, self.card, text)


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Cards(bot))

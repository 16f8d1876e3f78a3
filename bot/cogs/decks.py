"""`/deck list`, `/deck info`: what the study group can quiz itself on; `/deck import`: a
deck of the group's own, from an uploaded file, after a preview its deck manager confirms."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import deck_choices, guild_id_of, require_deck_manager
from bot.messages import decks as texts
from bot.services.deck_imports import MAX_UPLOAD_BYTES, ImportPlan, ImportRefused

log = logging.getLogger(__name__)

# A preview is answered with the command's interaction token, which lives 15 minutes.
IMPORT_TIMEOUT_SECONDS = 14 * 60
_IMPORT_PREFIX = "deckimport"


@app_commands.guild_only()
class Decks(commands.GroupCog, group_name="deck"):
    """Browse the decks of this server and the library; import your own."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot
        # Previews waiting for Confirm or Cancel, by the id of the command that made them; in
        # memory only, so a restart expires them (nothing was stored).
        self.imports: dict[int, ImportView] = {}
        # Previews answered in this process: their late button events need no "expired".
        self.finished: set[int] = set()

    @app_commands.command(name="list")
    async def list_decks(self, interaction: discord.Interaction) -> None:
        """List the decks you can quiz yourselves on."""
        decks = self.bot.catalog.decks_for(guild_id_of(interaction))
        if not decks:
            await interaction.response.send_message(texts.NO_DECKS, ephemeral=True)
            return
        embed = texts.deck_list(list(decks.values()))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="info")
    @app_commands.describe(deck="the deck's id")
    async def deck_info(self, interaction: discord.Interaction, deck: str) -> None:
        """Show a deck's description, size and tags."""
        found = self.bot.catalog.deck(guild_id_of(interaction), deck)
        if found is None:
            await interaction.response.send_message(texts.no_such_deck(deck), ephemeral=True)
            return
        await interaction.response.send_message(embed=texts.deck_info(found), ephemeral=True)

    @deck_info.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)

    @app_commands.command(name="import")
    @app_commands.describe(
        file="a deck file (.yaml) or an export: Brainscape text, CSV or TSV",
        name="the deck's name (its id is made from it; default: the file's)",
        replace="replace this server's deck of the same id, keeping edited cards' schedules",
    )
    async def import_deck(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        name: str | None = None,
        replace: bool = False,
    ) -> None:
        """Import a deck for this server from a file; you confirm a preview first."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, "import decks"):
            return
        if file.size > MAX_UPLOAD_BYTES:
            text = texts.upload_too_large(file.filename, file.size, MAX_UPLOAD_BYTES)
            await interaction.response.send_message(text, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            log.warning("deck import: cannot download %s: %s", file.url, exc)
            await interaction.followup.send(texts.IMPORT_DOWNLOAD_FAILED, ephemeral=True)
            return
        try:
            plan = await self.bot.deck_imports.plan(
                guild_id, file.filename, data, name=name, replace=replace
            )
        except ImportRefused as refused:
            await interaction.followup.send(str(refused), ephemeral=True)
            return
        view = ImportView(self, interaction.user.id, interaction.id, plan)
        self.imports[view.token] = view
        await interaction.followup.send(embed=preview(plan), view=view, ephemeral=True)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A Confirm or Cancel of a preview that no longer waits (the bot restarted, or it
        timed out) gets an answer instead of Discord's "This interaction failed"."""
        token = import_of(interaction)
        if token is not None and token not in self.imports and token not in self.finished:
            await interaction.response.send_message(texts.IMPORT_EXPIRED, ephemeral=True)


def preview(plan: ImportPlan) -> discord.Embed:
    replaced = plan.replacement
    changes = None if replaced is None else (replaced.kept, replaced.added, replaced.retired)
    return texts.import_preview(plan.filename, plan.deck, changes)


def import_button_id(token: int, action: str) -> str:
    """`deckimport:<command interaction id>:<confirm|cancel>`: the preview a button acts on."""
    return f"{_IMPORT_PREFIX}:{token}:{action}"


def import_of(interaction: discord.Interaction) -> int | None:
    """The preview an import button belongs to, or None for any other interaction."""
    if interaction.type is not discord.InteractionType.component or interaction.data is None:
        return None
    parts = str(interaction.data.get("custom_id", "")).split(":")
    if len(parts) != 3 or parts[0] != _IMPORT_PREFIX or not parts[1].isdigit():
        return None
    return int(parts[1])


class _ImportButton(discord.ui.Button["ImportView"]):
    def __init__(self, token: int, action: str, label: str, *, success: bool) -> None:
        style = discord.ButtonStyle.success if success else discord.ButtonStyle.secondary
        super().__init__(label=label, style=style, custom_id=import_button_id(token, action))
        self.action = action

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None  # a button's callback runs only while in its view
        if self.action == "confirm":
            await self.view.confirm(interaction)
        else:
            await self.view.cancel(interaction)


class ImportView(discord.ui.View):
    """A preview's Confirm and Cancel, for the member who ran the command only."""

    def __init__(self, cog: Decks, owner_id: int, token: int, plan: ImportPlan) -> None:
        super().__init__(timeout=IMPORT_TIMEOUT_SECONDS)
        self.cog, self.owner_id, self.token, self.plan = cog, owner_id, token, plan
        self.add_item(_ImportButton(token, "confirm", texts.IMPORT_CONFIRM, success=True))
        self.add_item(_ImportButton(token, "cancel", texts.IMPORT_CANCEL, success=False))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(texts.NOT_YOUR_IMPORT, ephemeral=True)
        return False

    def _finish(self) -> None:
        self.cog.imports.pop(self.token, None)
        self.cog.finished.add(self.token)
        self.stop()

    async def confirm(self, interaction: discord.Interaction) -> None:
        self._finish()
        await interaction.response.defer()
        try:
            plan, summary = await self.cog.bot.deck_imports.confirm(self.plan)
        except ImportRefused as refused:
            await interaction.edit_original_response(content=str(refused), embed=None, view=None)
            return
        text = texts.imported(
            plan.deck, len(summary.added), len(summary.changed), len(summary.retired)
        )
        await interaction.edit_original_response(content=text, embed=None, view=None)

    async def cancel(self, interaction: discord.Interaction) -> None:
        self._finish()
        await interaction.response.edit_message(
            content=texts.IMPORT_CANCELLED, embed=None, view=None
        )

    async def on_timeout(self) -> None:
        # Not in `finished`: a press from now on is answered "expired".
        self.cog.imports.pop(self.token, None)


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Decks(bot))

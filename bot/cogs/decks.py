"""`/deck list`, `/deck info`: what the study group can quiz itself on; `/deck import`: a
deck of the group's own, from an uploaded file, after a preview its deck manager confirms;
`/deck remove`: one of those decks gone (history kept), after a confirmation; `/deck rename`;
`/deck flags` and `/deck unflag`: the cards members flagged as wrong, for deck managers;
`/deck export`: a deck as a file (YAML, CSV or an Anki package)."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Flashdrop
from bot.cogs.common import MAX_CHOICES, deck_choices, guild_id_of, require_deck_manager
from bot.core.models import CardRef
from bot.messages import decks as texts
from bot.messages import exports as export_texts
from bot.messages import flags as flag_texts
from bot.messages import settings as settings_texts
from bot.services import deck_exports
from bot.services.deck_exports import ExportFormat
from bot.services.deck_imports import MAX_UPLOAD_BYTES, ImportPlan, ImportRefused

log = logging.getLogger(__name__)

# A confirmation is answered with the command's interaction token, which lives 15 minutes.
CONFIRM_TIMEOUT_SECONDS = 14 * 60
_IMPORT, _REMOVE = "deckimport", "deckremove"  # the custom id prefixes of their buttons


@app_commands.guild_only()
class Decks(commands.GroupCog, group_name="deck"):
    """Browse the decks of this server and the library; import your own."""

    def __init__(self, bot: Flashdrop) -> None:
        self.bot = bot
        # Imports and removals waiting for Confirm or Cancel, by the id of the command that
        # asked; in memory only, so a restart expires them (nothing was changed yet).
        self.pending: dict[int, ConfirmView] = {}
        # Those answered in this process: their late button events need no "expired".
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
        found = self.bot.catalog.decks_for(guild_id_of(interaction)).get(deck)
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
        file="a deck file (.yaml), an Anki package (.apkg/.colpkg), or Brainscape, CSV or TSV text",
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
        # One waiting import per member: a preview holds its package's images in memory.
        for token, waiting in list(self.pending.items()):
            if isinstance(waiting, ImportView) and waiting.owner_id == interaction.user.id:
                del self.pending[token]  # its buttons now answer "expired"
                waiting.stop()
        view = ImportView(self, interaction.user.id, interaction.id, plan)
        self.pending[view.token] = view
        await interaction.followup.send(embed=preview(plan), view=view, ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(deck="one of this server's own decks")
    async def remove_deck(self, interaction: discord.Interaction, deck: str) -> None:
        """Remove one of this server's own decks (its history is kept); you confirm first."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, "remove decks"):
            return
        found = self.bot.catalog.guild_decks(guild_id).get(deck)
        if found is None:
            library = deck in self.bot.catalog.library
            text = texts.remove_library_deck(deck) if library else texts.no_such_deck(deck)
            await interaction.response.send_message(text, ephemeral=True)
            return
        view = RemoveView(self, interaction.user.id, interaction.id, guild_id, found.id)
        self.pending[view.token] = view
        await interaction.response.send_message(
            texts.remove_question(found), view=view, ephemeral=True
        )

    @remove_deck.autocomplete("deck")
    async def remove_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return own_deck_choices(self.bot, interaction, current)

    @app_commands.command(name="rename")
    @app_commands.describe(deck="one of this server's own decks", name="the deck's new name")
    async def rename_deck(self, interaction: discord.Interaction, deck: str, name: str) -> None:
        """Rename one of this server's own decks (its id and everyone's schedules stay)."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, "rename decks"):
            return
        before = self.bot.catalog.guild_decks(guild_id).get(deck)
        try:
            renamed = await self.bot.catalog.rename(guild_id, deck, name)
        except ValueError as bad:
            text = settings_texts.bad_deck_name(str(bad))
        else:
            if before is not None and renamed is not None:
                text = settings_texts.renamed(before.name, renamed)
            elif deck in self.bot.catalog.library:
                text = settings_texts.rename_library_deck(deck)
            else:
                text = texts.no_such_deck(deck)
        await interaction.response.send_message(text, ephemeral=True)

    @rename_deck.autocomplete("deck")
    async def rename_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return own_deck_choices(self.bot, interaction, current)

    @app_commands.command(name="flags")
    @app_commands.describe(deck="only this deck's flagged cards")
    async def list_flags(self, interaction: discord.Interaction, deck: str | None = None) -> None:
        """List the cards members flagged as wrong, most flagged first."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, "see flagged cards"):
            return
        flags = self.bot.services.storage.flags
        flagged, total = await flags.open_flags(guild_id, deck, limit=flag_texts.FLAGS_SHOWN)
        if not flagged:
            await interaction.response.send_message(flag_texts.no_flags(deck), ephemeral=True)
            return
        shown = [(f, self.bot.catalog.find_card(guild_id, f.card)) for f in flagged]
        embed = flag_texts.flag_list(
            [(f, found[1] if found else None) for f, found in shown], total, deck
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="unflag")
    @app_commands.describe(deck="the flagged card's deck", card="the flagged card's id")
    async def unflag(self, interaction: discord.Interaction, deck: str, card: str) -> None:
        """Clear every member's flag on a card, once it is dealt with."""
        guild_id = guild_id_of(interaction)
        if not await require_deck_manager(interaction, self.bot, "clear flags"):
            return
        cleared = await self.bot.services.storage.flags.clear(
            guild_id, CardRef(deck, card), interaction.user.id, self.bot.services.clock.now()
        )
        text = (
            flag_texts.cleared(deck, card, cleared)
            if cleared
            else flag_texts.nothing_to_clear(deck, card)
        )
        await interaction.response.send_message(text, ephemeral=True)

    @list_flags.autocomplete("deck")
    @unflag.autocomplete("deck")
    async def flags_deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)

    @unflag.autocomplete("card")
    async def unflag_card_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The deck's flagged cards."""
        deck = getattr(interaction.namespace, "deck", None)
        if interaction.guild_id is None or not deck:
            return []
        flagged, _ = await self.bot.services.storage.flags.open_flags(
            interaction.guild_id, str(deck), limit=MAX_CHOICES
        )
        needle = current.casefold()
        return [
            app_commands.Choice(name=f.card.card_id[:100], value=f.card.card_id)
            for f in flagged
            if needle in f.card.card_id.casefold()
        ]

    @app_commands.command(name="export")
    @app_commands.describe(deck="the deck's id", fmt=export_texts.FORMAT_DESCRIPTION)
    @app_commands.rename(fmt="format")
    async def export_deck(
        self, interaction: discord.Interaction, deck: str, fmt: ExportFormat
    ) -> None:
        """Get a deck as a file: a deck file (YAML), CSV, or an Anki package (.apkg)."""
        # Any member: whoever can quiz on a deck sees all its cards already.
        guild_id = guild_id_of(interaction)
        found = self.bot.catalog.decks_for(guild_id).get(deck)
        if found is None:
            await interaction.response.send_message(texts.no_such_deck(deck), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.services.clock.now()
        exported = await deck_exports.export(
            self.bot.services.storage, self.bot.catalog, guild_id, found, fmt, now
        )
        size, limit = len(exported.data), interaction.filesize_limit
        if size > limit:
            text = export_texts.too_large(exported.filename, size, limit)
            await interaction.followup.send(text, ephemeral=True)
            return
        file = discord.File(io.BytesIO(exported.data), filename=exported.filename)
        text = export_texts.exported(found, fmt.value)
        await interaction.followup.send(text, file=file, ephemeral=True)

    @export_deck.autocomplete("deck")
    async def export_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.bot, interaction, current)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A button of a confirmation that no longer waits (the bot restarted, or it timed
        out) gets an answer instead of Discord's "This interaction failed"."""
        pressed = confirmation_of(interaction)
        if pressed is None:
            return
        kind, token = pressed
        if token not in self.pending and token not in self.finished:
            expired = texts.IMPORT_EXPIRED if kind == _IMPORT else texts.REMOVE_EXPIRED
            await interaction.response.send_message(expired, ephemeral=True)


def own_deck_choices(
    bot: Flashdrop, interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The autocomplete of a command that takes one of the server's own decks."""
    if interaction.guild_id is None:
        return []
    own = bot.catalog.guild_decks(interaction.guild_id)
    return [c for c in deck_choices(bot, interaction, current) if c.value in own]


def preview(plan: ImportPlan) -> discord.Embed:
    replaced = plan.replacement
    changes = None if replaced is None else (replaced.kept, replaced.added, replaced.retired)
    return texts.import_preview(
        plan.filename,
        plan.deck,
        changes,
        images=(len(plan.media), plan.media_bytes),
        warnings=plan.warnings,
        subdecks=plan.subdecks,
    )


def split_preview(parts: tuple[ImportPlan, ...]) -> discord.Embed:
    decks = [
        (
            part.deck,
            len(part.media),
            None
            if (r := part.replacement) is None
            else (len(r.kept), len(r.added), len(r.retired)),
        )
        for part in parts
    ]
    warnings = tuple(line for part in parts for line in part.warnings)
    return texts.import_split_preview(parts[0].filename, decks, warnings)


def button_id(kind: str, token: int, action: str) -> str:
    """`<deckimport|deckremove>:<command interaction id>:<confirm|cancel>`: the confirmation
    a button acts on."""
    return f"{kind}:{token}:{action}"


def confirmation_of(interaction: discord.Interaction) -> tuple[str, int] | None:
    """The kind and token of the confirmation a button belongs to; None for anything else."""
    if interaction.type is not discord.InteractionType.component or interaction.data is None:
        return None
    parts = str(interaction.data.get("custom_id", "")).split(":")
    if len(parts) != 3 or parts[0] not in (_IMPORT, _REMOVE) or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


class _ConfirmButton(discord.ui.Button["ConfirmView"]):
    def __init__(self, view_kind: str, token: int, action: str, label: str) -> None:
        style = {
            "confirm": discord.ButtonStyle.danger
            if view_kind == _REMOVE
            else discord.ButtonStyle.success,
            "cancel": discord.ButtonStyle.secondary,
        }[action]
        super().__init__(label=label, style=style, custom_id=button_id(view_kind, token, action))
        self.action = action

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None  # a button's callback runs only while in its view
        self.view.finish()
        if self.action == "confirm":
            await self.view.confirm(interaction)
        else:
            await interaction.response.edit_message(
                content=self.view.cancelled, embed=None, view=None
            )


class ConfirmView(discord.ui.View):
    """Confirm and Cancel of one member's pending change, for that member only."""

    kind = ""
    cancelled = ""
    not_yours = ""

    def __init__(self, cog: Decks, owner_id: int, token: int, confirm_label: str) -> None:
        super().__init__(timeout=CONFIRM_TIMEOUT_SECONDS)
        self.cog, self.owner_id, self.token = cog, owner_id, token
        self.add_item(_ConfirmButton(self.kind, token, "confirm", confirm_label))
        self.add_item(_ConfirmButton(self.kind, token, "cancel", texts.CANCEL))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(self.not_yours, ephemeral=True)
        return False

    def finish(self) -> None:
        self.cog.pending.pop(self.token, None)
        self.cog.finished.add(self.token)
        self.stop()

    async def confirm(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError

    async def on_timeout(self) -> None:
        # Not in `finished`: a press from now on is answered "expired".
        self.cog.pending.pop(self.token, None)


class _SplitButton(discord.ui.Button["ImportView"]):
    """Turns the preview of a package with sub-decks into one of a deck per sub-deck."""

    def __init__(self, token: int, decks: int) -> None:
        super().__init__(
            label=texts.split_label(decks),
            style=discord.ButtonStyle.primary,
            custom_id=button_id(_IMPORT, token, "split"),
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        view = self.view
        assert view is not None  # a button's callback runs only while in its view
        view.remove_item(self)  # which makes self.view None
        await view.split(interaction)


class ImportView(ConfirmView):
    kind = _IMPORT
    cancelled = texts.IMPORT_CANCELLED
    not_yours = texts.NOT_YOUR_IMPORT

    def __init__(self, cog: Decks, owner_id: int, token: int, plan: ImportPlan) -> None:
        super().__init__(cog, owner_id, token, texts.IMPORT_CONFIRM)
        self.plan = plan
        self.parts: tuple[ImportPlan, ...] | None = None  # once the member chose to split
        self.splitting = False  # Confirm and Cancel wait until the split preview is shown
        if plan.subdecks > 1:
            self.add_item(_SplitButton(token, plan.subdecks))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if not await super().interaction_check(interaction):
            return False
        if self.splitting:
            await interaction.response.send_message(texts.IMPORT_SPLITTING, ephemeral=True)
            return False
        return True

    async def split(self, interaction: discord.Interaction) -> None:
        self.splitting = True
        try:
            await interaction.response.defer()
            self.parts = await self.cog.bot.deck_imports.split(self.plan)
        except ImportRefused as refused:
            self.finish()
            await interaction.edit_original_response(content=str(refused), embed=None, view=None)
            return
        finally:
            self.splitting = False
        await interaction.edit_original_response(embed=split_preview(self.parts), view=self)

    async def confirm(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        imports = self.cog.bot.deck_imports
        try:
            if self.parts is None:
                stored = [await imports.confirm(self.plan)]
            else:
                stored = await imports.confirm_split(self.parts)
        except ImportRefused as refused:
            await interaction.edit_original_response(content=str(refused), embed=None, view=None)
            return
        counts = [(plan.deck, len(s.added), len(s.changed), len(s.retired)) for plan, s in stored]
        text = texts.imported(*counts[0]) if self.parts is None else texts.imported_many(counts)
        await interaction.edit_original_response(content=text, embed=None, view=None)


class RemoveView(ConfirmView):
    kind = _REMOVE
    cancelled = texts.REMOVE_CANCELLED
    not_yours = texts.NOT_YOUR_REMOVAL

    def __init__(self, cog: Decks, owner_id: int, token: int, guild_id: int, deck_id: str) -> None:
        super().__init__(cog, owner_id, token, texts.REMOVE_CONFIRM)
        self.guild_id, self.deck_id = guild_id, deck_id

    async def confirm(self, interaction: discord.Interaction) -> None:
        removed = await self.cog.bot.catalog.remove(self.guild_id, self.deck_id)
        text = texts.removed(removed) if removed else texts.no_such_deck(self.deck_id)
        await interaction.response.edit_message(content=text, embed=None, view=None)


async def setup(bot: Flashdrop) -> None:
    await bot.add_cog(Decks(bot))

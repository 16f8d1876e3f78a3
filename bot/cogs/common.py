"""What several cogs share: deck and card autocomplete, the admin and deck manager checks,
permission refusals, replies.

Cogs never import each other; whatever two of them need lives here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.core.models import CardRef
from bot.core.permissions import POST_PERMISSIONS, is_admin, is_deck_manager, missing_permissions
from bot.infra.interactions import answer_privately
from bot.messages import decks as deck_texts
from bot.messages import errors

if TYPE_CHECKING:
    from bot.app import Flashdrop

log = logging.getLogger(__name__)

MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices


def guild_id_of(interaction: discord.Interaction) -> int:
    """The server an interaction came from.

    Every command here works in a server only. An interaction that lacks it (a DM, or data a
    Discord-compatible server left out) raises `NoPrivateMessage`, which the bot's command
    error handler answers privately: never an assert on data from Discord.
    """
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage(errors.SERVER_ONLY)
    return interaction.guild_id


def channel_of(interaction: discord.Interaction) -> tuple[int, discord.abc.Messageable]:
    """The id of the server channel an interaction came from, and the channel to post in
    (see `guild_id_of`)."""
    guild_id_of(interaction)
    channel_id, channel = interaction.channel_id, interaction.channel
    if channel_id is None or not isinstance(channel, discord.abc.Messageable):
        raise app_commands.NoPrivateMessage(errors.SERVER_ONLY)
    return channel_id, channel


def deck_choices(
    bot: Flashdrop, interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The guild's deck ids (its own and the library's) whose id or name contains what the
    member typed; none outside a guild."""
    if interaction.guild_id is None:
        return []
    needle = current.casefold()
    return [
        app_commands.Choice(name=deck_texts.choice_label(d), value=d.id)
        for d in bot.catalog.decks_for(interaction.guild_id).values()
        if needle in d.id.casefold() or needle in d.name.casefold()
    ][:MAX_CHOICES]


def card_choices(
    bot: Flashdrop,
    interaction: discord.Interaction,
    current: str,
    only: Collection[CardRef] | None = None,
) -> list[app_commands.Choice[str]]:
    """The cards of the deck chosen in the command's `deck` option (among `only`, if given)
    whose id or question contains what the member typed; none without a deck."""
    deck_id = getattr(interaction.namespace, "deck", None)
    if interaction.guild_id is None or not deck_id:
        return []
    deck = bot.catalog.decks_for(interaction.guild_id).get(str(deck_id))
    if deck is None:
        return []
    needle = current.casefold()
    return [
        app_commands.Choice(name=deck_texts.card_choice_label(card), value=card.id)
        for card in deck.cards
        if (only is None or CardRef(deck.id, card.id) in only)
        and (needle in card.id.casefold() or needle in card.question.casefold())
    ][:MAX_CHOICES]


async def require_admin(interaction: discord.Interaction, bot: Flashdrop, action: str) -> bool:
    """True for admins (see `bot.core.permissions`); everyone else is told why, privately."""
    return await _require_role(interaction, bot.config.admin_role, is_admin, action)


async def require_deck_manager(
    interaction: discord.Interaction, bot: Flashdrop, action: str
) -> bool:
    """True for deck managers (see `bot.core.permissions`): the role is the guild's own
    (`/settings manager-role`), else the config's; everyone else is told why, privately."""
    settings = await bot.services.storage.members.guild_settings(guild_id_of(interaction))
    role = settings.deck_manager_role or bot.config.deck_manager_role
    return await _require_role(interaction, role, is_deck_manager, action)


async def _require_role(
    interaction: discord.Interaction,
    role: str | None,
    rule: Callable[[bool, list[int], list[str], str | None], bool],
    action: str,
) -> bool:
    member = interaction.user
    allowed = isinstance(member, discord.Member) and rule(
        member.guild_permissions.manage_guild,
        [r.id for r in member.roles],
        [r.name for r in member.roles],
        role,
    )
    if not allowed:
        await answer_privately(
            interaction, errors.admins_only(action, role_name(interaction, role))
        )
    return allowed


def role_name(interaction: discord.Interaction, role: str | None) -> str | None:
    """How a role setting (a name, or an id) is shown: a role id by the role's name when the
    server has that role."""
    if role is None or not role.strip().isdigit() or interaction.guild is None:
        return role
    found = interaction.guild.get_role(int(role))
    return found.name if found is not None else role


async def refuse_without_permissions(interaction: discord.Interaction) -> bool:
    """Tell the member, privately, which permission the bot lacks in this channel."""
    missing = missing_permissions(interaction.app_permissions, POST_PERMISSIONS)
    if not missing:
        return False
    await refuse(interaction, missing)
    return True


def missing_now(interaction: discord.Interaction) -> list[str]:
    """The post permissions the bot lacks in the interaction's channel, as cached now."""
    channel, guild = interaction.channel, interaction.guild
    if guild is None or not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return []
    return missing_permissions(channel.permissions_for(guild.me), POST_PERMISSIONS)


async def refuse(interaction: discord.Interaction, missing: list[str]) -> None:
    if not missing:
        await answer_privately(interaction, errors.COULD_NOT_POST)
        return
    log.warning(
        "missing permission(s) %s in channel %s", ", ".join(missing), interaction.channel_id
    )
    await answer_privately(interaction, errors.missing_permissions(missing))

"""Answering an interaction privately, whatever has been said to it so far.

One home for the bot's error handler (`bot.app`) and the cogs: the app cannot import the cogs,
which import the app.
"""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)


async def answer_privately(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral answer, as the first response or a follow-up; a failure is only logged
    (the interaction may have expired, or Discord refused): there is no one else to tell."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not answer interaction %s: %s", interaction.id, text)

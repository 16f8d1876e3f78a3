"""What a server's controls over its decks say: `/settings` (its settings, its deck manager
role, hidden library decks) and `/deck rename`."""

from __future__ import annotations

import discord

from bot.core.models import Deck


def settings(
    guild_role: str | None,
    config_role: str | None,
    hidden: list[tuple[str, Deck | None]],
) -> discord.Embed:
    """The server's settings. `guild_role` is shown as given (a mention or a name);
    `hidden`: the hidden decks' ids with the library deck each names, if it still exists."""
    if guild_role:
        role = f"{guild_role} (set here)"
    elif config_role:
        role = f"{config_role} (from the bot's config)"
    else:
        role = "none: only members with Manage Server"
    embed = discord.Embed(title="Server settings")
    embed.add_field(name="Deck manager role", value=role, inline=False)
    lines = [
        f"**{deck.name}** (`{deck_id}`)" if deck else f"`{deck_id}` (no longer in the library)"
        for deck_id, deck in hidden
    ]
    embed.add_field(
        name="Hidden library decks", value="\n".join(lines)[:1024] or "none", inline=False
    )
    return embed


def role_mention(role_id: int) -> str:
    return f"<@&{role_id}>"


def manager_role_set(role_id: int) -> str:
    return (
        f"Deck managers here are now members with Manage Server or the {role_mention(role_id)}"
        " role."
    )


def manager_role_cleared(config_role: str | None) -> str:
    if config_role:
        return f"This server's deck manager role is cleared: the config's {config_role} applies."
    return (
        "This server's deck manager role is cleared: only members with Manage Server manage decks."
    )


def not_a_library_deck(deck_id: str) -> str:
    return (
        f"`{deck_id}` is not a library deck. Only library decks can be hidden; remove one of"
        " this server's own decks with `/deck remove`."
    )


def hidden_now(deck: Deck) -> str:
    return (
        f"**{deck.name}** (`{deck.id}`) is hidden here: it leaves autocomplete, `/deck list`,"
        " `/quiz`, `/review`, `/due` and drops. Everyone's history is kept;"
        " `/settings unhide` brings it back."
    )


def already_hidden(deck_id: str) -> str:
    return f"`{deck_id}` is already hidden here."


def shown_again(deck_id: str) -> str:
    return f"`{deck_id}` is offered here again."


def not_hidden(deck_id: str) -> str:
    return f"`{deck_id}` is not hidden here."


def hidden_deck(deck_id: str) -> str:
    """A hidden deck named by a drop, in `/drop list` (its cards are skipped)."""
    return f"`{deck_id}` (hidden in /settings: skipped)"


def rename_library_deck(deck_id: str) -> str:
    return (
        f"`{deck_id}` is a library deck: it is renamed in its file (`decks/{deck_id}.yaml`) on"
        " the bot's host. `/deck rename` renames this server's own decks."
    )


def bad_deck_name(problem: str) -> str:
    return f"That name cannot be used: {problem}. Nothing was changed."


def renamed(old_name: str, deck: Deck) -> str:
    return (
        f"**{old_name}** is now **{deck.name}** (`{deck.id}`): its id, and everyone's"
        " schedules, stay as they were."
    )

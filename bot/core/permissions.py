"""Who may do what: the bot's own channel permissions, who counts as an admin, and who may
change a guild's decks.

Admins are members with Discord's Manage Server permission or the role named by the config's
`admin_role` (a role name, or a role id); deck managers, the same with `deck_manager_role`.
These are the only two rules: commands that change a guild's drops ask `is_admin`, commands
that change its decks ask `is_deck_manager`.
"""

from __future__ import annotations

from collections.abc import Iterable

# What the bot needs in a channel to post a card and its reactions.
POST_PERMISSIONS = ("send_messages", "embed_links", "add_reactions", "read_message_history")


def missing_permissions(granted: object, needed: Iterable[str]) -> list[str]:
    """Names (as Discord shows them) of the permissions in `needed` that `granted` lacks.

    `granted` is anything with one boolean attribute per permission (discord.Permissions).
    """
    return [name.replace("_", " ").title() for name in needed if not getattr(granted, name, False)]


def is_admin(
    manage_guild: bool,
    role_ids: Iterable[int],
    role_names: Iterable[str],
    admin_role: str | None,
) -> bool:
    """Members with Manage Server, or with the configured admin role (by id or name)."""
    return manage_guild or _has_role(role_ids, role_names, admin_role)


def is_deck_manager(
    manage_guild: bool,
    role_ids: Iterable[int],
    role_names: Iterable[str],
    deck_manager_role: str | None,
) -> bool:
    """Members with Manage Server, or with the configured deck manager role (by id or name)."""
    return manage_guild or _has_role(role_ids, role_names, deck_manager_role)


def _has_role(role_ids: Iterable[int], role_names: Iterable[str], role: str | None) -> bool:
    if not role:
        return False
    wanted = role.strip()
    if wanted.isdigit():
        return int(wanted) in set(role_ids)
    return wanted.casefold() in {name.casefold() for name in role_names}

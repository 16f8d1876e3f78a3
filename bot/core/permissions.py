"""Who may do what: the bot's own channel permissions, and who counts as an admin.

Admins are members with Discord's Manage Server permission or the role named by the config's
`admin_role` (a role name, or a role id). This is the only admin rule: commands that change a
guild's drops (and, later, its decks) ask it.
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
    *,
    manage_guild: bool,
    role_ids: Iterable[int],
    role_names: Iterable[str],
    admin_role: str | None,
) -> bool:
    """Members with Manage Server, or with the configured admin role (by id or name)."""
    if manage_guild:
        return True
    if not admin_role:
        return False
    wanted = admin_role.strip()
    if wanted.isdigit():
        return int(wanted) in set(role_ids)
    return wanted.casefold() in {name.casefold() for name in role_names}

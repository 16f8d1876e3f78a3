"""Refusals and failures a member is told about, privately."""

from __future__ import annotations

SERVER_ONLY = "This command works in a server channel, not here."
SOMETHING_WENT_WRONG = "Something went wrong on my side; it has been logged."
DISCORD_REFUSED = "Discord refused me here (missing permissions). Ask an admin to check my role."
COULD_NOT_POST = (
    "I could not post here: Discord refused (missing permissions). Ask an admin to check my role."
)


def missing_permissions(missing: list[str]) -> str:
    """The bot lacks `missing` (names as Discord shows them) in this channel."""
    listed = ", ".join(f"**{name}**" for name in missing)
    what, pronoun = ("permission", "it") if len(missing) == 1 else ("permissions", "them")
    return (
        f"I can't post cards in this channel: I'm missing the {listed} {what}. "
        f"Ask an admin to grant {pronoun} to my role."
    )


def admins_only(action: str, admin_role: str | None) -> str:
    """A member without the admin rule's permission or role tried to `action`."""
    need = "the Manage Server permission"
    if admin_role:
        need += f" or the {admin_role} role"
    return f"Only members with {need} can {action}."

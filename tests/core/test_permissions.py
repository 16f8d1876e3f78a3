"""Who counts as an admin, and which channel permissions the bot lacks."""

from __future__ import annotations

import pytest

from bot.core.permissions import POST_PERMISSIONS, is_admin, is_deck_manager, missing_permissions


@pytest.mark.parametrize(
    ("manage_guild", "roles", "admin_role", "allowed"),
    [
        (True, [], None, True),
        (False, [], None, False),
        (False, [(7, "Tutors")], "Tutors", True),
        (False, [(7, "tutors")], "Tutors", True),
        (False, [(7, "Students")], "Tutors", False),
        (False, [(7, "Students")], "7", True),
        (False, [(8, "Students")], "7", False),
    ],
)
def test_is_admin_matrix(
    manage_guild: bool, roles: list[tuple[int, str]], admin_role: str | None, allowed: bool
) -> None:
    assert (
        is_admin(
            manage_guild=manage_guild,
            role_ids=[r for r, _ in roles],
            role_names=[n for _, n in roles],
            admin_role=admin_role,
        )
        is allowed
    )


@pytest.mark.parametrize(
    ("manage_guild", "roles", "deck_manager_role", "allowed"),
    [
        (True, [], None, True),
        (False, [(7, "Tutors")], None, False),
        (False, [(7, "deck editors")], "Deck Editors", True),
        (False, [(7, "Students")], "7", True),
        (False, [(8, "Students")], "7", False),
    ],
)
def test_is_deck_manager_matrix(
    manage_guild: bool, roles: list[tuple[int, str]], deck_manager_role: str | None, allowed: bool
) -> None:
    assert (
        is_deck_manager(
            manage_guild=manage_guild,
            role_ids=[r for r, _ in roles],
            role_names=[n for _, n in roles],
            deck_manager_role=deck_manager_role,
        )
        is allowed
    )


class _Granted:
    send_messages = True
    embed_links = False
    add_reactions = True
    read_message_history = False


def test_missing_permissions_names_what_is_lacking_as_discord_shows_it() -> None:
    assert missing_permissions(_Granted(), POST_PERMISSIONS) == [
        "Embed Links",
        "Read Message History",
    ]

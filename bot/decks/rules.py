"""What makes a deck valid, shared by the YAML deck parser and the importers.

Each check returns a message (without path or line: the caller knows where) or None.
The length limits come from bot.core.models, which sizes them for one Discord embed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.core.models import MAX_CARD_ID_CHARS, MAX_TAG_CHARS
from bot.decks.errors import shown

MAX_DECK_ID_CHARS = 64
# Discord refuses a message whose embed URLs are longer ("Must be 2048 or fewer in length").
MAX_IMAGE_URL_CHARS = 2048
DECK_ID_RE = re.compile(rf"[a-z0-9_-]{{1,{MAX_DECK_ID_CHARS}}}")
CARD_ID_RE = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_CARD_ID_CHARS}}}")
# A media file of the deck, in the folder beside it named after it: "biology.media/cell.png".
# One folder down and a plain file name (no "..", no dot file) cannot point outside it.
MEDIA_PATH_RE = re.compile(
    rf"[a-z0-9_-]{{1,{MAX_DECK_ID_CHARS}}}\.media/[A-Za-z0-9_][A-Za-z0-9._-]{{0,127}}"
)


def check_deck_id(deck_id: str) -> str | None:
    if DECK_ID_RE.fullmatch(deck_id):
        return None
    return (
        f"deck id {shown(deck_id)} may only contain lowercase letters, digits, '-' and '_', "
        f"1-{MAX_DECK_ID_CHARS} characters"
    )


def check_card_id(card_id: str) -> str | None:
    if CARD_ID_RE.fullmatch(card_id):
        return None
    return (
        f"id {shown(card_id)} may only contain letters, digits, '.', '_' and '-', "
        f"1-{MAX_CARD_ID_CHARS} characters"
    )


def check_text(field: str, value: str, limit: int, *, single_line: bool = False) -> str | None:
    """Check a text that must show in Discord: not blank, not too long."""
    if not value.strip():
        return f"{field} is empty"
    if len(value) > limit:
        return f"{field} is too long for Discord ({len(value)} characters, limit {limit})"
    if single_line and "\n" in value:
        return f"{field} must be a single line"
    return None


def check_tag(tag: str) -> str | None:
    return check_text(f"tag {shown(tag)}", tag, MAX_TAG_CHARS, single_line=True)


def is_media_path(image: str) -> bool:
    """Whether a card's image is a media file of the deck (else it is a web address)."""
    return MEDIA_PATH_RE.fullmatch(image) is not None


def check_image(url: str) -> str | None:
    # Discord only embeds images it can fetch over the web; anything else would show as broken.
    # A deck's own media file is the exception: it is posted as an attachment.
    if is_media_path(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return (
            f"image {shown(url)} must be an http:// or https:// URL"
            " or a file of the deck's media folder (<deck id>.media/<file>)"
        )
    if any(ch.isspace() for ch in url):
        return f"image {shown(url)} must not contain spaces"
    if len(url) > MAX_IMAGE_URL_CHARS:
        return (
            f"image URL is too long for Discord ({len(url)} characters, "
            f"limit {MAX_IMAGE_URL_CHARS})"
        )
    return None

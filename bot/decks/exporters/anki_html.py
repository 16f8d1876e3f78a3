"""Discord markdown as the HTML of an Anki field: the way back of
bot.decks.importers.htmltext.html_to_markdown. Pure.

Only what cards use and that reader reads back: bold, italics, underline, inline code, web
links and line breaks. Everything else is text, escaped, so a `<` in a card shows as `<`.
"""

from __future__ import annotations

import html
import re
from typing import Final

# Escaped text: `&`, `<`, `>` and quotes are entities by the time these run.
_CODE: Final = re.compile(r"`([^`\n]+)`")
_LINK: Final = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s()]+)\)")
_BOLD: Final = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_UNDERLINE: Final = re.compile(r"__(?=\S)(.+?)(?<=\S)__", re.DOTALL)
_STAR_ITALIC: Final = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*", re.DOTALL)
# `_x_` only at word edges, as Discord does: snake_case_names stay as they are.
_LINE_ITALIC: Final = re.compile(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])", re.DOTALL)
_PLACEHOLDER: Final = "\x00{}\x00"
_PLACEHOLDERS: Final = re.compile(r"\x00(\d+)\x00")


def markdown_to_html(text: str) -> str:
    """`**a**` → `<b>a</b>`, `*a*`/`_a_` → `<i>`, `__a__` → `<u>`, `` `a` `` → `<code>`,
    `[a](https://…)` → a link, a line break → `<br>`."""
    escaped = html.escape(text, quote=True)
    # Code and links are set aside first: no bold or italics inside them.
    kept: list[str] = []

    def keep(piece: str) -> str:
        kept.append(piece)
        return _PLACEHOLDER.format(len(kept) - 1)

    escaped = _CODE.sub(lambda m: keep(f"<code>{m[1]}</code>"), escaped)
    escaped = _LINK.sub(lambda m: keep(f'<a href="{m[2]}">{m[1]}</a>'), escaped)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _UNDERLINE.sub(r"<u>\1</u>", escaped)
    escaped = _STAR_ITALIC.sub(r"<i>\1</i>", escaped)
    escaped = _LINE_ITALIC.sub(r"<i>\1</i>", escaped)
    escaped = _PLACEHOLDERS.sub(lambda m: kept[int(m[1])], escaped)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def image_html(source: str) -> str:
    """An `<img>` of a web address or of a file name in the package's media."""
    return f'<img src="{html.escape(source, quote=True)}">'

"""Turn the HTML of Anki fields into the Markdown Discord shows, and drop Anki-only markup."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Final

from bot.core.card_types import revealed

_INLINE: Final = {"b": "**", "strong": "**", "i": "*", "em": "*", "u": "__", "code": "`"}
_BLOCKS: Final = frozenset(
    {"div", "p", "ul", "ol", "tr", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
)
# Their text is code or styling, never card content.
_HIDDEN: Final = frozenset({"script", "style"})
_SOUND: Final = re.compile(r"\[sound:[^\]\n]*\]")
# Closing tags, <br>, <img> and entities: "a<b and c>d" in a plain-text card must not count.
_HTML_HINT: Final = re.compile(
    r"</(?:b|i|u|em|strong|div|p|li|ul|ol|code|span|font|sub|sup|a)\s*>"
    r"|<br\s*/?>|<img\s[^>]*>|&(?:nbsp|amp|lt|gt|quot|#\d+|#x[0-9a-f]+);",
    re.IGNORECASE,
)
_MANY_BLANK_LINES: Final = re.compile(r"\n{3,}")
_IMAGE: Final = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
_WEB_LINK: Final = re.compile(r"https?://\S+", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Whether text uses common HTML tags or entities (for files that do not say)."""
    return _HTML_HINT.search(text) is not None


def has_sound(text: str) -> bool:
    """Whether an Anki field holds a [sound:...] tag (Discord cards cannot play it)."""
    return _SOUND.search(text) is not None


def image_sources(html: str) -> list[str]:
    """The src of every <img> in the HTML, in order, entities unescaped."""
    return [
        unescape(next(group for group in match.groups() if group is not None))
        for match in _IMAGE.finditer(html)
    ]


def strip_anki_markup(text: str) -> str:
    """Drop [sound:...] tags and reveal clozes: "{{c1::Paris::capital}}" -> "Paris" (the
    cloze rule is bot.core.card_types', nested deletions too)."""
    return revealed(drop_sounds(text))


def drop_sounds(text: str) -> str:
    """Drop [sound:...] tags (a cloze note's text keeps its {{c…}} markup for its cards)."""
    return _SOUND.sub("", text)


class _MarkdownWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0
        # One entry per open list: None for <ul>, the next item's number for <ol>.
        self._lists: list[int | None] = []
        # Per open <a>: its web address and where its text starts, or None for other links.
        self._links: list[tuple[str, int] | None] = []

    def _line_break(self) -> None:
        # Blocks start on a fresh line, but never with an empty line above them.
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden_depth += 1
        elif tag in _INLINE:
            self.parts.append(_INLINE[tag])
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self._line_break()
            number = self._lists[-1] if self._lists else None
            if number is None:
                self.parts.append("- ")
            else:
                self.parts.append(f"{number}. ")
                self._lists[-1] = number + 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            web = _WEB_LINK.fullmatch(href.strip()) is not None
            self._links.append((href.strip(), len(self.parts)) if web else None)
        elif tag in _BLOCKS:
            if tag in ("ul", "ol"):
                self._lists.append(1 if tag == "ol" else None)
            self._line_break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HIDDEN:  # "<script/>" opens nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _INLINE:
            self.parts.append(_INLINE[tag])
        elif tag == "a":
            self._close_link()
        elif tag in _BLOCKS or tag == "li":
            if tag in ("ul", "ol") and self._lists:
                self._lists.pop()
            self._line_break()

    def _close_link(self) -> None:
        # A link whose text is its address stays a bare address (Discord links it anyway).
        link = self._links.pop() if self._links else None
        if link is None:
            return
        href, start = link
        text = "".join(self.parts[start:]).strip()
        if text and text != href and "\n" not in text:
            del self.parts[start:]
            self.parts.append(f"[{text}]({href})")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        # Before Python 3.13 the parser raises AssertionError on a "<![" section it does not
        # know ("<![x[", "<![<b>"); -1 ("incomplete") makes it keep that text as plain text.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return -1


def html_to_markdown(html: str) -> str:
    """Bold, italics, underline, code, line breaks, list items (numbered in <ol>) and web links
    become Markdown; entities are unescaped; every other tag (images too) is dropped."""
    writer = _MarkdownWriter()
    writer.feed(html)
    writer.close()
    text = "".join(writer.parts).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")

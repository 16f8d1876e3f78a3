"""Turn the HTML of Anki fields into the Markdown Discord shows, and drop Anki-only markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Final

_INLINE: Final = {"b": "**", "strong": "**", "i": "*", "em": "*", "u": "__", "code": "`"}
_BLOCKS: Final = frozenset(
    {"div", "p", "ul", "ol", "tr", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
)
# Their text is code or styling, never card content.
_HIDDEN: Final = frozenset({"script", "style"})
_SOUND: Final = re.compile(r"\[sound:[^\]\n]*\]")
_CLOZE: Final = re.compile(r"\{\{c\d+::(.*?)(?:::[^{}]*?)?\}\}", re.DOTALL)
# Closing tags, <br>, <img> and entities: "a<b and c>d" in a plain-text card must not count.
_HTML_HINT: Final = re.compile(
    r"</(?:b|i|u|em|strong|div|p|li|ul|ol|code|span|font|sub|sup|a)\s*>"
    r"|<br\s*/?>|<img\s[^>]*>|&(?:nbsp|amp|lt|gt|quot|#\d+|#x[0-9a-f]+);",
    re.IGNORECASE,
)
_MANY_BLANK_LINES: Final = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """Whether text uses common HTML tags or entities (for files that do not say)."""
    return _HTML_HINT.search(text) is not None


def strip_anki_markup(text: str) -> str:
    """Drop [sound:...] tags and reveal clozes: "{{c1::Paris::capital}}" -> "Paris"."""
    return _CLOZE.sub(r"\1", _SOUND.sub("", text))


class _MarkdownWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

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
            self.parts.append("- ")
        elif tag in _BLOCKS:
            self._line_break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HIDDEN:  # "<script/>" opens nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _INLINE:
            self.parts.append(_INLINE[tag])
        elif tag in _BLOCKS or tag == "li":
            self._line_break()

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
    """Bold, italics, underline, code, line breaks and list items become Markdown; entities are
    unescaped; every other tag is dropped."""
    writer = _MarkdownWriter()
    writer.feed(html)
    writer.close()
    text = "".join(writer.parts).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")

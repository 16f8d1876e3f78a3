"""Compose hand-edited YAML (deck files, later the config) into a node tree, safely.

Validating the node tree instead of constructed Python values keeps a line number on every
value, so each complaint can say where it is. Anchors and aliases are refused outright: they are
what "billion laughs" files are made of, and nobody needs them in a flashcard deck. Nesting depth
and the number of values are capped too, because the pure-Python composer spends seconds and
hundreds of MB on a 1 MiB file of tiny values.

Parsing uses libyaml (PyYAML's C parser) when PyYAML was built with it, about ten times faster
than the pure-Python parser; the same guarded composer reads its events, so the guards hold
either way. The pure-Python parser has the last word: a file libyaml refuses, for any reason, is
parsed again by it and its error is the one shown (libyaml's say less: no character, no
context), and the few constructs the two parsers read differently are left to it. So a deck
loads, or fails with the same message on the same line, whether or not libyaml is installed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Final, Protocol

import yaml
from yaml.composer import Composer
from yaml.error import Mark
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from bot.decks.errors import MAX_SHOWN_CHARS, shown

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    LIBYAML = False
else:
    LIBYAML = True
PARSER: Final = "libyaml" if LIBYAML else "PyYAML's pure-Python parser (no libyaml)"

MAX_DEPTH: Final = 50
MAX_NODES: Final = 50_000

STR_TAG: Final = "tag:yaml.org,2002:str"
NULL_TAG: Final = "tag:yaml.org,2002:null"

_TAG_NAMES: Final = {
    STR_TAG: "a string",
    NULL_TAG: "nothing (null)",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
}


class YamlError(ValueError):
    """YAML that cannot be composed, or that uses a refused feature. `line` is 1-based."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message, line)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


class _Mark(Protocol):
    @property
    def line(self) -> int: ...

    @property
    def index(self) -> int: ...


def _line_of(mark: _Mark | None) -> int | None:
    return None if mark is None else mark.line + 1


# PyYAML follows YAML 1.1 and also ends lines at U+0085, U+2028 and U+2029; YAML 1.2 and editors
# do not, so in a file holding one, line numbers are recounted from each mark's offset.
_YAML11_ONLY_BREAKS: Final = re.compile("[\x85\u2028\u2029]")
_LINE_BREAK: Final = re.compile("\r\n|\r|\n")


class _Lines:
    """Line numbers of offsets in a text, counting only CR LF, CR and LF as line breaks."""

    def __init__(self, text: str) -> None:
        self._starts = [match.end() for match in _LINE_BREAK.finditer(text)]

    def line(self, index: int) -> int:
        """The 1-based line holding the character at `index`."""
        return bisect_right(self._starts, index) + 1

    def mark_line(self, mark: _Mark | None) -> int | None:
        return None if mark is None else self.line(mark.index)


def node_line(node: Node) -> int | None:
    """The 1-based line a node starts on."""
    return _line_of(node.start_mark)


class _GuardedComposer(Composer):
    """PyYAML's composer, refusing anchors and aliases and capping depth and size.

    It reads events from whichever parser it is mixed with, so both loaders below share it.
    """

    def _guard(self, max_depth: int, max_nodes: int, lines: _Lines | None) -> None:
        self._lines = lines
        self._max_depth = max_depth
        self._max_nodes = max_nodes
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[attr-defined]  # from the parser
        if isinstance(event, yaml.AliasEvent):
            message = f"aliases (*{_name(event.anchor or '')}) are not allowed here"
            raise YamlError(message, self.line_of(event.start_mark))
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            message = f"anchors (&{_name(event.anchor)}) are not allowed here"
            raise YamlError(message, self.line_of(event.start_mark))
        self._nodes += 1
        if self._nodes > self._max_nodes:
            message = f"too many values (more than {self._max_nodes}); split the file"
            raise YamlError(message, self.line_of(event.start_mark))
        self._depth += 1
        try:
            if self._depth > self._max_depth:
                message = f"nested more than {self._max_depth} levels deep"
                raise YamlError(message, self.line_of(event.start_mark))
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None and self._lines is not None:
            start = node.start_mark
            line = self._lines.line(start.index) - 1
            # A fresh mark: PyYAML shares mark objects between nodes.
            node.start_mark = Mark(
                start.name, start.index, line, start.column, start.buffer, start.pointer
            )
        return node

    def line_of(self, mark: _Mark | None) -> int | None:
        return _line_of(mark) if self._lines is None else self._lines.mark_line(mark)


class _PythonLoader(_GuardedComposer, yaml.SafeLoader):
    """The guarded composer on PyYAML's pure-Python reader, scanner and parser."""

    def __init__(self, text: str, max_depth: int, max_nodes: int, lines: _Lines | None) -> None:
        yaml.SafeLoader.__init__(self, text)
        self._guard(max_depth, max_nodes, lines)


class _PythonDecides(yaml.YAMLError):
    """Something libyaml reads differently from PyYAML's pure-Python parser, which decides."""


if LIBYAML:

    class _LibyamlLoader(_GuardedComposer, CParser, Resolver):
        """The guarded composer on libyaml's parser.

        The composer comes first: CParser has a composer of its own, in C, without the guards.
        Its marks count lines and characters (not bytes), as the pure-Python parser's do.
        """

        def __init__(self, text: str, max_depth: int, max_nodes: int, lines: _Lines | None) -> None:
            CParser.__init__(self, text)
            Composer.__init__(self)
            Resolver.__init__(self)
            self._guard(max_depth, max_nodes, lines)

        def compose_node(self, parent: Node | None, index: int) -> Node | None:
            # libyaml takes tags that PyYAML finds malformed ("!a:!b") and makes a lone "!" a
            # string, not null; in brackets, it lets "?" into unquoted values ("[why?]") and
            # puts some empty values ("{?\n}") on another line. All rare in decks (the only
            # useful tag there is !!str), so a file with one is simply handed to PyYAML.
            event = self.peek_event()
            if getattr(event, "tag", None) is not None:
                raise _PythonDecides("a tag")
            if (
                isinstance(parent, CollectionNode)
                and parent.flow_style  # in brackets
                and isinstance(event, yaml.ScalarEvent)
                and not event.style
                and ("?" in event.value or not event.value)
            ):
                raise _PythonDecides("an empty value or '?' in an unquoted one, in brackets")
            return super().compose_node(parent, index)


_BLOCK_HEADER_COMMENT: Final = re.compile("[|>][-+0-9]{0,2}#")


def _libyaml_differs(text: str) -> bool:
    """Whether the text holds characters libyaml reads differently from PyYAML.

    libyaml accepts tabs that PyYAML refuses (after "answer:", inside an unquoted value), skips a
    byte order mark at the start of any line where PyYAML keeps it as text, and accepts a
    comment right after a block scalar's indicator ("|#").
    """
    if "\t" in text or "\ufeff" in text:
        return True
    # A substring test first: it is hundreds of times faster than a regex over a whole deck.
    return "#" in text and _BLOCK_HEADER_COMMENT.search(text) is not None


def compose(
    text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES, libyaml: bool = LIBYAML
) -> Node | None:
    """Compose one YAML document into nodes; None if it holds no value (empty or comments only).

    Raises YamlError, with the line when YAML gives one, on syntax errors, on more than one
    document, on anchors/aliases and on files nested or sized past the caps. `libyaml=False`
    uses only the pure-Python parser (the default without libyaml); either way the nodes'
    tags, values and lines, and the errors, are the same. Where the two parsers would
    disagree, PyYAML's pure-Python parser decides.
    """
    lines = None if text.isascii() or not _YAML11_ONLY_BREAKS.search(text) else _Lines(text)
    if libyaml and not LIBYAML:
        raise RuntimeError("PyYAML was built without libyaml")
    if libyaml and not _libyaml_differs(text):
        try:
            return _compose_with_libyaml(text, max_depth, max_nodes, lines)
        except (YamlError, yaml.YAMLError, UnicodeEncodeError):
            # Refused (lone surrogates cannot even be given to libyaml). The guards have kept
            # libyaml's work small; the pure-Python parser says what is wrong, and where.
            pass
    return _compose_with_python(text, max_depth, max_nodes, lines)


def _compose_with_libyaml(
    text: str, max_depth: int, max_nodes: int, lines: _Lines | None
) -> Node | None:
    if lines is None and not text.endswith(("\n", "\r")):
        # libyaml ends an unended last line itself, so a mark at the very end of the text (an
        # empty value) is a line further on than PyYAML puts it: count lines from offsets.
        lines = _Lines(text)
    loader = _LibyamlLoader(text, max_depth, max_nodes, lines)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _compose_with_python(
    text: str, max_depth: int, max_nodes: int, lines: _Lines | None
) -> Node | None:
    loader: _PythonLoader | None = None
    try:
        # The reader checks every character as it is built, so build it inside the try.
        loader = _PythonLoader(text, max_depth, max_nodes, lines)
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        lines = lines or _Lines(text)
        message = _describe_marked(error, lines)
        raise YamlError(message, lines.mark_line(error.problem_mark)) from error
    except yaml.reader.ReaderError as error:
        line = (lines or _Lines(text)).line(error.position)
        message = f"character U+{error.character:04X} is not allowed in YAML"
        raise YamlError(message, line) from error
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {error}", None) from error
    finally:
        if loader is not None:
            loader.dispose()


def _describe_marked(error: yaml.MarkedYAMLError, lines: _Lines) -> str:
    problem = error.problem or "not valid YAML"
    context = error.context
    if not context:
        return f"invalid YAML: {problem}"
    if not context.startswith("while "):  # e.g. "expected a single document in the stream"
        return f"invalid YAML: {context}, {problem}"
    context_line = lines.mark_line(error.context_mark)
    if context_line is not None and context_line != lines.mark_line(error.problem_mark):
        context = f"{context} on line {context_line}"
    return f"invalid YAML: {problem} ({context})"


def describe(node: Node) -> str:
    """What kind of value a node holds, for messages like "answer must be a string, got a list"."""
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, ScalarNode) and node.tag in _TAG_NAMES:
        return _TAG_NAMES[node.tag]
    return f"a value tagged {_name(node.tag)}"


def _name(name: str) -> str:
    """A tag or anchor name as written, unless quoting is needed to keep the message readable.

    A tag URI can hold any character as a %-escape (`!<%0A>`), and names have no length limit.
    """
    if name.isprintable() and len(name) <= MAX_SHOWN_CHARS:
        return name
    return shown(name)


def is_str(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == STR_TAG


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG

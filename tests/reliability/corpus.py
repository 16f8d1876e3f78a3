"""Hostile input for the deck layer: malformed deck files and broken exports, built in code.

Each case is a (name, data, expected) triple, plus its category: the file name to save it under,
its bytes, and a piece of the error it must produce. A name starts with its category
("alias-03.yaml"), except in the category that tests file names themselves. Nothing here is
stored on disk: even the cases over the 1 MiB limit are generated in memory when the tests run
and written to tmp_path, never committed.
"""

from __future__ import annotations

import bz2
import gzip
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Final, NamedTuple

from bot.core.models import (
    MAX_ANSWER_CHARS,
    MAX_DECK_NAME_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_HINT_CHARS,
    MAX_QUESTION_CHARS,
)
from bot.decks.files import MAX_FILE_BYTES


class Case(NamedTuple):
    """A file to save as `name`, holding `data`, whose error must contain `expected`.

    An import case whose `expected` is None must import as a Deck (what the importers forgive).
    """

    name: str
    data: bytes
    expected: str | None
    category: str


GOOD_DECKS: Final = {
    "good-one.yaml": (
        "name: Good one\n"
        "description: Loads whatever its neighbours hold.\n"
        "tags: [test]\n"
        "cards:\n"
        "  - id: g1\n"
        "    question: What is 2 + 2?\n"
        "    answer: '4'\n"
        "  - id: g2\n"
        "    question: Capital of France?\n"
        "    answer: Paris\n"
        "    hint: Not Lyon.\n"
        "    tags: [geo]\n"
        "    image: https://example.com/paris.png\n"
    ),
    "good-two.yml": (
        "name: Good two\ncards:\n  - id: only\n    question: Still here?\n    answer: Yes.\n"
    ),
}

# The deck every typed case starts from: one card, each field on its own line.
_DECK: Final = (
    "name: {name}\ncards:\n  - id: {id}\n    question: {question}\n    answer: {answer}\n"
)
_FIELDS: Final = {"name": "Hostile", "id": "c1", "question": "What is it?", "answer": "This."}

# A raw YAML value (one line) of the wrong type, and how the parser names that type.
_WRONG_TYPES: Final = {
    "list": ("[a, b]", "got a list"),
    "mapping": ("{a: 1}", "got a mapping"),
    "int": ("42", "got a number"),
    "float": ("4.2e+1", "got a number"),
    "hex": ("0x2A", "got a number"),
    "inf": (".inf", "got a number"),
    "bool": ("yes", "got true/false"),
    "false": ("false", "got true/false"),
    "date": ("2024-01-31", "got a date"),
    "tagged": ("!custom x", "got a value tagged !custom"),
    "binary": ("!!binary aGk=", "got a value tagged tag:yaml.org,2002:binary"),
    "pyobj": (
        "!!python/object:os.system x",
        "got a value tagged tag:yaml.org,2002:python/object:os.system",
    ),
}
# Values that are strings, or nothing, but still no text.
_BLANKS: Final = {
    "null": "~",
    "nothing": "",
    "empty": '""',
    "spaces": '"   "',
    "newlines": '"\\n\\n"',
    "tab": '"\\t"',
}
_TEXT_LIMITS: Final = {
    "name": MAX_DECK_NAME_CHARS,
    "description": MAX_DESCRIPTION_CHARS,
    "question": MAX_QUESTION_CHARS,
    "answer": MAX_ANSWER_CHARS,
    "hint": MAX_HINT_CHARS,
}


def _deck(**fields: str) -> str:
    return _DECK.format(**{**_FIELDS, **fields})


def _with_card_line(line: str) -> str:
    """The base deck with one more line in its card (a card field)."""
    return _deck() + f"    {line}\n"


def _with_deck_line(line: str) -> str:
    """The base deck with one more top-level line before the cards."""
    return f"{line}\n" + _deck()


def _numbered(
    category: str, items: Sequence[tuple[str | bytes, str | None]], suffix: str = ".yaml"
) -> list[Case]:
    return [
        Case(
            f"{category}-{index:02d}{suffix}",
            text if isinstance(text, bytes) else text.encode("utf-8"),
            expected,
            category,
        )
        for index, (text, expected) in enumerate(items, start=1)
    ]


def _yaml_syntax() -> list[Case]:
    good = _deck()
    return _numbered(
        "syntax",
        [
            ("name: N\ncards:\n\t- id: a\n", "found character '\\t' that cannot start any token"),
            (good.replace("    answer", "\tanswer"), "cannot start any token"),
            ('name: "Hostile\ncards: []\n', "invalid YAML: found unexpected end of stream"),
            ("name: 'Hostile\ncards: []\n", "invalid YAML: found unexpected end of stream"),
            (good.replace("answer: This.", 'answer: "This.'), "while scanning a quoted scalar"),
            ("name: N\ncards: [a, b\n", "invalid YAML: expected ',' or ']'"),
            ("name: N\ncards: [{id: a, question: q\n", "invalid YAML"),
            ("name: N\ncards: {id: a\n", "while parsing a flow mapping"),
            ("name: N\n] \ncards: []\n", "invalid YAML"),
            ("name: N\ncards: [a]]\n", "invalid YAML"),
            (good.replace("    answer", "   answer"), "invalid YAML"),
            (good.replace("    answer", "      answer"), "mapping values are not allowed here"),
            ("name: a: b\ncards: []\n", "mapping values are not allowed here"),
            ("name N\ncards:\n  - id: a\n", "invalid YAML"),
            ('name: "\\q"\n', "found unknown escape character"),
            ('name: "\\xZZ"\n', "expected escape sequence of 2 hexadecimal numbers"),
            ("%YAML 2.0\n---\nname: N\n", "found incompatible YAML document"),
            ("%YAML 1.1\n%YAML 1.1\n---\nname: N\n", "found duplicate YAML directive"),
            ("@name: N\n", "found character '@' that cannot start any token"),
            ("`name`: N\n", "found character '`' that cannot start any token"),
            (
                good.replace("answer: This.", "answer: |0\n      x"),
                "expected indentation indicator",
            ),
            (good.replace("answer: This.", "answer: | text"), "invalid YAML"),
            ("- a\nname: N\n", "invalid YAML"),
            ("name: !e!x N\n", "found undefined tag handle"),
            (good.replace("This.", "Th\x01is."), "character U+0001 is not allowed in YAML"),
            (good.replace("This.", "Th\x7fis."), "character U+007F is not allowed in YAML"),
            (good.replace("This.", "Th\ufffeis."), "character U+FFFE is not allowed in YAML"),
            (good.replace("This.", "Th\x1b[31mis."), "character U+001B is not allowed in YAML"),
            ("name: & N\n", "expected alphabetic or numeric character"),
            ("name: N\n  cards: []\n", "mapping values are not allowed here"),
            ("name: N\n---\nname: M\n", "expected a single document in the stream"),
            ("name: N\r\ncards: [\r\n", "syntax-32.yaml:3: invalid YAML"),
            ("name: {a: 1 b: 2}\n", "invalid YAML"),
            ("? - a\n  - b\n: - c\n- d\n", "invalid YAML"),
            ("%TAG !e! tag:example.com,2000:\n", "invalid YAML"),
            ('name: "a\\', "invalid YAML"),
            ("'", "invalid YAML"),
            ("name: N\ncards:\n- id: a\n question: q\n", "invalid YAML"),
        ],
    )


def _duplicate_keys() -> list[Case]:
    return _numbered(
        "dupkey",
        [
            (_deck() + "name: Again\n", "duplicate key 'name' (first on line 1)"),
            (_deck() + "cards: []\n", "duplicate key 'cards' (first on line 2)"),
            (
                _with_card_line("answer: Twice."),
                "card 'c1': duplicate key 'answer' (first on line 5)",
            ),
            (_with_card_line("id: c2"), "duplicate key 'id'"),
            (_with_card_line("question: Again?"), "duplicate key 'question'"),
            ("name: N\nname: N\nname: N\n" + _deck().split("\n", 1)[1], "duplicate key 'name'"),
            ("{name: N, name: M, cards: [{id: a, question: q, answer: a}]}\n", "duplicate key"),
        ],
    )


def _cards(*ids: str) -> str:
    """A deck whose cards have these ids, in order; card n starts on line 3n + 3."""
    card = "  - id: {id}\n    question: Q {n}?\n    answer: A {n}.\n"
    return "name: N\ncards:\n" + "".join(card.format(id=i, n=n) for n, i in enumerate(ids))


def _duplicate_ids() -> list[Case]:
    return _numbered(
        "dupid",
        [
            (_cards("a", "a"), "dupid-01.yaml:6: card 'a': duplicate id (first used on line 3)"),
            (_cards("a", "b", "a", "a"), "duplicate id (first used on line 3)"),
            (_cards("bad id", "x", "x"), "card 'x': duplicate id (first used on line 6)"),
            (_cards("x", "y", "z", "y"), "card 'y': duplicate id (first used on line 6)"),
            (_cards("A-1", "A-1"), "duplicate id"),
        ],
    )


BILLION_LAUGHS: Final = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9 if prev else ['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def _alias_bombs() -> list[Case]:
    deep = "".join(
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" if i else "l0: &l0 [lol]\n"
        for i in range(30)
    )
    return _numbered(
        "alias",
        [
            (BILLION_LAUGHS, "alias-01.yaml:1: anchors (&a) are not allowed here"),
            (deep, "anchors (&l0) are not allowed here"),
            (
                "name: N\nbase: &b {question: Q?, answer: A.}\ncards:\n  - <<: *b\n    id: a\n",
                "alias-03.yaml:2: anchors (&b) are not allowed here",
            ),
            (
                "name: N\ncards:\n  - &c {id: a, question: q, answer: a}\n  - *c\n",
                "anchors (&c) are not allowed here",
            ),
            ("name: *nope\ncards: []\n", "aliases (*nope) are not allowed here"),
            ("name: &n N\ncards: []\n", "anchors (&n) are not allowed here"),
            ("--- &root\nname: N\n", "anchors (&root) are not allowed here"),
            ("a: &a [*a]\n", "anchors (&a) are not allowed here"),
            (f"name: &{'a' * 5000} N\n", "anchors (&'" + "a" * 60 + "…') are not allowed here"),
            (_deck() + "    hint: &h Think.\n", "alias-10.yaml:6: anchors (&h)"),
            ("{a: &a {x: lol}, b: &b {x: *a, y: *a}, c: {x: *b, y: *b}}\n", "anchors (&a)"),
            ("*a : x\n", "aliases (*a) are not allowed here"),
            ("name: N\ncards:\n  - {id: a, question: &q Q, answer: *q}\n", "anchors (&q)"),
        ],
    )


def _deep_nesting() -> list[Case]:
    def block(levels: int) -> str:
        return "".join(" " * (2 * i) + "a:\n" for i in range(levels)) + " " * (2 * levels) + "x\n"

    return _numbered(
        "nesting",
        [
            ("[" * 100_000, "nested more than 50 levels deep"),
            ("{a: " * 10_000, "nested more than 50 levels deep"),
            ("[" * 51 + "]" * 51, "nested more than 50 levels deep"),
            ("- " * 60 + "x\n", "nested more than 50 levels deep"),
            (block(60), "nested more than 50 levels deep"),
            (_deck(answer="[" * 60 + "]" * 60), "nested more than 50 levels deep"),
            ("{" * 60 + "}" * 60, "nested more than 50 levels deep"),
            (_deck(answer="[" * 40 + "x" + "]" * 40), "answer must be a string, got a list"),
        ],
    )


def _huge() -> list[Case]:
    over = MAX_FILE_BYTES + 1
    card = "  - id: c{n}\n    question: Question {n}?\n    answer: Answer {n}.\n"
    many = "name: Huge\ncards:\n" + "".join(card.format(n=n) for n in range(over // 40))
    too_large = "file is larger than 1024 KiB"
    return _numbered(
        "huge",
        [
            (b" " * over, too_large),
            (many, too_large),
            (random.Random(1).randbytes(2 * MAX_FILE_BYTES), too_large),
            ("name: " + "x" * over, too_large),
            (b"\n" * over, too_large),
            (b"#" * over, too_large),
            ("[" + "1," * 60_000 + "1]", "too many values (more than 50000); split the file"),
            (_deck() + "#" * (over - len(_deck())), too_large),
        ],
    )


def _binary() -> list[Case]:
    deck = _deck().encode()
    utf8 = "not valid UTF-8"
    return _numbered(
        "binary",
        [
            (random.Random(2).randbytes(16), utf8),
            (random.Random(3).randbytes(256), utf8),
            (random.Random(4).randbytes(4096), utf8),
            (random.Random(5).randbytes(65_536), utf8),
            (b"\0" * 64, "character U+0000 is not allowed in YAML"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01", "not valid UTF-8 (byte 0x89)"),
            (gzip.compress(deck, mtime=0), "not valid UTF-8 (byte 0x8b)"),
            (b"PK\x03\x04\x14\0\0\0\x08\0", "character U+0003 is not allowed in YAML"),
            (b"\x7fELF\x02\x01\x01\0" + b"\0" * 8, "character U+007F is not allowed in YAML"),
            (b"\xff\xd8\xff\xe0\0\x10JFIF", "not valid UTF-8 (byte 0xff)"),
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary-11.yaml:2: not valid UTF-8 (byte 0xe2)"),
            (b"SQLite format 3\0\x10\0", "character U+0000 is not allowed in YAML"),
            (deck.replace(b"This.", b"Th\0is."), "binary-13.yaml:5: character U+0000"),
            (deck + random.Random(6).randbytes(512), utf8),
            (bz2.compress(deck * 10), utf8),
            (b"\xfd7zXZ\0\0\x04", "not valid UTF-8 (byte 0xfd)"),
            (b"MZ\x90\0\x03\0\0\0", "not valid UTF-8 (byte 0x90)"),
            (b"\x1f\x8b" + b"\0" * 30, "not valid UTF-8 (byte 0x8b)"),
            (b"\0name: N\n", "binary-19.yaml:1: character U+0000"),
        ],
    )


def _encodings() -> list[Case]:
    text = _deck(question="Où est le café?", answer="Ça va “bien”.")
    ascii_text = _deck()
    return _numbered(
        "encoding",
        [
            (text.encode("latin-1", "replace"), "encoding-01.yaml:4: not valid UTF-8 (byte 0xf9)"),
            (text.encode("cp1252"), "not valid UTF-8 (byte 0xf9)"),
            (text.encode("utf-16"), "not valid UTF-8 (byte 0xff)"),
            (b"\xfe\xff" + text.encode("utf-16-be"), "not valid UTF-8 (byte 0xfe)"),
            (ascii_text.encode("utf-16-le"), "character U+0000 is not allowed in YAML"),
            (ascii_text.encode("utf-16-be"), "character U+0000 is not allowed in YAML"),
            (text.encode("utf-32"), "not valid UTF-8 (byte 0xff)"),
            (_deck(answer="日本語").encode("shift_jis"), "not valid UTF-8"),
            (_deck().encode().replace(b"This", b"\xc0\xafThis"), "not valid UTF-8 (byte 0xc0)"),
            (_deck().encode().replace(b"This", b"\xed\xa0\x80"), "not valid UTF-8 (byte 0xed)"),
            (b"name: caf\xc3", "encoding-11.yaml:1: not valid UTF-8 (byte 0xc3)"),
            (b"\xef\xbb\xbf" + text.encode("latin-1", "replace"), "encoding-12.yaml:4:"),
            (ascii_text.replace("name", "na\ufeffme", 1).encode(), "unknown key 'na\\ufeffme'"),
            (_deck(answer="中文").encode("gb18030"), "not valid UTF-8"),
            (text.encode("cp500", "replace"), "not valid UTF-8"),
        ],
    )


def _wrong_types() -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for field in ("name", "question", "answer"):
        for raw, got in _WRONG_TYPES.values():
            items.append((_deck(**{field: raw}), f"{field} must be a string, {got}"))
        for raw in _BLANKS.values():
            items.append((_deck(**{field: raw}), f"{field} is empty"))
        too_long = '"' + "x" * (_TEXT_LIMITS[field] + 1) + '"'
        items.append((_deck(**{field: too_long}), f"{field} is too long for Discord"))
    items.append((_deck(name='"two\\nlines"'), "name must be a single line"))
    for field in ("description", "hint"):
        add = _with_deck_line if field == "description" else _with_card_line
        for raw, got in _WRONG_TYPES.values():
            items.append((add(f"{field}: {raw}"), f"{field} must be a string, {got}"))
        for raw in ('""', '"   "'):
            items.append((add(f"{field}: {raw}"), f"{field} is empty"))
        limit = _TEXT_LIMITS[field]
        items.append((add(f'{field}: "{"x" * (limit + 1)}"'), f"{field} is too long for Discord"))
    for raw, got in _WRONG_TYPES.values():
        items.append((_deck(id=raw), f"id must be a string, {got}"))
    items.append((_deck(id="~"), "id must be a string, got nothing (null)"))
    for raw in ('""', '"a b"', "ä", "a/b", "../../etc/passwd", '"a\\nb"', "x" * 65, "emoji🃏"):
        items.append((_deck(id=raw), "may only contain letters, digits, '.', '_' and '-'"))
    return items


def _wrong_shapes() -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for add, where in ((_with_deck_line, ""), (_with_card_line, "card 'c1': ")):
        for raw, got in (("ml", "a string"), ("{a: 1}", "a mapping"), ("42", "a number")):
            items.append((add(f"tags: {raw}"), f"{where}tags must be a list of strings, got {got}"))
        for raw, message in (
            ("[1]", "tag #1 must be a string, got a number"),
            ("[ok, [a]]", "tag #2 must be a string, got a list"),
            ("[~]", "tag #1 must be a string, got nothing (null)"),
            ("[yes]", "tag #1 must be a string, got true/false"),
            ('[""]', "tag '' is empty"),
            (f"[{'t' * 51}]", f"tag '{'t' * 51}' is too long for Discord"),
            ('["a\\nb"]', "tag 'a\\nb' must be a single line"),
        ):
            items.append((add(f"tags: {raw}"), where + message))
    for raw in (
        "not a url",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.com/x.png",
        "/local/path.png",
        "file:///etc/passwd",
        "https://",
        "'https://[::1'",
        "//example.com/x.png",
    ):
        items.append((_with_card_line(f"image: {raw}"), "must be an http:// or https:// URL"))
    items.append((_with_card_line('image: "http://exa mple.com/x.png"'), "must not contain spaces"))
    items.append(
        (_with_card_line(f"image: https://example.com/{'a' * 2100}"), "image URL is too long")
    )
    for raw, got in (("42", "a number"), ("[a]", "a list"), ("{a: 1}", "a mapping")):
        items.append((_with_card_line(f"image: {raw}"), f"image must be a string, got {got}"))
    for raw, got in (
        ("{a: 1}", "a mapping"),
        ("just text", "a string"),
        ("42", "a number"),
        ("", "nothing (null)"),
        ("!!set {a, b}", "a mapping"),
    ):
        items.append((f"name: N\ncards: {raw}\n", f"cards must be a list of cards, got {got}"))
    items.append(("name: N\ncards: []\n", "cards is empty; a deck needs at least one card"))
    for raw, got in (
        ("[a, b]", "a list"),
        ("text", "a string"),
        ("42", "a number"),
        ("", "nothing"),
    ):
        items.append(
            (
                f"name: N\ncards:\n  - {raw}\n",
                f"card #1 must be a mapping with id, question and answer, got {got}",
            )
        )
    return items


def _missing() -> list[Case]:
    return _numbered(
        "missing",
        [
            (_deck().split("\n", 1)[1], "missing-01.yaml:1: missing name"),
            ("name: N\n", "missing cards"),
            (
                "name: N\ncards:\n  - question: q\n    answer: a\n",
                "missing-03.yaml:3: card #1: missing id",
            ),
            ("name: N\ncards:\n  - id: a\n    answer: a\n", "card 'a': missing question"),
            ("name: N\ncards:\n  - id: a\n    question: q\n", "card 'a': missing answer"),
            ("name: N\ncards:\n  - {}\n", "card #1: missing id"),
            ("{}\n", "missing name"),
            ("description: only\n", "missing cards"),
        ],
    )


def _unknown_keys() -> list[Case]:
    return _numbered(
        "unknown",
        [
            (_with_deck_line("nmae: x"), "unknown key 'nmae' (did you mean 'name'?)"),
            (_with_deck_line("Cards: x"), "unknown key 'Cards' (did you mean 'cards'?)"),
            (_with_card_line("questions: x"), "unknown key 'questions' (did you mean 'question'?)"),
            (_with_card_line("back: x"), "unknown key 'back'; expected one of: id, question"),
            (_with_deck_line("1: x"), "keys must be strings, got a number"),
            (_with_deck_line("~: x"), "keys must be strings, got nothing (null)"),
            (_with_card_line("yes: x"), "card 'c1': keys must be strings, got true/false"),
            ("? [a, b]\n: x\n" + _deck(), "keys must be strings, got a list"),
            (f"? {'k' * 2000}\n: 1\n" + _deck(), "unknown key '" + "k" * 60 + "…'"),
            (
                _with_deck_line("<<: {a: 1}"),
                "keys must be strings, got a value tagged tag:yaml.org,2002:merge",
            ),
            (_with_deck_line("version: 2"), "unknown key 'version'"),
            (_with_card_line("ïd: x"), "unknown key 'ïd'"),
        ],
    )


def _top_level() -> list[Case]:
    wrong = "top level must be a mapping with name and cards, got"
    return _numbered(
        "toplevel",
        [
            ("- a\n- b\n", f"{wrong} a list"),
            ("hello\n", f"{wrong} a string"),
            ("42\n", f"{wrong} a number"),
            ("true\n", f"{wrong} true/false"),
            ("~\n", f"{wrong} nothing (null)"),
            ("- id: a\n  question: q\n  answer: a\n", f"{wrong} a list"),
            ("|\n  name: N\n", f"{wrong} a string"),
            ("[name, cards]\n", f"{wrong} a list"),
            ("!deck x\n", f"{wrong} a value tagged !deck"),
            ("2024-01-01\n", f"{wrong} a date"),
            ('"name: N"\n', f"{wrong} a string"),
        ],
    )


def _empty() -> list[Case]:
    empty = "file is empty; a deck needs a name and cards"
    return _numbered(
        "empty",
        [
            (b"", empty),
            (b" ", empty),
            (b"\n\n\n", empty),
            (b"# just a comment\n# and another\n", empty),
            (b"\xef\xbb\xbf", empty),
            (b"\r\n\r\n", empty),
            # An explicit but empty document holds a null.
            (
                b"---\n",
                "empty-07.yaml:2: top level must be a mapping with name and cards, got nothing",
            ),
            (b"---\n...\n", "got nothing (null)"),
            (b"%YAML 1.1\n---\n", "got nothing (null)"),
            # PyYAML refuses a tab where a line's indentation would be, even on a blank line.
            (
                b"   \t  \n",
                "empty-10.yaml:1: invalid YAML: found character '\\t' that cannot start",
            ),
        ],
    )


def _yaml_tags() -> list[Case]:
    return _numbered(
        "tags",
        [
            (
                _deck(question="!!python/object:subprocess.Popen x"),
                "python/object:subprocess.Popen",
            ),
            (
                _deck(answer='!!python/object/apply:os.system ["echo pwned"]'),
                "answer must be a string, got a list",
            ),
            (
                _deck(question="!!python/name:os.system ''"),
                "a value tagged tag:yaml.org,2002:python/name:os.system",
            ),
            (_deck(answer="!!binary aGVsbG8="), "tag:yaml.org,2002:binary"),
            (_deck(question="!custom:thing x"), "a value tagged !custom:thing"),
            (
                _deck(answer="!<tag:evil.example,2000:x> y"),
                "a value tagged tag:evil.example,2000:x",
            ),
            (
                "%TAG !e! tag:evil.example,2000:\n---\n" + _deck(name="!e!x N"),
                "tag:evil.example,2000:x",
            ),
            (_deck(name="!<%0A> N"), "name must be a string, got a value tagged '\\n'"),
            (_deck(name=f"!<{'t' * 200}> N"), "a value tagged '" + "t" * 60 + "…'"),
            (_deck(question="!!timestamp 2024-01-01"), "question must be a string, got a date"),
            (_deck(question='!!null ""'), "question is empty"),
            (_deck(answer='!!bool "yes"'), "answer must be a string, got true/false"),
            (_deck(answer='!!int "1\\n2"'), "answer must be a string, got a number"),
            (
                _deck(answer="!foo |\n      multi\n      line"),
                "answer must be a string, got a value tagged !foo",
            ),
            ("name: N\ncards:\n  - !!omap [{id: a}]\n", "card #1 must be a mapping"),
            (_deck(answer="!!float 1"), "answer must be a string, got a number"),
        ],
    )


def _long_lines() -> list[Case]:
    return _numbered(
        "long",
        [
            (_deck(question="q" * 100_000), "question is too long for Discord (100000 characters"),
            (f"{'k' * 2000}: v\n" + _deck(), "invalid YAML"),
            ("#" + "c" * 50_000 + "\n", "file is empty"),
            ("name: N\ncards: " + "]" * 50_000 + "\n", "invalid YAML"),
            (_deck(id="i" * 10_000), "id '" + "i" * 60 + "…' may only contain"),
            (_with_card_line(f"image: {'javascript:' + 'a' * 100_000}"), "image 'javascript:"),
            (_deck(answer="a " * 20_000), "answer is too long for Discord"),
        ],
    )


def _line_numbers() -> list[Case]:
    """Lines as an editor counts them: CR LF, CR and LF end a line; U+2028 and NEL do not."""
    missing = (
        "name: N\ncards:\n  - id: a\n    question: q\n    answer: a\n  - id: b\n    question: q\n"
    )
    return _numbered(
        "lines",
        [
            (missing.replace("\n", "\r\n"), "lines-01.yaml:6: card 'b': missing answer"),
            (missing.replace("\n", "\r"), "lines-02.yaml:6: card 'b': missing answer"),
            (
                missing.replace("question: q\n", 'question: "x\u2028y"\n'),
                "lines-03.yaml:6: card 'b'",
            ),
            (missing.replace("question: q\n", 'question: "x\x85y"\n'), "lines-04.yaml:6: card 'b'"),
            ("\ufeff" + missing, "lines-05.yaml:6: card 'b': missing answer"),
            ('name: "a\u2029b"\ncards: [\n', "lines-06.yaml:3: invalid YAML"),
            (
                "name: N\rcards:\r  - id: x\r    question: \x01\r",
                "lines-07.yaml:4: character U+0001",
            ),
            (missing.rstrip("\n"), "lines-08.yaml:6: card 'b': missing answer"),
        ],
    )


def _file_names() -> list[Case]:
    """Good content under names that are no deck id: the name is the problem."""
    good = GOOD_DECKS["good-two.yml"].replace("Good two", "Badly named").encode()
    names = [
        "Upper-Case.yaml",
        "has space.yaml",
        "dots.in.name.yaml",
        "émoji-🃏.yaml",
        "new\nline.yaml",
        "x" * 70 + ".yaml",
        "tab\tname.yml",
        "SHOUT.YAML",
        "-.yml.yaml",
        "latin-\udce9.yaml",  # the byte 0xe9 (é in Latin-1): not UTF-8, so os.fsdecode escapes it
    ]
    expected = "may only contain lowercase letters, digits"
    return [Case(name, good, expected, "filename") for name in names]


def deck_cases() -> list[Case]:
    """Every malformed deck file (at least 200); each must fail with `expected` in its error."""
    cases = [
        *_yaml_syntax(),
        *_duplicate_keys(),
        *_duplicate_ids(),
        *_alias_bombs(),
        *_deep_nesting(),
        *_huge(),
        *_binary(),
        *_encodings(),
        *_numbered("wrongtype", _wrong_types()),
        *_numbered("wrongshape", _wrong_shapes(), suffix=".yml"),
        *_missing(),
        *_unknown_keys(),
        *_top_level(),
        *_empty(),
        *_yaml_tags(),
        *_long_lines(),
        *_line_numbers(),
        *_file_names(),
    ]
    _check_unique(cases)
    return cases


def _brainscape() -> list[Case]:
    card = "{n}\nQ\n{q}\nA\n{a}\n\n"
    good = "Biology Flashcards\n\n" + "".join(
        card.format(n=n, q=f"Question {n}?", a=f"Answer {n}.") for n in (1, 2, 3)
    )
    return _numbered(
        "brainscape",
        [
            (good.split("\n", 2)[2], "brainscape-01.txt:1: no title line"),
            ("Biology Flashcards\n\n", "no cards after the title"),
            (
                "Biology Flashcards\n\nsomething else\n",
                "brainscape-03.txt:3: expected the first card here",
            ),
            (
                good.replace("A\nAnswer 2.\n", "Answer 2.\n"),
                "brainscape-04.txt:9: card 2: no line 'A'",
            ),
            (good.replace("\nA\n", "\n"), "card 1: no line 'A' marking the answer"),
            (good.replace("Question 1?", ""), "brainscape-06.txt:4: card 1: question is empty"),
            (good.replace("Answer 3.", ""), "card 3: answer is empty"),
            (
                good.replace("2\nQ", "4\nQ"),
                "brainscape-08.txt:9: card 1: found card 4 where card 2",
            ),
            (good.replace("3\nQ", "1\nQ"), "found card 1 where card 3 should be"),
            (good.replace("Answer 1.", "a" * 2000), "card 1: answer is too long for Discord"),
            ("x" * 200 + " Flashcards\n\n1\nQ\nq\nA\na\n", "deck name is too long for Discord"),
            (random.Random(7).randbytes(300), "not valid UTF-8"),
            (b"", "file is empty"),
            (b"\n \n\t\n", "file is empty"),
            ("Flashcards\n\n1\nQ\n\nA\n\n", "question is empty"),
            (good.encode("utf-16"), "not valid UTF-8"),
            (good.replace("Question", "Quest\0ion"), None),  # control characters are dropped
            (good + "How well did you know this?\n1\nNot at all\n", None),
            (good.replace("\n", "\r"), None),
            (good.replace("Answer 1.", "Answer 1.\n<![x[ <b>bold</b>"), None),
        ],
        suffix=".txt",
    )


def _delimited() -> list[Case]:
    return [
        *_numbered(
            "csv",
            [
                (b"\r\n", "file is empty"),
                ("question,answer\n", "no cards found"),
                ("question,answer\n\n\n", "no cards found"),
                (
                    "q1,a1\nonly one column\nq3,a3\n",
                    "csv-04.csv:2: expected a question and an answer separated by a comma,"
                    " found 1 column(s)",
                ),
                (
                    'q1,a1\nq2,"a2\nq3,a3\n',
                    'csv-05.csv:2: a quote (") opened in this row is never closed',
                ),
                (
                    'q0,a0\nq1,"' + "x" * 200_000 + "\n",
                    "csv-06.csv:2: cannot read this row (field larger",
                ),
                ("q\0one,a\0one\n", None),  # NULs are dropped
                (random.Random(8).randbytes(300), "not valid UTF-8"),
                (",a1\nq2,a2\n", "csv-09.csv:1: question is empty"),
                ("q1,a1\nq2,\n", "csv-10.csv:2: answer is empty"),
                (",,,\n,,\n", "cannot tell the format"),
                ("a\nb\nc\n", "cannot tell the format"),
                ("#separator:xyz\nq,a\n", "csv-13.csv:1: unknown separator 'xyz'"),
                (
                    "#separator:comma\n#tags column:abc\nq,a\n",
                    "csv-14.csv:2: tags column must be a column number",
                ),
                ("#separator:comma\n#html:true\n", "no cards found"),
                ("q1," + "a" * 1801 + "\n", "answer is too long for Discord"),
                ("question,answer,tags\nq,a," + "t" * 60 + "\n", "is too long for Discord"),
                ("q,<b>a</b><![x[ y\n", None),  # HTML the parser does not know stays text
                ("q1,a1\nq2,a2\n".encode("utf-16"), "not valid UTF-8"),
                (
                    "q1;a1\nq2\nq3;a3\n",
                    "csv-20.csv:2: expected a question and an answer separated by a semicolon",
                ),
                (
                    '"q1","a1"\n"q2"\n',
                    "csv-21.csv:2: expected a question and an answer separated by a comma,"
                    " found 1 column(s)",
                ),
                (
                    "q1,a1\n" + "q,a\n" * 5 + '"',
                    'csv-22.csv:7: a quote (") opened in this row is never',
                ),
                ('"Paris" (France),capital\n', None),  # text after a closing quote is kept
                (
                    "#separator:comma\n#html:true\nq,<script>alert(1)</script>\n",
                    "csv-24.csv:3: answer is empty",
                ),
            ],
            suffix=".csv",
        ),
        *_numbered(
            "tsv",
            [
                ("term\tdefinition\n", "no cards found"),
                (
                    "q1\ta1\nq2\n",
                    "tsv-02.tsv:2: expected a question and an answer separated by a tab",
                ),
                (
                    'q1\t"a1\nq2\ta2\n',
                    'tsv-03.tsv:1: a quote (") opened in this row is never closed',
                ),
                ("q1\t\n", "tsv-04.tsv:1: answer is empty"),
                ("#separator:tab\n#html:true\nq\t<![if x]>a<![endif]>\n", None),
                (
                    "#separator:tab\n#html:true\nq\t<img src=x onerror=alert(1)>\n",
                    "answer is empty",
                ),
                ("\t\t\n\t\n", "file is empty"),
                ("q1\ta1\n\0\0\0\n", None),
                ("q1\ta1\n".encode("utf-16-le"), None),  # ASCII as UTF-16: the NULs are dropped
                ("#tags column:3\nq\ta\n", None),
            ],
            suffix=".tsv",
        ),
    ]


def import_cases() -> list[Case]:
    """Broken exports for the importers; each, imported with Format.AUTO, must fail with
    `expected` in its error, or import as a Deck where `expected` is None."""
    cases = [*_brainscape(), *_delimited()]
    _check_unique(cases)
    return cases


def _check_unique(cases: list[Case]) -> None:
    """Every case is its own file; only the file-name cases share content, on purpose."""
    names = Counter(case.name for case in cases)
    contents = Counter(case.data for case in cases if case.category != "filename")
    twice = [name for name, count in names.items() if count > 1]
    twice += [
        case.name for case in cases if case.category != "filename" and contents[case.data] > 1
    ]
    if twice:
        raise AssertionError(f"corpus cases that are not distinct: {twice}")


def categories(cases: list[Case]) -> Counter[str]:
    return Counter(case.category for case in cases)


# --- Anki packages ---------------------------------------------------------------------------

_SCHEMA_11: Final = (
    "CREATE TABLE col (id integer primary key, ver int, models text, decks text);"
    "CREATE TABLE notes (id integer primary key, guid text, mid int, tags text, flds text);"
    "CREATE TABLE cards (id integer primary key, nid int, did int, odid int, ord int);"
)
_BASIC_MODEL: Final = (
    '{"1": {"name": "Basic", "type": 0, "flds": [{"name": "Front"}, {"name": "Back"}],'
    ' "tmpls": [{"ord": 0, "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr>{{Back}}"}]}}'
)


def anki_collection(notes: Sequence[tuple[str, str]], extra_sql: str = "") -> bytes:
    """A minimal schema-11 collection (what collection.anki21 holds) with Basic notes."""
    import sqlite3
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.sqlite"
        db = sqlite3.connect(path)
        db.executescript(_SCHEMA_11)
        db.execute(
            "INSERT INTO col VALUES (1, 11, ?, ?)", (_BASIC_MODEL, '{"1": {"name": "Hostile"}}')
        )
        db.executemany(
            "INSERT INTO notes VALUES (?, ?, 1, '', ?)",
            ((i, f"g{i}", f"{q}\x1f{a}") for i, (q, a) in enumerate(notes, 1)),
        )
        db.execute("INSERT INTO cards SELECT id, id, 1, 0, 0 FROM notes")
        if extra_sql:
            db.executescript(extra_sql)
        db.commit()
        db.close()
        return path.read_bytes()


def _cloze_flood(notes: int) -> bytes:
    """Cloze notes of one card row each whose texts have 150 numbers: 150 cards a note."""
    model = (
        '{"1": {"name": "Cloze", "type": 1, "flds": [{"name": "Text"}, {"name": "Extra"}],'
        ' "tmpls": [{"ord": 0, "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}{{Extra}}"}]}}'
    )
    text = " ".join(f"{{{{c{n}::x}}}}" for n in range(1, 151))
    return anki_collection([(text, "")] * notes, f"UPDATE col SET models = '{model}';")


def zip_members(members: dict[str, bytes | Iterable[bytes]]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if isinstance(data, bytes):
                archive.writestr(name, data)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in data:
                    member.write(chunk)
    return buffer.getvalue()


def _zeros(mib: int) -> Iterable[bytes]:
    chunk = bytes(1024 * 1024)
    return (chunk for _ in range(mib))


def anki_package_cases() -> list[Case]:
    """Hostile Anki packages: each must fail with `expected` in its one-line error, or (None)
    import as a deck. Built in memory: the bombs are a few hundred KiB compressed."""
    import zstandard

    good = anki_collection([("What is 2 + 2?", "4")])
    zstd = zstandard.ZstdCompressor()
    bomb = zstandard.ZstdCompressor().compressobj()
    zstd_bomb = b"".join(bomb.compress(chunk) for chunk in _zeros(130)) + bomb.flush()
    traversal = anki_collection([('<img src="../../evil.png">', "escaped?")])
    cases = [
        ("not-a-zip.apkg", b"SQLite format 3\x00" + bytes(200), "not a zip archive"),
        ("empty.apkg", b"", "not a zip archive"),
        ("no-collection.apkg", zip_members({"media": b"{}"}), "holds no collection"),
        ("zip-bomb.apkg", zip_members({"collection.anki21": _zeros(130)}), "larger than 128 MiB"),
        (
            "zstd-bomb.apkg",
            zip_members({"collection.anki21b": zstd_bomb, "meta": b"\x08\x03"}),
            "larger than 128 MiB",
        ),
        (
            "corrupt-zstd.apkg",
            zip_members({"collection.anki21b": b"\x28\xb5\x2f\xfd" + bytes(range(256)) * 8}),
            "not valid zstd data",
        ),
        (
            "not-sqlite.apkg",
            zip_members({"collection.anki21": b"this is not a database\n" * 500}),
            "not an SQLite database",
        ),
        (
            "truncated-sqlite.apkg",
            zip_members({"collection.anki21": good[: len(good) // 2]}),
            "collection",
        ),
        (
            "notes-view.apkg",
            zip_members(
                {
                    "collection.anki21": anki_collection(
                        [],
                        "DROP TABLE notes; CREATE VIEW notes AS WITH RECURSIVE r(i) AS"
                        " (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT i AS id, '' AS guid,"
                        " 1 AS mid, '' AS tags, '' AS flds FROM r;",
                    )
                }
            ),
            "no notes table",
        ),
        (
            "bad-models-json.apkg",
            zip_members(
                {
                    "collection.anki21": anki_collection(
                        [("q", "a")], "UPDATE col SET models = '[[[';"
                    )
                }
            ),
            "not valid JSON",
        ),
        (
            "deep-media-json.apkg",
            zip_members({"collection.anki21": good, "media": b"[" * 100_000}),
            "media list is not valid JSON",
        ),
        (
            "corrupt-media-list.apkg",
            zip_members(
                {"collection.anki21b": zstd.compress(good), "media": zstd.compress(b"\x0a\xff")}
            ),
            "media list is damaged",
        ),
        (
            "many-notes.apkg",
            zip_members({"collection.anki21": anki_collection([("q", "a")] * 100_000)}),
            "holds 100,000 notes",
        ),
        (
            "media-traversal.apkg",
            zip_members(
                {
                    "collection.anki21": traversal,
                    "media": b'{"0": "../../evil.png", "1": "/etc/evil.png"}',
                    "0": b"\x89PNG evil",
                    "1": b"\x89PNG evil",
                }
            ),
            None,
        ),
        (
            "media-bomb.apkg",
            zip_members(
                {
                    "collection.anki21": anki_collection([('Big: <img src="big.png">', "big")]),
                    "media": b'{"0": "big.png"}',
                    "0": _zeros(20),
                }
            ),
            None,
        ),
        (
            "cloze-card-flood.apkg",
            zip_members({"collection.anki21": _cloze_flood(2_000)}),
            "notes make more than 20,000 cards",
        ),
        (
            "many-members.apkg",
            zip_members({"collection.anki21": good, **{str(i): b"" for i in range(50_001)}}),
            "more than 50,000 files",
        ),
        ("good-package.apkg", zip_members({"collection.anki21": good}), None),
    ]
    return [Case(name, data, expected, "anki") for name, data, expected in cases]

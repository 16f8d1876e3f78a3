"""Hostile input for the deck layer: any file gives a deck or located errors, never a crash.

The corpus (tests/reliability/corpus.py: hundreds of malformed deck files and broken exports)
is loaded next to two good decks, through load_decks, `python -m bot check-decks` and every
importer. Hypothesis then throws bytes, YAML-like text, wrongly shaped YAML and mutated decks
and exports at parse_deck and import_text. Set FLASHDROP_FUZZ_EXAMPLES=20000 for a long soak.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
import zstandard
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.core.models import (
    MAX_ANSWER_CHARS,
    MAX_CARD_ID_CHARS,
    MAX_DECK_NAME_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_HINT_CHARS,
    MAX_QUESTION_CHARS,
    MAX_TAG_CHARS,
    Deck,
)
from bot.decks import (
    DeckError,
    DeckLoadResult,
    Format,
    dump_deck,
    import_file,
    import_text,
    load_deck,
    load_decks,
    parse_deck,
)
from bot.decks.importers.anki import MAX_PACKAGE_BYTES, read_package
from tests.decks.anki_fixtures import build as build_anki_packages
from tests.decks.yamlparsers import composed, needs_libyaml, parsed
from tests.reliability.corpus import (
    BILLION_LAUGHS,
    GOOD_DECKS,
    Case,
    anki_package_cases,
    deck_cases,
    import_cases,
)

ROOT = Path(__file__).resolve().parents[2]
DECK_CASES = deck_cases()
IMPORT_CASES = import_cases()

# What a message must never show: a traceback, or Python's idea of an object.
JUNK = ("Traceback", "<yaml.", " object at 0x", "Mark(", "Error(", "\x1b[")
MAX_MESSAGE_CHARS = 400

# Lines as the deck parser counts them (and editors): CR LF, CR or LF ends one.
DECK_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The importers also turn NEL and the Unicode line and paragraph separators into line breaks.
IMPORT_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def displayed(path: str) -> str:
    """How a path shows in a problem line: anything unprintable written as an escape."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in path)


def line_count(source: str | bytes, breaks: re.Pattern[str] = DECK_LINE_BREAK) -> int:
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    return len(breaks.split(text))


def assert_located(error: DeckError, path: str, lines: int) -> None:
    """Every problem names `path`, a real line (or none), and says what is wrong on one line."""
    assert error.problems
    for problem in error.problems:
        assert problem.path == path
        assert problem.line is None or 1 <= problem.line <= lines + 1, problem
        message = problem.message
        assert message and message.isprintable(), repr(message)
        assert len(message) <= MAX_MESSAGE_CHARS, message[:200]
        assert not any(junk in message for junk in JUNK), message
    problem_line = re.compile(rf"{re.escape(displayed(path))}(:[1-9][0-9]*)?: \S.*")
    shown = str(error).splitlines()
    assert len(shown) == len(error.problems)
    for line in shown:
        assert problem_line.fullmatch(line), line


def case_id(case: Case) -> str:
    return ascii(case.name)[1:-1]


# --- The corpus, loaded as one deck folder ---------------------------------------------------


@dataclass(frozen=True)
class LoadedCorpus:
    folder: Path
    result: DeckLoadResult
    seconds: float

    def error_of(self, name: str) -> DeckError:
        path = str(self.folder / name)
        (error,) = [error for error in self.result.errors if error.path == path]
        return error


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "decks"
    folder.mkdir()
    for case in DECK_CASES:
        (folder / case.name).write_bytes(case.data)
    for name, text in GOOD_DECKS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def loaded(corpus_folder: Path) -> LoadedCorpus:
    start = time.perf_counter()
    result = load_decks(corpus_folder)
    return LoadedCorpus(corpus_folder, result, time.perf_counter() - start)


def test_corpus_has_at_least_200_distinct_malformed_decks() -> None:
    assert len({(case.name, case.data) for case in DECK_CASES}) == len(DECK_CASES) >= 200


def test_load_decks_keeps_the_good_decks_among_hostile_files(loaded: LoadedCorpus) -> None:
    assert sorted(loaded.result.decks) == ["good-one", "good-two"]
    for name, text in GOOD_DECKS.items():
        deck = loaded.result.decks[Path(name).stem]
        assert deck == parse_deck(text, loaded.folder / name)


def test_load_decks_gives_one_error_per_hostile_file(loaded: LoadedCorpus) -> None:
    errors = Counter(error.path for error in loaded.result.errors)
    assert errors == Counter(str(loaded.folder / case.name) for case in DECK_CASES)


def test_load_decks_reads_the_whole_corpus_in_bounded_time(loaded: LoadedCorpus) -> None:
    # A sanity bound against hangs, not a benchmark: the corpus takes about 2 s.
    assert loaded.seconds < 30


@pytest.mark.parametrize("case", DECK_CASES, ids=case_id)
def test_hostile_deck_error_is_located_and_says_what_is_wrong(
    loaded: LoadedCorpus, case: Case
) -> None:
    path = loaded.folder / case.name
    error = loaded.error_of(case.name)
    assert_located(error, str(path), line_count(case.data))
    assert case.expected is not None and case.expected in str(error)
    # Alone, the file fails the same way, and soon: the slowest (50,000 values) takes ~0.7 s.
    start = time.perf_counter()
    with pytest.raises(DeckError) as alone:
        load_deck(path)
    assert time.perf_counter() - start < 10
    assert str(alone.value) == str(error)


@needs_libyaml
@pytest.mark.parametrize("case", DECK_CASES, ids=case_id)
def test_hostile_deck_fails_the_same_with_and_without_libyaml(case: Case) -> None:
    with_libyaml = parsed(case.data, case.name, libyaml=True)
    assert isinstance(with_libyaml, str)
    assert with_libyaml == parsed(case.data, case.name, libyaml=False)


@needs_libyaml
@pytest.mark.parametrize("name", sorted(GOOD_DECKS))
def test_good_deck_among_hostile_ones_is_the_same_with_and_without_libyaml(name: str) -> None:
    text = GOOD_DECKS[name]
    assert composed(text, libyaml=True) == composed(text, libyaml=False)
    assert parsed(text, name, libyaml=True) == parsed(text, name, libyaml=False)


def test_check_decks_cli_names_every_hostile_file_and_no_good_one(
    corpus_folder: Path, tmp_path: Path
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DISCORD_")}
    # Strict UTF-8 output, as on a desktop with a UTF-8 locale: a file name that is not
    # UTF-8 must still print.
    env |= {"PYTHONIOENCODING": "utf-8:strict", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check-decks", str(corpus_folder)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    stdout, stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1, stderr[-2000:]
    assert "Traceback" not in stderr
    bad = {displayed(str(corpus_folder / case.name)) for case in DECK_CASES}
    named: set[str] = set()
    for line in stdout.splitlines():
        path = next((path for path in bad if line.startswith(f"{path}:")), None)
        assert path is not None, f"not a hostile file's problem: {line!r}"
        assert re.fullmatch(rf"{re.escape(path)}(:[1-9][0-9]*)?: \S.*", line), line
        named.add(path)
    assert named == bad
    assert stderr.splitlines()[-1].startswith(f"{len(DECK_CASES)} invalid deck file(s)")


# --- The broken exports, through every importer ----------------------------------------------


@pytest.fixture(scope="module")
def import_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    for case in IMPORT_CASES:
        (folder / case.name).write_bytes(case.data)
    return folder


def assert_round_trips(deck: Deck) -> None:
    """An imported deck is a valid deck file's worth: dumped and parsed back, it is the same."""
    assert parse_deck(dump_deck(deck), f"{deck.id}.yaml") == deck


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("case", IMPORT_CASES, ids=case_id)
def test_import_file_gives_deck_or_located_error(
    import_folder: Path, case: Case, fmt: Format
) -> None:
    path = import_folder / case.name
    try:
        deck = import_file(path, fmt)
    except DeckError as error:
        assert_located(error, str(path), line_count(case.data, IMPORT_LINE_BREAK))
        if fmt is Format.AUTO:
            assert case.expected is not None, str(error)
            assert case.expected in str(error)
        return
    if fmt is Format.AUTO:
        assert case.expected is None, f"imported, expected {case.expected!r}"
    assert_round_trips(deck)


# --- Hypothesis ------------------------------------------------------------------------------


def fuzz(examples: int) -> settings:
    """Deterministic settings for CI; FLASHDROP_FUZZ_EXAMPLES raises the count for a soak."""
    soak = int(os.environ.get("FLASHDROP_FUZZ_EXAMPLES", "0"))
    return settings(
        max_examples=soak or examples,
        deadline=None,
        derandomize=not soak,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def check_parse(source: str | bytes, path: str = "fuzz.yaml") -> Deck | None:
    """parse_deck's outcome, asserting a failure is a located DeckError."""
    try:
        deck = parse_deck(source, path)
    except DeckError as error:
        assert_located(error, path, line_count(source))
        return None
    assert parse_deck(dump_deck(deck), path) == deck
    return deck


def check_import(text: str, fmt: Format, path: str = "fuzz.txt") -> Deck | None:
    try:
        deck = import_text(text, fmt, path=path)
    except DeckError as error:
        assert_located(error, path, line_count(text, IMPORT_LINE_BREAK))
        return None
    assert_round_trips(deck)
    return deck


VALID_DECK = GOOD_DECKS["good-one.yaml"]

# (a) bytes: noise, noise behind the byte order marks of other encodings, a deck with noise in it.
_MARKS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x1f\x8b"]


@st.composite
def _spliced(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.binary(min_size=1, max_size=4))
    return bytes(data)


hostile_bytes = st.one_of(
    st.binary(max_size=4000),
    st.builds(bytes.__add__, st.sampled_from(_MARKS), st.binary(max_size=400)),
    _spliced(VALID_DECK.encode()),
    _spliced(VALID_DECK.encode("utf-16")),
)


@fuzz(300)
@given(hostile_bytes)
def test_parse_deck_gives_deck_or_located_error_for_any_bytes(data: bytes) -> None:
    check_parse(data)


# (b) text: YAML's own syntax in any order, with every kind of line break and odd character.
YAML_TOKENS = [
    *("name:", "description:", "tags:", "cards:", "id:", "question:", "answer:", "hint:"),
    *("image:", "- ", "? ", ": ", "\n", "\n  ", "\n    ", "\n- ", "\t", " ", "  ", "#"),
    *("[", "]", "{", "}", ",", "'", '"', "\\", "|", "|-", ">", "|2", "---", "...", "%YAML 1.1"),
    *("%TAG !e! tag:e,2000:", "!e!x", "!", "!!", "!!str", "!!int", "!!binary", "!custom"),
    *("!!python/object:os.system", "!<%0A>", "!<tag:x>", "&a", "*a", "&", "*", "<<:", "@"),
    *("yes", "no", "~", "null", "1", "-1.5e3", ".nan", "0x1F", "2024-01-31", "1_000"),
    *("x", "Q?", "https://example.com/a.png", "javascript:alert(1)", "a" * 70, "1" * 70),
    *("\r", "\r\n", "\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\x1b", "\ud800", "é", "🃏"),
]
yaml_like_text = st.lists(
    st.one_of(
        st.sampled_from(YAML_TOKENS),
        st.text(st.characters() | st.characters(categories=["Cs"]), max_size=3),
    ),
    max_size=80,
).map("".join)


@fuzz(1000)
@given(yaml_like_text)
def test_parse_deck_gives_deck_or_located_error_for_yaml_like_text(text: str) -> None:
    check_parse(text)


@fuzz(300)
@given(st.text(max_size=1000), st.sampled_from(["fuzz.yaml", "Bad Name.yaml", "a\nb.yml", ""]))
def test_parse_deck_gives_deck_or_located_error_for_any_text_and_path(text: str, path: str) -> None:
    check_parse(text, path)


# (c) YAML that is well formed but shaped like a deck only sometimes: the right keys or not,
# the right types or not. The parser must accept exactly what the deck rules accept.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=8),
)
_any_value = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.integers(), st.none()), inner, max_size=4
        ),
        st.frozensets(st.text(max_size=5), max_size=3).map(set),
    ),
    max_leaves=20,
)
_some_text = st.one_of(
    st.sampled_from(["What?", "Paris", "  padded  ", "", "   ", "two\nlines", "x" * 2000]),
    st.text(max_size=60),
)
_card_id = st.one_of(st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True), st.text(max_size=70))
_url = st.one_of(
    st.sampled_from(["https://example.com/a.png", "http://x.org/b.gif", "ftp://x/y", "/a.png"]),
    st.builds("https://example.com/{}".format, st.text(max_size=40)),
)
_tags = st.lists(st.text(max_size=55), max_size=3)


def _field(right: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # Mostly the right kind of value, so that valid decks come up, but anything at all too.
    return st.one_of(right, right, right, _any_value)


_card = st.fixed_dictionaries(
    {},
    optional={
        "id": _field(_card_id),
        "question": _field(_some_text),
        "answer": _field(_some_text),
        "hint": _field(_some_text),
        "tags": _field(_tags),
        "image": _field(_url),
        "extra": _any_value,
    },
)
_deck_data = st.fixed_dictionaries(
    {},
    optional={
        "name": _field(_some_text),
        "description": _field(_some_text),
        "tags": _field(_tags),
        "cards": _field(st.lists(st.one_of(_card, _card, _card, _any_value), max_size=4)),
        "nmae": _any_value,
    },
)
_line = st.text(min_size=1, max_size=40).filter(lambda text: text.strip() and "\n" not in text)
_good_card = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True),
        "question": st.text(min_size=1, max_size=200).filter(str.strip),
        "answer": st.text(min_size=1, max_size=200).filter(str.strip),
    },
    optional={
        "hint": _line,
        "tags": st.lists(st.text(min_size=1, max_size=20).filter(str.strip), max_size=2),
        "image": st.builds("https://example.com/{}.png".format, st.from_regex(r"\w{0,20}")),
    },
)
_good_deck_fields: dict[str, st.SearchStrategy[Any]] = {
    "name": _line,
    "cards": st.lists(_good_card, min_size=1, max_size=3, unique_by=lambda card: card["id"]),
}
_good_deck = st.fixed_dictionaries(
    _good_deck_fields,
    optional={"description": _line, "tags": st.lists(_line.map(str.strip), max_size=2)},
)


@st.composite
def _damaged(draw: st.DrawFn, good: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A valid deck with one key removed, or one value replaced by anything at all."""
    data = draw(good)
    target = draw(st.sampled_from([data, *data["cards"]]))
    key = draw(st.sampled_from([*sorted(target), "extra"]))
    if draw(st.booleans()):
        target.pop(key, None)
    else:
        target[key] = draw(st.one_of(_any_value, _some_text))
    return data


_dump_options = st.fixed_dictionaries(
    {
        "default_flow_style": st.sampled_from([False, True, None]),
        "allow_unicode": st.booleans(),
        "width": st.sampled_from([20, 80, 10_000]),
        "indent": st.sampled_from([2, 4, 9]),
        "explicit_start": st.booleans(),
        "canonical": st.booleans(),
    }
)


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _is_text(value: object, limit: int, *, single_line: bool = False) -> bool:
    return (
        isinstance(value, str)
        and bool(value.strip())
        and len(value) <= limit
        and not (single_line and "\n" in value)
    )


def _optional_text(data: dict[str, Any], key: str, limit: int) -> bool:
    return data.get(key) is None or _is_text(data[key], limit)


def _valid_tags(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, list) and all(
        _is_text(tag, MAX_TAG_CHARS, single_line=True) for tag in value
    )


def _valid_image(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or len(value) > 2048 or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _valid_card(card: object, seen: set[str]) -> bool:
    if not isinstance(card, dict) or not all(isinstance(key, str) for key in card):
        return False
    card_id = card.get("id")
    if not isinstance(card_id, str) or not re.fullmatch(r"[A-Za-z0-9._-]+", card_id):
        return False
    if len(card_id) > MAX_CARD_ID_CHARS or card_id in seen:
        return False
    seen.add(card_id)
    return (
        set(card) <= {"id", "question", "answer", "hint", "tags", "image"}
        and _is_text(card.get("question"), MAX_QUESTION_CHARS)
        and _is_text(card.get("answer"), MAX_ANSWER_CHARS)
        and _optional_text(card, "hint", MAX_HINT_CHARS)
        and _valid_tags(card.get("tags"))
        and _valid_image(card.get("image"))
    )


def is_valid_deck(data: object) -> bool:
    """The deck file rules, written from the README's description, independently of the parser."""
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        return False
    if not set(data) <= {"name", "description", "tags", "cards"}:
        return False
    cards = data.get("cards")
    seen: set[str] = set()
    card_results = [_valid_card(card, seen) for card in cards] if isinstance(cards, list) else []
    return (
        _is_text(data.get("name"), MAX_DECK_NAME_CHARS, single_line=True)
        and _optional_text(data, "description", MAX_DESCRIPTION_CHARS)
        and _valid_tags(data.get("tags"))
        and isinstance(cards, list)
        and bool(cards)
        and all(card_results)
    )


@fuzz(400)
@given(st.one_of(_good_deck, _damaged(_good_deck), _deck_data, _any_value), _dump_options)
def test_parse_deck_accepts_exactly_the_valid_yaml_structures(
    data: object, options: dict[str, Any]
) -> None:
    text = yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, **options)
    try:
        loaded = yaml.safe_load(text)  # what any YAML reader makes of the text
    except yaml.YAMLError:
        loaded = None  # PyYAML cannot read back what it wrote: no deck either
    deck = check_parse(text)
    event("a valid deck" if deck is not None else "an invalid deck")
    assert (deck is not None) == is_valid_deck(loaded), text
    if deck is not None:
        assert isinstance(loaded, dict)
        assert (deck.name, deck.description) == (loaded["name"], loaded.get("description"))
        assert [(c.id, c.question, c.answer, c.hint) for c in deck.cards] == [
            (c["id"], c["question"], c["answer"], c.get("hint")) for c in loaded["cards"]
        ]


def test_is_valid_deck_agrees_with_a_known_good_deck() -> None:
    # The oracle above is only worth something if it accepts real decks.
    assert is_valid_deck(yaml.safe_load(VALID_DECK))
    assert not is_valid_deck({**yaml.safe_load(VALID_DECK), "name": date(2024, 1, 1)})


# (d) a valid deck file, edited badly: lines deleted, repeated, swapped, re-indented, cut, or
# with stray characters typed into them.
_TYPO_CHARS = st.text(
    st.sampled_from(list(" \t:-#'\"[]{}|>&*!?%@`,\\\r\n\x85\u2028é0")) | st.characters(), max_size=4
)


@st.composite
def badly_edited(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "repeat", "swap", "typo", "indent", "cut", "join"]))
        if edit == "delete":
            del lines[i]
        elif edit == "repeat":
            lines.insert(j, lines[i])
        elif edit == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif edit == "typo":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(_TYPO_CHARS) + lines[i][at:]
        elif edit == "indent":
            width = draw(st.integers(-4, 4))
            lines[i] = " " * width + lines[i] if width >= 0 else lines[i][-width:]
        elif edit == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            lines[i] = lines[i].rstrip("\n")
    return "".join(lines)


@fuzz(1000)
@given(st.one_of(badly_edited(VALID_DECK), badly_edited(dump_deck(parse_deck(VALID_DECK, "v")))))
def test_parse_deck_gives_deck_or_located_error_for_badly_edited_decks(text: str) -> None:
    check_parse(text)


# (e) libyaml and PyYAML's pure-Python parser, on all of the above: the same nodes or errors.
_dumped_yaml = st.builds(
    lambda data, options: yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, **options),
    st.one_of(_good_deck, _damaged(_good_deck), _deck_data, _any_value),
    _dump_options,
)


@needs_libyaml
@fuzz(1000)
@given(
    st.one_of(
        yaml_like_text,
        badly_edited(VALID_DECK),
        _dumped_yaml,
        hostile_bytes.map(lambda data: data.decode("utf-8", "replace")),
    )
)
def test_compose_gives_the_same_nodes_and_errors_with_and_without_libyaml(text: str) -> None:
    # Tags, values and the line of every node, or the same message on the same line.
    assert composed(text, libyaml=True) == composed(text, libyaml=False)


# The importers: export syntax and HTML in any order, and valid exports edited badly.
EXPORT_TOKENS = [
    *("1", "2", "3", "12", "Q", "A", "", " ", "Bio Flashcards", "How well did you know this?"),
    *("Not at all", "Perfectly", "\n", "\n\n", "\t", ",", ";", '"', '""', "|", "\r\n", "\r"),
    *("#separator:tab", "#separator:comma", "#separator:Pipe", "#separator:", "#html:true"),
    *("#html:false", "#tags column:3", "#tags column:0", "#deck:Bio", "#columns:Front\tBack"),
    *("#notetype column:1", "#guid column:2", "question,answer", "front\tback", "term;definition"),
    *("<b>", "</b>", "<br>", "<br/>", "<div>", "</div>", "<li>", "<script>", "</script>", "<i>"),
    *("<![", "<![if x]>", "<![endif]>", "<![CDATA[", "]]>", "<!--", "-->", "<!DOCTYPE x>", "<?x?>"),
    *("<!", "</", "<", ">", "&", "&#", "&#x", "&nbsp;", "&#0;", "&#xD800;", "&#x110000;", "&#13;"),
    *("{{c1::", "::hint", "}}", "[sound:a.mp3]", "[sound:", "x", "é", "\x00", "\x85", "\u2028"),
]
export_like_text = st.lists(
    st.one_of(st.sampled_from(EXPORT_TOKENS), st.text(max_size=3)), max_size=80
).map("".join)


def _brainscape(cards: int) -> str:
    body = "".join(f"{n}\nQ\nQuestion {n}?\nA\nAnswer {n}.\n\n" for n in range(1, cards + 1))
    return f"Bio Flashcards\n\n{body}"


VALID_EXPORTS = [
    _brainscape(4),
    'question,answer,tags\ncell,"the unit\nof life",bio\n"atom, small",matter,chem\n',
    "#separator:tab\n#html:true\n#tags column:3\ncell\t<b>unit</b> of life<br>x\tbio\n",
    "front\tback\nQ1\tA1\nQ2\t{{c1::Paris::city}}\n",
    "q1;a1\nq2;a2\n",
]


@fuzz(1000)
@given(export_like_text, st.sampled_from(list(Format)))
def test_import_text_gives_deck_or_located_error_for_export_like_text(
    text: str, fmt: Format
) -> None:
    check_import(text, fmt)


@fuzz(500)
@given(st.one_of(*(badly_edited(text) for text in VALID_EXPORTS)), st.sampled_from(list(Format)))
def test_import_text_gives_deck_or_located_error_for_badly_edited_exports(
    text: str, fmt: Format
) -> None:
    check_import(text, fmt)


# --- Memory and time of the YAML bombs -------------------------------------------------------


def _peak_mib(source: str | bytes) -> float:
    tracemalloc.start()
    try:
        with pytest.raises(DeckError):
            parse_deck(source, "bomb.yaml")
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "name", ["alias-01.yaml", "alias-02.yaml", "alias-03.yaml", "alias-11.yaml", "nesting-02.yaml"]
)
def test_yaml_bombs_are_refused_in_little_memory_and_time(name: str) -> None:
    (case,) = [case for case in DECK_CASES if case.name == name]
    start = time.perf_counter()
    peak = _peak_mib(case.data)
    assert peak < 50, f"{name}: {peak:.1f} MiB"
    assert time.perf_counter() - start < 10  # sanity bound only: milliseconds in practice


def test_billion_laughs_is_refused_at_its_first_anchor_in_little_memory() -> None:
    # Expanded, the nine levels would be 10^9 strings; refused, it costs a few KiB.
    assert _peak_mib(BILLION_LAUGHS) < 5


# --- Anki packages ---------------------------------------------------------------------------

ANKI_CASES = anki_package_cases()


@pytest.fixture(scope="module")
def anki_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("anki-corpus")
    for case in ANKI_CASES:
        (folder / case.name).write_bytes(case.data)
    return folder


@pytest.mark.parametrize("case", ANKI_CASES, ids=case_id)
def test_hostile_package_is_one_line_error_or_a_deck(anki_folder: Path, case: Case) -> None:
    path = anki_folder / case.name
    try:
        result = read_package(path, deck_id="hostile")
    except DeckError as error:
        assert case.expected is not None, str(error)
        [problem] = error.problems
        assert problem.path == str(path) and problem.line is None
        assert case.expected in problem.message
        assert "\n" not in str(problem) and len(str(problem)) < MAX_MESSAGE_CHARS + len(str(path))
        assert not any(junk in str(problem) for junk in JUNK)
        return
    assert case.expected is None, f"imported, expected {case.expected!r}"
    assert_round_trips(result.deck)
    for name in result.media:
        assert "/" not in name and not name.startswith(".")


def test_hostile_package_media_stay_in_the_media_folder(anki_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "decks" / "evil.yaml"
    package = anki_folder / "media-traversal.apkg"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "import", str(package), "--out", str(out)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert len(written) == 2 and written[0].startswith("decks/evil.media/evil-")
    assert written[1] == "decks/evil.yaml"


def test_hostile_package_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.apkg"
    with path.open("wb") as file:
        file.truncate(MAX_PACKAGE_BYTES + 1)
    with pytest.raises(DeckError, match="larger than 25 MiB"):
        read_package(path)


def test_hostile_package_media_over_the_limit_are_left_out(anki_folder: Path) -> None:
    result = read_package(anki_folder / "media-bomb.apkg", deck_id="bomb")
    assert result.media == {} and result.deck.cards[0].image is None
    assert any("larger than 10 MiB" in warning for warning in result.warnings)


@pytest.fixture(scope="module")
def real_packages(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    packages = build_anki_packages(tmp_path_factory.mktemp("anki-real"))
    return [path.read_bytes() for path in (packages.current, packages.legacy, packages.genanki)]


def _damaged_member(package: bytes, draw: st.DrawFn) -> bytes:
    """The package with one member's content (unpacked, if zstd) damaged, zipped again."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    victim = draw(st.sampled_from(sorted(contents)))
    data = contents[victim]
    packed = data.startswith(b"\x28\xb5\x2f\xfd")
    raw = bytearray(zstandard.ZstdDecompressor().stream_reader(data).read() if packed else data)
    for _ in range(draw(st.integers(1, 20))):
        if raw:
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    contents[victim] = zstandard.ZstdCompressor().compress(bytes(raw)) if packed else bytes(raw)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@fuzz(150)
@given(st.data())
def test_damaged_real_package_gives_deck_or_one_line_error(
    real_packages: list[bytes], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    package = data.draw(st.sampled_from(real_packages))
    if data.draw(st.booleans()):
        damaged = _damaged_member(package, data.draw)
    else:
        flipped = bytearray(package)
        for _ in range(data.draw(st.integers(1, 10))):
            flipped[data.draw(st.integers(0, len(flipped) - 1))] = data.draw(st.integers(0, 255))
        damaged = bytes(flipped)
    path = tmp_path_factory.mktemp("damaged") / "damaged.apkg"
    path.write_bytes(damaged)
    try:
        result = read_package(path, deck_id="damaged")
    except DeckError as error:
        [problem] = error.problems
        assert "\n" not in str(problem) and not any(junk in str(problem) for junk in JUNK)
        return
    assert_round_trips(result.deck)

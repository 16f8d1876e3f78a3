"""Card types: the cards a note makes, their derived ids, and cloze parsing and rendering."""

from __future__ import annotations

import pytest

from bot.core.card_types import (
    ClozeError,
    Deletion,
    card_ids,
    cloze_answer,
    cloze_cards,
    cloze_question,
    expand,
    parse_cloze,
    revealed,
    reversed_cards,
)
from bot.core.models import Card, CardKind, Note

CAPITAL = "{{c1::Copenhagen}} is the capital of {{c2::Denmark::a country}}, {{c1::still}}."


def test_expand_basic_note_is_one_plain_card_without_note() -> None:
    note = Note("dk", CardKind.BASIC, "Capital?", "Copenhagen", hint="C…", tags=("geo",))
    assert expand(note) == (Card("dk", "Capital?", "Copenhagen", "C…", ("geo",)),)
    [card] = expand(note)
    assert (card.note_id, card.kind, card.note) == ("dk", CardKind.BASIC, None)


def test_reversed_cards_go_both_ways_with_the_hint_on_the_front_only() -> None:
    note = Note("dk", CardKind.REVERSED, "Capital of Denmark?", "Copenhagen", hint="C…")
    forward, reverse = reversed_cards(note)
    assert (forward.id, forward.question, forward.answer, forward.hint) == (
        "dk",
        "Capital of Denmark?",
        "Copenhagen",
        "C…",
    )
    assert (reverse.id, reverse.question, reverse.answer, reverse.hint) == (
        "dk-reverse",
        "Copenhagen",
        "Capital of Denmark?",
        None,
    )
    assert {card.note_id for card in (forward, reverse)} == {"dk"}
    assert {card.kind for card in (forward, reverse)} == {CardKind.REVERSED}


def test_reversed_cards_share_tags_and_image() -> None:
    note = Note("dk", CardKind.REVERSED, "Q", "A", tags=("t",), image="https://e.org/a.png")
    assert all((card.tags, card.image) == (("t",), "https://e.org/a.png") for card in expand(note))


def test_expand_needs_an_answer_unless_cloze() -> None:
    with pytest.raises(ValueError, match="needs an answer"):
        expand(Note("dk", CardKind.REVERSED, "Q"))
    with pytest.raises(ValueError, match="needs an answer"):
        expand(Note("dk", CardKind.BASIC, "Q"))


def test_parse_cloze_splits_text_and_deletions() -> None:
    assert parse_cloze(CAPITAL) == (
        Deletion(1, ("Copenhagen",)),
        " is the capital of ",
        Deletion(2, ("Denmark",), "a country"),
        ", ",
        Deletion(1, ("still",)),
        ".",
    )


def test_cloze_cards_one_per_number_with_derived_ids() -> None:
    cards = cloze_cards(Note("cap", CardKind.CLOZE, CAPITAL, "Since 1443."))
    assert [card.id for card in cards] == ["cap-c1", "cap-c2"]
    assert [card.question for card in cards] == [
        "[…] is the capital of Denmark, […].",
        "Copenhagen is the capital of [a country], still.",
    ]
    assert [card.answer for card in cards] == [
        "**Copenhagen** is the capital of Denmark, **still**.\n\nSince 1443.",
        "Copenhagen is the capital of **Denmark**, still.\n\nSince 1443.",
    ]
    assert {(card.note_id, card.kind) for card in cards} == {("cap", CardKind.CLOZE)}


def test_cloze_cards_follow_the_numbers_used_in_order_not_in_the_text() -> None:
    note = Note("n", CardKind.CLOZE, "{{c3::c}} {{c1::a}} {{c3::again}}")
    assert card_ids(note) == ("n-c1", "n-c3")
    assert [card.id for card in expand(note)] == ["n-c1", "n-c3"]


def test_cloze_ids_survive_an_edit_of_the_text() -> None:
    before = Note("n", CardKind.CLOZE, "{{c1::Paris}} is in {{c2::France}}.")
    after = Note("n", CardKind.CLOZE, "The city of {{c1::Paris}} lies in {{c2::France}}!")
    assert card_ids(before) == card_ids(after) == ("n-c1", "n-c2")


def test_cloze_answer_without_extra_is_the_text_alone() -> None:
    segments = parse_cloze("Water boils at {{c1::100 °C}}.")
    assert cloze_answer(segments, 1, None) == "Water boils at **100 °C**."
    assert cloze_answer(segments, 1, "  ") == "Water boils at **100 °C**."


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        pytest.param("a {{c1:: spaced }} b", "a  **spaced**  b", id="spaces kept outside"),
        pytest.param("{{c1::**bold**}} x", "**bold** x", id="already bold"),
        pytest.param("{{c1::```\ncode\n```}}", "```\ncode\n```", id="code block"),
        pytest.param("{{c1::`len`}} counts", "**`len`** counts", id="inline code"),
        pytest.param("`{{c1::len}}(xs)` counts", "`len(xs)` counts", id="in inline code"),
        pytest.param("```py\n{{c1::len}}(xs)\n```", "```py\nlen(xs)\n```", id="in code block"),
        pytest.param("`a` then {{c1::b}}", "`a` then **b**", id="after inline code"),
        pytest.param("```\na\n``` then {{c1::b}}", "```\na\n``` then **b**", id="after block"),
    ],
)
def test_cloze_answer_bold_keeps_discord_markdown_whole(text: str, answer: str) -> None:
    assert cloze_answer(parse_cloze(text), 1, None) == answer


def test_cloze_question_with_a_hint_shows_it_in_brackets() -> None:
    assert cloze_question(parse_cloze("{{c1::x::the letter}}!"), 1) == "[the letter]!"
    assert cloze_question(parse_cloze("{{c1::x::}}!"), 1) == "[…]!"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("no deletion here", "has no deletion", id="none"),
        pytest.param("{{c1::open", "is not closed", id="unclosed"),
        pytest.param("{{c0::zero}}", "cloze numbers go from c1 to c999", id="c0"),
        pytest.param("{{c1000::big}}", "cloze numbers go from c1 to c999", id="too big"),
        pytest.param("{{c1:one colon}}", "is not a cloze deletion", id="one colon"),
        pytest.param("{{c1::}}", "hides nothing", id="empty"),
        pytest.param("{{c1:: ::hint}}", "hides nothing", id="blank"),
        pytest.param("{{c1::a {{c2::b}} c", "'{{c1::a {{c2::b}} c' is not closed", id="outer open"),
        pytest.param("{{c1::a {{c2::b c}}", "'{{c1::a {{c2::b c}}' is not closed", id="one shut"),
        pytest.param("{{c1::a {{c2:b}} c}}", "'{{c2:b}} c}}' is not a cloze", id="inner colon"),
        pytest.param("{{c1::{{c2:: }}}}", "'{{c2:: }}}}' hides nothing", id="inner empty"),
        pytest.param("{{c1::" * 9 + "x" + "}}" * 9, "nest at most 8 deep", id="too deep"),
    ],
)
def test_parse_cloze_refuses_malformed_text(text: str, message: str) -> None:
    with pytest.raises(ClozeError, match=message):
        parse_cloze(text)


def test_parse_cloze_leaves_other_braces_alone() -> None:
    segments = parse_cloze("In Jinja {{ name }} prints a {{c1::variable}}; {{config}} too.")
    assert cloze_question(segments, 1) == "In Jinja {{ name }} prints a […]; {{config}} too."


def test_parse_cloze_reads_nested_deletions_as_a_tree() -> None:
    assert parse_cloze("{{c1::a {{c2::b::hint}} c::outer}}!") == (
        Deletion(1, ("a ", Deletion(2, ("b",), "hint"), " c"), "outer"),
        "!",
    )


@pytest.mark.parametrize(
    ("number", "question", "answer"),
    [
        pytest.param(1, "[…] and d", "**a b c** and d", id="outer hides all"),
        pytest.param(2, "a […] c and d", "a **b** c and d", id="inner shows outer"),
        pytest.param(3, "a b c and […]", "a b c and **d**", id="beside"),
    ],
)
def test_cloze_cards_of_nested_deletions_follow_anki(
    number: int, question: str, answer: str
) -> None:
    segments = parse_cloze("{{c1::a {{c2::b}} c}} and {{c3::d}}")
    assert cloze_question(segments, number) == question
    assert cloze_answer(segments, number, None) == answer


def test_cloze_cards_of_nested_deletions_have_one_card_per_number() -> None:
    note = Note("n", CardKind.CLOZE, "{{c1::x {{c2::y {{c3::z}}}}}}")
    assert card_ids(note) == ("n-c1", "n-c2", "n-c3")
    assert [card.question for card in expand(note)] == ["[…]", "x […]", "x y […]"]


def test_cloze_nested_same_number_is_hidden_with_its_outer_deletion() -> None:
    segments = parse_cloze("{{c1::a {{c2::b {{c1::c}}}}}}")
    assert cloze_question(segments, 1) == "[…]"
    assert cloze_question(segments, 2) == "a […]"
    assert cloze_answer(segments, 2, None) == "a **b c**"


def test_parse_cloze_of_a_hostile_text_is_linear() -> None:
    # Thousands of openings at the depth limit and as many stray closings: one pass each.
    deep = "".join(f"{{{{c{n}::" for n in range(1, 9)) + "x" + "}}" * 8
    segments = parse_cloze((deep + " ") * 2_000 + "}}" * 10_000)
    assert len([s for s in segments if isinstance(s, Deletion)]) == 2_000
    assert cloze_question(segments, 8).count("[…]") == 2_000
    assert cloze_answer(segments, 8, None).count("**x**") == 2_000


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("{{c1::Paris::city}} is in {{c2::France}}", "Paris is in France"),
        ("{{c1::a {{c2::b::hint}} c}}!", "a b c!"),
        ("{{c1::open", "{{c1::open"),
        ("no deletion", "no deletion"),
    ],
)
def test_revealed_shows_every_deletion_or_leaves_a_broken_text(text: str, plain: str) -> None:
    assert revealed(text) == plain

"""The Anki package reader, on packages Anki and genanki made (tests/decks/anki_fixtures.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.models import Card, CardKind, Deck
from bot.decks import Format, dump_deck, import_file, load_deck, parse_deck
from bot.decks.anki_ids import note_id
from bot.decks.importers import is_package
from bot.decks.importers.anki import (
    AnkiImport,
    _text,
    media_file_name,
    read_package,
    reimport_package,
    split_subdecks,
)
from bot.decks.importers.anki.cards import note_entries, template_fields
from bot.decks.importers.anki.collection import Kind, NoteType, Template
from tests.decks.anki_fixtures import IMAGE, Packages, members


def by_question(deck_cards: object) -> dict[str, object]:
    return {card.question: card for card in deck_cards}  # type: ignore[attr-defined]


def test_fixtures_are_the_formats_they_claim(anki_packages: Packages) -> None:
    assert "collection.anki21b" in members(anki_packages.current)
    assert "meta" in members(anki_packages.current)
    legacy = members(anki_packages.legacy)
    assert "collection.anki21" in legacy and "collection.anki21b" not in legacy
    assert "collection.anki21b" in members(anki_packages.colpkg)
    assert members(anki_packages.genanki) == {"collection.anki2", "media"}


@pytest.mark.parametrize(
    ("which", "same_as", "count"),
    [("current", "current", 15), ("legacy", "current", 15), ("colpkg", "updated", 13)],
)
def test_read_package_reads_every_format_alike(
    anki_packages: Packages, which: str, same_as: str, count: int
) -> None:
    result = read_package(getattr(anki_packages, which), deck_id="biology")
    reference = read_package(getattr(anki_packages, same_as), deck_id="biology")
    assert result.deck.cards == reference.deck.cards
    assert result.deck.name == "Biology"
    assert len(result.deck.cards) == count


def test_read_package_reads_genanki_legacy_anki2(anki_packages: Packages) -> None:
    deck = read_package(anki_packages.genanki).deck
    assert deck.id == "genanki" and deck.name == "Capitals"
    assert [(c.id, c.question, c.answer) for c in deck.cards] == [
        (note_id("guid-france", "genanki"), "Capital of **France**?", "Paris"),
        (note_id("guid-italy", "genanki"), "Capital of Italy?", "Rome"),
    ]


def test_read_package_converts_html_to_markdown(anki_packages: Packages) -> None:
    cards = read_package(anki_packages.current).deck.cards
    basic = cards[0]
    assert basic.question == "What is the **powerhouse** of the cell?"
    assert basic.answer == (
        "The *mitochondrion*\n- makes ATP\n- has DNA\n"
        "See [Wikipedia](https://en.wikipedia.org/wiki/Mitochondrion)"
    )


def test_read_package_expands_note_types(anki_packages: Packages) -> None:
    pairs = [(c.question, c.answer) for c in read_package(anki_packages.current).deck.cards]
    assert ("Zelle", "cell") in pairs and ("cell", "Zelle") in pairs  # reversed
    assert ("Kern", "nucleus") in pairs and ("nucleus", "Kern") in pairs  # optional, filled
    assert ("Wand", "wall") in pairs and ("wall", "Wand") not in pairs  # optional, empty
    assert ("[…] make proteins", "**Ribosomes** make proteins\n\nFound in every cell") in pairs
    assert ("Ribosomes make [what?]", "Ribosomes make **proteins**\n\nFound in every cell") in pairs
    assert ("Osmosis", "water through a membrane") in pairs  # custom: its templates' fields


def test_read_package_tags_sub_decks(anki_packages: Packages) -> None:
    cards = by_question(read_package(anki_packages.current).deck.cards)
    assert cards["Zelle"].tags == ("Biology",)  # type: ignore[attr-defined]
    assert cards["[…] make proteins"].tags == ("Biology::Cells",)  # type: ignore[attr-defined]


def test_read_package_drops_sounds_with_a_warning(anki_packages: Packages) -> None:
    result = read_package(anki_packages.current)
    assert "Say *cytoplasm*" in by_question(result.deck.cards)
    assert any("[sound:" in warning for warning in result.warnings)


def test_read_package_keeps_only_the_images_cards_show(anki_packages: Packages) -> None:
    result = read_package(anki_packages.current, deck_id="bio")
    [card] = [card for card in result.deck.cards if card.image]
    assert card.question == "Name this:"
    file_name = media_file_name("cell diagram.png")
    assert card.image == f"bio.media/{file_name}"
    assert result.media == {file_name: IMAGE}


def test_read_package_gives_ids_from_guid_and_ordinal(anki_packages: Packages) -> None:
    first = read_package(anki_packages.current).deck
    again = read_package(anki_packages.legacy).deck
    assert [c.id for c in first.cards] == [c.id for c in again.cards]
    assert len({c.id for c in first.cards}) == len(first.cards)
    assert parse_deck(dump_deck(first), "biology.yaml").cards == first.cards


def test_read_package_round_trips_typed_entries(anki_packages: Packages) -> None:
    deck = read_package(anki_packages.current, deck_id="biology").deck
    text = dump_deck(deck)
    assert text.count("type: reversed") == 2 and text.count("type: cloze") == 2
    again = parse_deck(text, "biology.yaml")
    assert again.cards == deck.cards
    assert [c.id for c in again.cards] == [c.id for c in deck.cards]


def test_read_package_twice_gives_the_same_ids(anki_packages: Packages) -> None:
    first = read_package(anki_packages.current, deck_id="biology").deck
    deck, matching = reimport_package(first, read_package(anki_packages.current).deck)
    assert [c.id for c in deck.cards] == [c.id for c in first.cards]
    assert matching.added == () and matching.retired == ()


def test_reimport_package_retires_the_reverse_of_a_note_now_basic(
    anki_packages: Packages,
) -> None:
    old = read_package(anki_packages.current, deck_id="biology").deck
    new = read_package(anki_packages.updated, deck_id="biology").deck
    forward = by_question(old.cards)["Kern"]
    deck, matching = reimport_package(old, new)
    kept = {k.old.id: k.card for k in matching.kept}
    assert kept[forward.id].id == forward.id  # type: ignore[attr-defined]
    assert kept[forward.id].kind is CardKind.BASIC  # type: ignore[attr-defined]
    assert forward.id + "-reverse" in {c.id for c in matching.retired}  # type: ignore[attr-defined]
    assert forward.id + "-reverse" not in {c.id for c in deck.cards}  # type: ignore[attr-defined]


def test_reimport_package_keeps_ids_of_edited_notes(anki_packages: Packages) -> None:
    old = read_package(anki_packages.current, deck_id="biology").deck
    new = read_package(anki_packages.updated, deck_id="biology").deck
    deck, matching = reimport_package(old, new)
    old_ids = {c.question: c.id for c in old.cards}
    assert (
        by_question(deck.cards)["What is the **powerhouse** of the cell?"].id
        == (  # type: ignore[attr-defined]
            old_ids["What is the **powerhouse** of the cell?"]
        )
    )
    assert by_question(deck.cards)["[…] build proteins"].id == old_ids["[…] make proteins"]  # type: ignore[attr-defined]
    assert sorted(c.question for c in matching.retired) == ["Say *cytoplasm*", "nucleus"]
    assert matching.added == ()


def test_reimport_package_adopts_ids_of_a_text_import(anki_packages: Packages) -> None:
    new = read_package(anki_packages.current, deck_id="biology").deck
    text_ids = [c.__class__(f"c-{i}", c.question, c.answer) for i, c in enumerate(new.cards)]
    old = new.__class__("biology", "Biology", tuple(text_ids))
    deck, matching = reimport_package(old, new)
    assert [c.id for c in deck.cards] == [c.id for c in old.cards]
    assert matching.added == () and matching.retired == ()


def test_import_file_detects_packages(anki_packages: Packages) -> None:
    assert is_package(anki_packages.current)
    assert not is_package(Path(__file__))
    deck = import_file(anki_packages.current, Format.AUTO, deck_id="biology")
    assert deck == read_package(anki_packages.current, deck_id="biology").deck


def test_template_fields_fall_back_to_a_note_types_first_two_fields() -> None:
    note_type = NoteType("Odd", Kind.NORMAL, ("A", "B"), (Template(0, "static", "static"),))
    assert template_fields(note_type, {"A": "q", "B": "a"}, 0) == ("A", "B")
    assert template_fields(note_type, {"A": "q", "B": "a"}, 1) is None


def test_note_entries_of_a_custom_note_types_further_templates_are_basic() -> None:
    templates = (
        Template(0, "{{Word}}", "{{Meaning}}"),
        Template(1, "{{Meaning}}", "{{Word}}"),
        Template(2, "{{Example}}", "{{Word}}"),
    )
    note_type = NoteType("Vocab", Kind.NORMAL, ("Word", "Meaning", "Example"), templates)
    fields = {"Word": "Osmose", "Meaning": "osmosis", "Example": "Wasser wandert"}
    entries = note_entries(note_type, fields, [0, 1, 2])
    assert [(e.suffix, e.kind, e.question, e.answer) for e in entries] == [
        ("", CardKind.REVERSED, "Osmose", "osmosis"),
        ("-t3", CardKind.BASIC, "Wasser wandert", "Osmose"),
    ]


def test_text_of_a_cloze_keeps_its_markup_and_converts_html() -> None:
    html = "{{c1::<b>Paris</b>}} is<br>in\n{{c2::France::a <i>country</i>}} [sound:x.mp3]"
    assert _text(html, keep_cloze=True) == "{{c1::**Paris**}} is\nin {{c2::France::a *country*}}"
    assert _text(html) == "**Paris** is\nin France"


def test_read_package_makes_typed_notes_with_ids_from_the_guid(anki_packages: Packages) -> None:
    cards = read_package(anki_packages.current).deck.cards
    kinds = {card.question: (card.kind, card.note_id) for card in cards}
    notes = {card.note_id: card.kind for card in cards}
    assert kinds["Zelle"][0] is kinds["cell"][0] is CardKind.REVERSED
    assert kinds["Kern"][0] is CardKind.REVERSED and kinds["Wand"][0] is CardKind.BASIC
    assert kinds["[…] make proteins"][0] is CardKind.CLOZE
    assert kinds["Osmosis"][0] is CardKind.BASIC
    diffusion, example = kinds["Diffusion"][1], kinds["Ink spreads in water"][1]
    assert example == diffusion + "-t2"  # the custom note type's second template
    assert len(notes) == 11  # one entry per Anki note (10), and one per further template
    for card in cards:
        assert card.note_id.startswith("a-")
        suffix = card.id[len(card.note_id) :]
        expected = {CardKind.BASIC: {""}, CardKind.REVERSED: {"", "-reverse"}}
        assert suffix in expected.get(card.kind, {"-c1", "-c2"})


def test_read_package_resolves_nested_cloze_as_anki_does(anki_packages: Packages) -> None:
    cards = [c for c in read_package(anki_packages.current).deck.cards if "cells" in c.question]
    assert [(c.id[-3:], c.question, c.answer) for c in cards] == [
        ("-c1", "[…] in cells", "**Mitochondria make ATP** in cells"),
        ("-c2", "Mitochondria […] in cells", "Mitochondria **make ATP** in cells"),
    ]
    assert cards[0].note is not None
    assert cards[0].note.question == "{{c1::Mitochondria {{c2::make ATP}}}} in cells"


def test_read_package_leaves_out_a_note_with_a_card_too_long(tmp_path: Path) -> None:
    path = _package(tmp_path, [("short", "fine"), ("q", "x" * 5_000)], {})
    result = read_package(path, deck_id="small")
    assert [card.question for card in result.deck.cards] == ["short"]
    assert any("left out note 2 card 1: answer is too long" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plain.png", "plain.png"),
        ("../../etc/passwd.png", "passwd-"),
        ("a/b\\c.jpg", "c-"),
        (".hidden.gif", "hidden-"),
        ("notes.txt", None),
        ("Ünïcode pic.PNG", "Unicode-pic-"),
    ],
)
def test_media_file_name_is_safe(source: str, expected: str | None) -> None:
    name = media_file_name(source)
    if expected is None:
        assert name is None
        return
    assert name is not None and name.startswith(expected)
    assert "/" not in name and "\\" not in name and not name.startswith(".")


def test_load_deck_checks_media_files_exist(tmp_path: Path) -> None:
    deck = tmp_path / "bio.yaml"
    deck.write_text(
        "name: Bio\ncards:\n  - id: a\n    question: q\n    answer: a\n"
        "    image: bio.media/cell.png\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=r"bio.yaml:6: card 'a': image file 'bio.media/cell.png'"):
        load_deck(deck)
    (tmp_path / "bio.media").mkdir()
    (tmp_path / "bio.media" / "cell.png").write_bytes(IMAGE)
    assert load_deck(deck).cards[0].image == "bio.media/cell.png"


def test_load_deck_refuses_another_decks_media(tmp_path: Path) -> None:
    (tmp_path / "other.media").mkdir()
    (tmp_path / "other.media" / "cell.png").write_bytes(IMAGE)
    deck = tmp_path / "bio.yaml"
    deck.write_text(
        "name: Bio\ncards:\n  - id: a\n    question: q\n    answer: a\n"
        "    image: other.media/cell.png\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=r"must be in this deck's folder bio\.media/"):
        load_deck(deck)


@pytest.mark.parametrize(
    "image",
    ["../x.png", "bio.media/../x.png", "/etc/x.png", "bio.media/.x.png", "bio.media/a/b.png"],
)
def test_parse_deck_refuses_media_paths_outside_the_folder(image: str) -> None:
    text = f"name: Bio\ncards:\n  - id: a\n    question: q\n    answer: a\n    image: '{image}'\n"
    with pytest.raises(Exception, match="must be an http"):
        parse_deck(text, "bio.yaml")


def _package(tmp_path: Path, notes: list[tuple[str, str]], media: dict[str, bytes]) -> Path:
    from tests.reliability.corpus import anki_collection, zip_members

    listed = {str(i): name for i, name in enumerate(media)}
    members = {"collection.anki21": anki_collection(notes), "media": json.dumps(listed).encode()}
    members.update({str(i): data for i, data in enumerate(media.values())})
    path = tmp_path / "small.apkg"
    path.write_bytes(zip_members(members))
    return path


def test_read_package_drops_answer_images_with_a_warning(tmp_path: Path) -> None:
    path = _package(
        tmp_path, [("Which organelle?", 'Mitochondrion <img src="mito.png">')], {"mito.png": IMAGE}
    )
    result = read_package(path, deck_id="small")
    [card] = result.deck.cards
    assert card.image is None and result.media == {}
    assert any("images in their answer" in warning for warning in result.warnings)


def test_read_package_shares_one_file_between_cards(tmp_path: Path) -> None:
    notes = [(f'Card {i} <img src="a.png">', "x") for i in range(3)]
    result = read_package(_package(tmp_path, notes, {"a.png": IMAGE}), deck_id="small")
    assert {card.image for card in result.deck.cards} == {"small.media/a.png"}
    assert result.media == {"a.png": IMAGE}


def test_read_package_names_missing_media_in_a_warning(tmp_path: Path) -> None:
    result = read_package(_package(tmp_path, [('Q <img src="gone.png">', "A")], {}), deck_id="s")
    assert result.deck.cards[0].image is None
    assert any("an image the package does not hold" in warning for warning in result.warnings)


def test_read_package_names_each_notes_sub_deck(anki_packages: Packages) -> None:
    result = read_package(anki_packages.current, deck_id="bio")
    by_deck = {result.subdecks[c.note_id] for c in result.deck.cards}
    assert by_deck == {"Biology", "Biology::Cells"}
    assert read_package(anki_packages.genanki).subdecks == {}


def test_split_subdecks_gives_one_checked_deck_per_sub_deck(anki_packages: Packages) -> None:
    whole = read_package(anki_packages.current, deck_id="bio", name="Bio 101")
    decks = split_subdecks(whole)
    assert [(d.deck.id, d.deck.name) for d in decks] == [
        ("bio", "Bio 101"),
        ("bio-cells", "Bio 101 / Cells"),
    ]
    assert sorted(c.id for d in decks for c in d.deck.cards) == sorted(
        c.id for c in whole.deck.cards
    )
    assert all(
        tag not in ("Biology", "Biology::Cells")
        for d in decks
        for c in d.deck.cards
        for tag in c.tags
    )
    top, cells = decks
    assert top.media == {} and top.warnings == whole.warnings and cells.warnings == ()
    [image] = [c.image for c in cells.deck.cards if c.image]
    assert image is not None and image.startswith("bio-cells.media/")
    assert cells.media == whole.media
    for part in decks:
        assert parse_deck(dump_deck(part.deck), f"{part.deck.id}.yaml").cards == part.deck.cards
    assert {c.kind for c in cells.deck.cards} == {CardKind.CLOZE, CardKind.BASIC}


def test_split_subdecks_of_one_deck_is_the_import_itself(anki_packages: Packages) -> None:
    single = read_package(anki_packages.genanki)
    assert split_subdecks(single) == [single]


def test_split_subdecks_without_one_top_deck_names_whole_paths() -> None:
    cards = tuple(Card(f"n{i}", f"q{i}", "a", tags=(path,)) for i, path in enumerate(PATHS))
    whole = AnkiImport(
        Deck("mix", "mix", cards), subdecks={f"n{i}": p for i, p in enumerate(PATHS)}
    )
    decks = split_subdecks(whole)
    assert [(d.deck.id, d.deck.name) for d in decks] == [
        ("mix-default", "Default"),
        ("mix-spanish-verbs", "Spanish / Verbs"),
        ("mix-spanish-verbs-2", "Spanish / Verbs!"),
        ("mix-d4", "日本語"),
    ]
    assert all(card.tags == () for d in decks for card in d.deck.cards)


PATHS = ("Default", "Spanish::Verbs", "Spanish::Verbs!", "日本語")

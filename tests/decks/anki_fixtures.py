"""Real Anki packages for the tests, made by Anki itself (the AGPL `anki` package, a test-only
dependency: nothing under bot/ may import it) and by genanki, in a temporary folder.

One collection is built with every note type the reader knows, then exported as a current
package (collection.anki21b), a legacy one (collection.anki21), a collection package (.colpkg),
and, after editing some notes (an optional reversed note loses its reverse), again as an update
of the first. genanki writes the oldest
format (collection.anki2 only).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
IMAGE_NAME = "cell diagram.png"


@dataclass(frozen=True)
class Packages:
    current: Path
    legacy: Path
    colpkg: Path
    updated: Path
    genanki: Path


def members(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def _notes(col: object) -> dict[str, object]:
    """Adds the notes; returns them by a short name so the update can edit them."""
    from anki.collection import Collection

    assert isinstance(col, Collection)
    models = col.models
    biology = col.decks.id("Biology")
    cells = col.decks.id("Biology::Cells")
    assert biology is not None and cells is not None
    added: dict[str, object] = {}

    def add(key: str, model: str, deck: int, **fields: str) -> None:
        notetype = models.by_name(model)
        assert notetype is not None, model
        note = col.new_note(notetype)
        for name, value in fields.items():
            note[name.replace("_", " ")] = value
        col.add_note(note, deck)
        added[key] = note

    add(
        "basic",
        "Basic",
        biology,
        Front="What is the <b>powerhouse</b> of the cell?",
        Back="The <i>mitochondrion</i><br><ul><li>makes ATP</li><li>has DNA</li></ul>"
        'See <a href="https://en.wikipedia.org/wiki/Mitochondrion">Wikipedia</a>',
    )
    add("reversed", "Basic (and reversed card)", biology, Front="Zelle", Back="cell")
    add(
        "optional",
        "Basic (optional reversed card)",
        biology,
        Front="Kern",
        Back="nucleus",
        Add_Reverse="y",
    )
    add("one-way", "Basic (optional reversed card)", biology, Front="Wand", Back="wall")
    add(
        "cloze",
        "Cloze",
        cells,
        Text="{{c1::Ribosomes}} make {{c2::proteins::what?}}",
        Back_Extra="Found in every cell",
    )
    add("nested", "Cloze", cells, Text="{{c1::Mitochondria {{c2::make ATP}}}} in cells")
    add("sound", "Basic", cells, Front="Say <i>cytoplasm</i> [sound:cyto.mp3]", Back="cytoplasm")
    with open(Path(col.media.dir()) / IMAGE_NAME, "wb") as file:
        file.write(IMAGE)
    with open(Path(col.media.dir()) / "unused.png", "wb") as file:
        file.write(IMAGE + b"unused")
    add("image", "Basic", cells, Front=f'Name this: <img src="{IMAGE_NAME}">', Back="a cell")

    custom = models.new("Vocabulary")
    for name in ("Word", "Meaning", "Example"):
        models.add_field(custom, models.new_field(name))
    template = models.new_template("Recognise")
    template["qfmt"] = "<div class=word>{{Word}}</div>"
    template["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{Example}}"
    models.add_template(custom, template)
    usage = models.new_template("Use")  # a card only for notes with an example
    usage["qfmt"] = "{{Example}}"
    usage["afmt"] = "{{FrontSide}}<hr id=answer>{{Word}}"
    models.add_template(custom, usage)
    models.add(custom)
    add("custom", "Vocabulary", biology, Word="Osmosis", Meaning="water through a membrane")
    add(
        "example",
        "Vocabulary",
        biology,
        Word="Diffusion",
        Meaning="spreading out",
        Example="Ink spreads in water",
    )
    return added


def build(folder: Path) -> Packages:
    from anki.collection import Collection, ExportAnkiPackageOptions

    (folder / "source").mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "source" / "collection.anki2"))

    def export(path: Path, *, legacy: bool) -> Path:
        options = ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
        )
        col.export_anki_package(out_path=str(path), options=options, limit=None)
        return path

    try:
        notes = _notes(col)
        current = export(folder / "biology.apkg", legacy=False)
        legacy = export(folder / "biology-legacy.apkg", legacy=True)
        basic, cloze = notes["basic"], notes["cloze"]
        basic["Back"] = "The mitochondrion, which makes ATP"  # type: ignore[index]
        col.update_note(basic)  # type: ignore[arg-type]
        cloze["Text"] = "{{c1::Ribosomes}} build {{c2::proteins}}"  # type: ignore[index]
        col.update_note(cloze)  # type: ignore[arg-type]
        col.remove_notes([notes["sound"].id])  # type: ignore[attr-defined]
        optional = notes["optional"]
        optional["Add Reverse"] = ""  # type: ignore[index]
        col.update_note(optional)  # type: ignore[arg-type]
        updated = export(folder / "biology-updated.apkg", legacy=False)
        colpkg = folder / "biology.colpkg"
        col.export_collection_package(str(colpkg), include_media=True, legacy=False)
    finally:
        if col.db is not None:
            col.close()
    return Packages(current, legacy, colpkg, updated, _genanki(folder / "genanki.apkg"))


def _genanki(path: Path) -> Path:
    import genanki

    model = genanki.Model(
        1607392319,
        "Simple Model",
        fields=[{"name": "Question"}, {"name": "Answer"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
            }
        ],
    )
    deck = genanki.Deck(2059400110, "Capitals")
    for question, answer, guid in (
        ("Capital of <b>France</b>?", "Paris", "guid-france"),
        ("Capital of Italy?", "Rome", "guid-italy"),
    ):
        deck.add_note(genanki.Note(model=model, fields=[question, answer], guid=guid))
    genanki.Package(deck).write_to_file(str(path))
    return path

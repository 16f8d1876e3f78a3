"""`python -m bot import PACKAGE`: the deck, its media folder, re-import and check-decks."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.decks.anki_fixtures import IMAGE, Packages
from tests.test_cli import run


def test_cli_import_package_writes_deck_and_media(tmp_path: Path, anki_packages: Packages) -> None:
    result = run("import", str(anki_packages.current), "--out", "decks/bio.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "decks/bio.yaml: 15 cards" in result.stderr
    assert "warning:" in result.stderr and "[sound:" in result.stderr
    data = yaml.safe_load((tmp_path / "decks" / "bio.yaml").read_text(encoding="utf-8"))
    [image] = [card["image"] for card in data["cards"] if "image" in card]
    assert image.startswith("bio.media/")
    assert (tmp_path / "decks" / image).read_bytes() == IMAGE
    assert [p.name for p in (tmp_path / "decks" / "bio.media").iterdir()] == [image[10:]]
    checked = run("check-decks", "decks", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_cli_import_package_with_format_apkg(tmp_path: Path, anki_packages: Packages) -> None:
    renamed = tmp_path / "export.bin"
    shutil.copy(anki_packages.colpkg, renamed)
    result = run("import", str(renamed), "--format", "apkg", "--out", "x.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "x.yaml: 13 cards" in result.stderr


def test_cli_import_package_to_stdout_drops_images(tmp_path: Path, anki_packages: Packages) -> None:
    result = run("import", str(anki_packages.legacy), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "image" not in yaml.safe_load(result.stdout)["cards"][-2]
    assert "images are written only with --out" in result.stderr


def test_cli_reimport_package_keeps_ids(tmp_path: Path, anki_packages: Packages) -> None:
    assert (
        run("import", str(anki_packages.current), "--out", "bio.yaml", cwd=tmp_path).returncode == 0
    )
    before = yaml.safe_load((tmp_path / "bio.yaml").read_text(encoding="utf-8"))
    result = run("import", str(anki_packages.updated), "--out", "bio.yaml", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 added, 2 retired" in result.stderr
    after = yaml.safe_load((tmp_path / "bio.yaml").read_text(encoding="utf-8"))
    old_ids = {card["id"] for card in before["cards"]}
    assert {card["id"] for card in after["cards"]} <= old_ids
    assert run("check-decks", "bio.yaml", cwd=tmp_path).returncode == 0


def test_cli_check_decks_reports_a_missing_media_file(
    tmp_path: Path, anki_packages: Packages
) -> None:
    assert (
        run("import", str(anki_packages.current), "--out", "bio.yaml", cwd=tmp_path).returncode == 0
    )
    shutil.rmtree(tmp_path / "bio.media")
    result = run("check-decks", "bio.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "not found beside the deck" in result.stdout


def test_cli_import_broken_package_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.apkg").write_bytes(b"PK\x03\x04 not really a zip")
    result = run("import", "broken.apkg", "--out", "x.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: broken.apkg: not an Anki package: the file is not a zip archive"
    ]
    assert not (tmp_path / "x.yaml").exists()


def test_cli_import_package_writes_typed_entries(tmp_path: Path, anki_packages: Packages) -> None:
    assert (
        run("import", str(anki_packages.current), "--out", "bio.yaml", cwd=tmp_path).returncode == 0
    )
    data = yaml.safe_load((tmp_path / "bio.yaml").read_text(encoding="utf-8"))
    types = [card.get("type", "basic") for card in data["cards"]]
    assert types.count("reversed") == 2 and types.count("cloze") == 2
    [nested] = [c for c in data["cards"] if "make ATP" in c["question"]]
    assert nested["question"] == "{{c1::Mitochondria {{c2::make ATP}}}} in cells"


def test_cli_import_split_subdecks_writes_one_checked_deck_each(
    tmp_path: Path, anki_packages: Packages
) -> None:
    args = ("import", str(anki_packages.current), "--split-subdecks", "--out-dir", "decks")
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "decks").iterdir()) == [
        "biology-cells.media",
        "biology-cells.yaml",
        "biology.yaml",
    ]
    cells = yaml.safe_load((tmp_path / "decks" / "biology-cells.yaml").read_text(encoding="utf-8"))
    assert cells["name"] == "Biology / Cells"
    checked = run("check-decks", "decks", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    again = run(*args, "--force", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("0 edited (kept their ids), 0 added, 0 retired") == 2
    assert run(*args, cwd=tmp_path).returncode == 1  # no --force: nothing replaced


def test_cli_split_subdecks_needs_out_dir(tmp_path: Path, anki_packages: Packages) -> None:
    result = run("import", str(anki_packages.current), "--split-subdecks", cwd=tmp_path)
    assert result.returncode == 2
    assert "--split-subdecks writes into --out-dir" in result.stderr

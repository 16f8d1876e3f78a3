"""The command line as a user runs it: a real `python -m bot` process per test."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "decks" / "data" / "brainscape_deep_learning.txt"


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    # This checkout's bot, not whichever one the interpreter has installed.
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("flashdrop ")


def test_cli_run_without_token_is_one_line(tmp_path: Path) -> None:
    result = run("run", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DISCORD_TOKEN" in lines[0] and "DISCORD_TOKEN_FILE" in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_bad_config_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("timezone: Nowhere/Land\n", encoding="utf-8")
    result = run("run", cwd=tmp_path, env={"DISCORD_TOKEN": "x"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: config.yaml: timezone: unknown time zone 'Nowhere/Land' "
        "(use an IANA name such as 'Europe/Copenhagen')"
    )


def test_cli_import_seed_gives_the_seeds_17_cards(tmp_path: Path) -> None:
    out = tmp_path / "decks" / "dl.yaml"
    result = run("import", str(SEED), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["name"] == "Kursusgang 9 (Deep learning and transfer learning)"
    assert len(data["cards"]) == 17
    # Questions as the raw file has them: the non-empty line after each "Q" marker.
    lines = SEED.read_text(encoding="utf-8").splitlines()
    questions = [
        next(x for x in lines[i + 1 :] if x.strip()) for i, x in enumerate(lines) if x == "Q"
    ]
    assert [card["question"].strip() for card in data["cards"]] == questions
    assert run("check-decks", str(out.parent), cwd=tmp_path).returncode == 0


def test_cli_import_to_stdout_is_a_loadable_deck(tmp_path: Path) -> None:
    source = tmp_path / "bio.tsv"
    source.write_text("cell\tthe unit of life\natom\tthe unit of matter\n", encoding="utf-8")
    result = run("import", str(source), "--name", "Biology 101", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(result.stdout)
    assert data["name"] == "Biology 101"
    assert [c["answer"] for c in data["cards"]] == ["the unit of life", "the unit of matter"]


def test_cli_import_unrecognisable_file_is_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "blob.txt"
    source.write_bytes(b"\x00\x01\x02 not a deck")
    result = run("import", str(source), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {source}")
    assert "Traceback" not in result.stderr


def test_cli_check_decks_shipped_decks_are_valid_and_says_nothing(tmp_path: Path) -> None:
    result = run("check-decks", str(ROOT / "decks"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (result.stdout, result.stderr) == ("", "")


def test_cli_check_decks_prints_each_problem_once(tmp_path: Path) -> None:
    bad = tmp_path / "decks" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("name: Bad\ncards:\n  - id: a\n    question: Q?\n", encoding="utf-8")
    result = run("check-decks", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == f"{Path('decks') / 'bad.yaml'}:3: card 'a': missing answer\n"
    assert result.stderr == "1 invalid deck file(s), 1 problem(s)\n"


def test_cli_check_decks_reports_path_and_line(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "good.yaml").write_text(
        "name: Good\ncards:\n  - id: a\n    question: What?\n    answer: That.\n", encoding="utf-8"
    )
    (decks / "bad.yaml").write_text(
        "name: Bad\ncards:\n  - id: a\n    question: Q?\n"
        "  - id: a\n    question: Q2?\n    answer: A\n",
        encoding="utf-8",
    )
    result = run("check-decks", cwd=tmp_path)  # the default decks dir
    assert result.returncode == 1
    problems = result.stdout.strip().splitlines()
    assert problems and all(p.startswith(str(Path("decks") / "bad.yaml") + ":") for p in problems)
    assert any(":3:" in p and "answer" in p for p in problems), problems
    assert any(":5:" in p and "duplicate" in p for p in problems), problems
    assert "Traceback" not in result.stderr


def test_cli_healthcheck_without_database_is_unhealthy(tmp_path: Path) -> None:
    result = run("healthcheck", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("unhealthy: no database")


@pytest.fixture
def empty_database(tmp_path: Path) -> Path:
    """A database created by the bot's own storage, with no ratings yet."""
    import asyncio

    from bot.storage.storage import Storage

    path = tmp_path / "data" / "flashdrop.sqlite3"
    path.parent.mkdir()

    async def create() -> None:
        await (await Storage.open(path)).close()

    asyncio.run(create())
    return path


def test_cli_healthcheck_fresh_heartbeat_is_healthy(tmp_path: Path, empty_database: Path) -> None:
    from datetime import UTC, datetime

    from bot.infra.health import write_heartbeat

    assert run("healthcheck", cwd=tmp_path).stdout.startswith("unhealthy: no heartbeat")
    write_heartbeat(empty_database.with_name("flashdrop.sqlite3.heartbeat"), datetime.now(UTC))
    result = run("healthcheck", cwd=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, "healthy")


@pytest.mark.parametrize(
    ("command", "header"),
    [
        ("export-ratings", "guild_id,user_id,deck,card_id,confidence,rated_at,source"),
        ("export-schedule", "guild_id,user_id,deck,card_id,due,stability,difficulty,reps,lapses"),
    ],
)
def test_cli_export_header(tmp_path: Path, empty_database: Path, command: str, header: str) -> None:
    result = run(command, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [header.split(",")]


def test_cli_backup_copies_database(tmp_path: Path, empty_database: Path) -> None:
    target = tmp_path / "backups" / "copy.sqlite3"
    result = run("backup", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert target.stat().st_size > 0
    again = run("backup", str(target), cwd=tmp_path)
    assert again.returncode == 1 and "exists" in again.stderr


def test_cli_config_error_hides_a_token_pasted_into_config(tmp_path: Path) -> None:
    # No DISCORD_TOKEN to compare with: the token's shape is enough to hide it.
    token = "MTE4NzY1NDMyMTAxMjM0NTY3OA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"
    (tmp_path / "config.yaml").write_text(f"quiz: {{spoiler_answers: '{token}'}}\n", "utf-8")
    result = run("check-decks", cwd=tmp_path)
    assert result.returncode == 2
    assert token not in result.stderr and token.split(".")[2] not in result.stderr
    assert result.stderr.strip() == (
        "error: config.yaml: quiz.spoiler_answers: expected true or false, got '[redacted]'"
    )


def test_cli_import_refuses_to_overwrite_an_existing_deck(tmp_path: Path) -> None:
    source = tmp_path / "bio.tsv"
    source.write_text("cell\tthe unit of life\n", encoding="utf-8")
    out = tmp_path / "decks" / "bio.yaml"
    out.parent.mkdir()
    out.write_text("hand-made deck, keep me\n", encoding="utf-8")
    result = run("import", str(source), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {out} already exists; add --force to replace it"
    ]
    assert out.read_text(encoding="utf-8") == "hand-made deck, keep me\n"


def test_cli_import_force_replaces_an_existing_file(tmp_path: Path) -> None:
    source = tmp_path / "bio.tsv"
    source.write_text("cell\tthe unit of life\n", encoding="utf-8")
    out = tmp_path / "bio.yaml"
    out.write_text("name: Old\ncards:\n- id: old\n  question: Q\n  answer: A\n", encoding="utf-8")
    result = run("import", str(source), "--out", str(out), "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["cards"][0]["question"] == "cell"


def test_cli_import_shows_the_first_ten_problems_and_counts_the_rest(tmp_path: Path) -> None:
    result = run("import", str(SEED), "--format", "csv", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 11, result.stderr
    assert all(line.startswith(f"error: {SEED}:") for line in lines[:10])
    total = 10 + int(lines[10].split()[3])
    assert lines[10] == f"error: … and {total - 10} more problems ({total} in all)"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["--name", "!!!"],
            "error: {src}: cannot make a deck id from the name '!!!': it has no letters a-z or"
            " digits 0-9 (a deck id may only hold a-z, 0-9, '-' and '_'); choose a name with"
            " some, or write the deck to a file whose name is the id",
            id="name without letters",
        ),
        pytest.param(
            ["--out", "My Deck.yaml"],
            "error: My Deck.yaml: deck id 'My Deck' may only contain lowercase letters, digits,"
            " '-' and '_', 1-64 characters; the id is the file name",
            id="out names a bad id",
        ),
        pytest.param(
            ["--out", "notes/bio.yaml"],
            "error: notes/bio.yaml: cannot write: notes is a file, not a folder",
            id="out under a file",
        ),
        pytest.param(
            ["--out", "bio.txt"],
            "error: bio.txt: not a deck file name: deck files end in .yaml or .yml",
            id="out is not a deck file",
        ),
        pytest.param(
            ["--out", "shelf.yaml"],
            "error: shelf.yaml: cannot write: it is a folder",
            id="out is a folder",
        ),
    ],
)
def test_cli_import_says_what_is_wrong_with_the_name_or_place(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    source = tmp_path / "bio.tsv"
    source.write_text("cell\tthe unit of life\n", encoding="utf-8")
    (tmp_path / "notes").write_text("not a folder", encoding="utf-8")
    (tmp_path / "shelf.yaml").mkdir()
    result = run("import", "bio.tsv", *args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [expected.format(src="bio.tsv")]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["import"], id="missing argument"),
        pytest.param(["import", "x.txt", "--format", "anki"], id="bad choice"),
        pytest.param(["frobnicate"], id="unknown command"),
        pytest.param(["import", "missing.txt"], id="missing file"),
        pytest.param(["export-schedule"], id="no database"),
    ],
)
def test_cli_every_error_line_starts_with_error(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if not line.startswith(("usage:", " "))]
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr


def test_cli_csv_cells_write_floats_with_one_precision() -> None:
    from bot.cli import csv_cells

    assert csv_cells((7, "deck", 0.1 + 0.2, 12.0, 1e-07, 3.14159265)) == (
        7,
        "deck",
        "0.3000",
        "12.0000",
        "0.0000",
        "3.1416",
    )


def _deck_folder_with_one_broken_deck(folder: Path) -> None:
    folder.mkdir()
    (folder / "broken.yaml").write_text("name: Broken\ncards:\n- id: a\n", encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--config", "conf/other.yaml", "check-decks"], id="before the command"),
        pytest.param(["check-decks", "--config", "conf/other.yaml"], id="after the command"),
    ],
)
def test_cli_config_goes_before_or_after_the_command(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "other.yaml").write_text("decks: {dir: elsewhere}\n", encoding="utf-8")
    _deck_folder_with_one_broken_deck(tmp_path / "elsewhere")
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(str(Path("elsewhere") / "broken.yaml") + ":")


def test_cli_config_after_the_command_wins_over_one_before(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("decks: {dir: from-a}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("decks: {dir: from-b}\n", encoding="utf-8")
    _deck_folder_with_one_broken_deck(tmp_path / "from-a")
    _deck_folder_with_one_broken_deck(tmp_path / "from-b")
    result = run("--config", "a.yaml", "check-decks", "--config", "b.yaml", cwd=tmp_path)
    assert result.stdout.startswith(str(Path("from-b") / "broken.yaml") + ":")


BIO = "Bio Flashcards\n\n" + "".join(
    f"{n}\nQ\n\n{q}\n\nA\n\n{a}\n\n"
    for n, (q, a) in enumerate(
        [
            ("What is DNA?", "A molecule carrying genetic instructions."),
            ("What is a cell?", "The basic unit of life."),
            ("What does ATP store?", "Energy, in its phosphate bonds."),
        ],
        start=1,
    )
)


def deck_ids(tmp_path: Path) -> list[str]:
    data = yaml.safe_load((tmp_path / "decks" / "bio.yaml").read_text(encoding="utf-8"))
    return [card["id"] for card in data["cards"]]


def test_cli_reimport_with_force_keeps_the_ids_of_edited_cards(tmp_path: Path) -> None:
    export = tmp_path / "bio.txt"
    export.write_text(BIO, encoding="utf-8")
    out = tmp_path / "decks" / "bio.yaml"
    run("import", "bio.txt", "--out", str(out), cwd=tmp_path)
    before = deck_ids(tmp_path)
    edited = (
        BIO.replace("What is a cell?", "What is a cell ?").replace(
            "3\nQ\n\nWhat does ATP store?\n\nA\n\nEnergy, in its phosphate bonds.\n\n", ""
        )
        + "3\nQ\n\nWhat is RNA?\n\nA\n\nA nucleic acid.\n\n"
    )
    export.write_text(edited, encoding="utf-8")
    result = run("import", "bio.txt", "--out", str(out), "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = deck_ids(tmp_path)
    assert after[:2] == before[:2] and after[2] not in before
    assert result.stderr.splitlines() == [
        f"{out}: 3 cards from bio.txt (Bio): 1 unchanged, 1 edited (kept its id), 1 added,"
        " 1 retired",
        f"  kept {before[1]} (same answer): 'What is a cell ?'",
        f"  added {after[2]}: 'What is RNA?'",
        f"  retired {before[2]}: 'What does ATP store?'",
    ]


def test_cli_reimport_keeps_the_decks_name_and_hand_added_fields(tmp_path: Path) -> None:
    export = tmp_path / "bio.txt"
    export.write_text(BIO, encoding="utf-8")
    out = tmp_path / "decks" / "bio.yaml"
    run("import", "bio.txt", "--out", str(out), cwd=tmp_path)
    text = out.read_text(encoding="utf-8").replace("name: Bio\n", "name: Biology\n")
    text = text.replace("  question: What is DNA?\n", "  question: What is DNA?\n  hint: helix\n")
    out.write_text(text, encoding="utf-8")
    result = run("import", "bio.txt", "--out", str(out), "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert (data["name"], data["cards"][0]["hint"]) == ("Biology", "helix")


def test_cli_reimport_refuses_to_replace_an_invalid_deck(tmp_path: Path) -> None:
    (tmp_path / "bio.txt").write_text(BIO, encoding="utf-8")
    out = tmp_path / "bio.yaml"
    out.write_text("name: Broken\n", encoding="utf-8")
    result = run("import", "bio.txt", "--out", str(out), "--force", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {out} is not a valid deck, so its card ids cannot be kept: fix it"
        f" (python -m bot check-decks {out}) or delete it first"
    ]
    assert out.read_text(encoding="utf-8") == "name: Broken\n"


def test_cli_reimport_of_an_edited_card_keeps_everyones_schedule(tmp_path: Path) -> None:
    # The README's promise, through the bot's own storage: the edit is a change, not a new card.
    import asyncio

    from bot.decks import load_decks
    from bot.storage.storage import Storage

    async def sync() -> tuple[int, int, int]:
        async with await Storage.open(tmp_path / "db.sqlite3") as storage:
            summary = await storage.decks.sync_decks(load_decks(tmp_path / "decks").decks.values())
        return len(summary.added), len(summary.changed), len(summary.retired)

    export = tmp_path / "bio.txt"
    export.write_text(BIO, encoding="utf-8")
    run("import", "bio.txt", "--out", str(tmp_path / "decks" / "bio.yaml"), cwd=tmp_path)
    assert asyncio.run(sync()) == (3, 0, 0)
    export.write_text(BIO.replace("phosphate bonds", "phosphate bond"), encoding="utf-8")
    args = ("import", "bio.txt", "--out", str(tmp_path / "decks" / "bio.yaml"), "--force")
    assert run(*args, cwd=tmp_path).returncode == 0
    assert asyncio.run(sync()) == (0, 1, 0)


# -- read-only commands on a wrong database.path (issue 11 item 9) --------------------------------

READ_ONLY_COMMANDS = [("healthcheck",), ("export-ratings",), ("export-schedule",)]


def _point_at(tmp_path: Path, database: Path) -> None:
    (tmp_path / "config.yaml").write_text(f"database:\n  path: {database}\n", encoding="utf-8")


@pytest.mark.parametrize("command", [*READ_ONLY_COMMANDS, ("backup", "copy.sqlite3")])
@pytest.mark.parametrize("kind", ["text file", "folder", "empty sqlite", "missing"])
def test_cli_read_only_commands_refuse_a_non_database_in_one_line_and_change_nothing(
    tmp_path: Path, command: tuple[str, ...], kind: str
) -> None:
    import sqlite3

    database = tmp_path / "notes.txt"
    if kind == "text file":
        database.write_text("my notes, not a database\n", encoding="utf-8")
    elif kind == "folder":
        database.mkdir()
    elif kind == "empty sqlite":  # a SQLite file, but no Flashdrop tables
        with sqlite3.connect(database) as db:
            db.execute("CREATE TABLE mine (x)")
    _point_at(tmp_path, database)
    before = database.read_bytes() if database.is_file() else None

    result = run(*command, cwd=tmp_path)

    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr + result.stdout
    said = (result.stdout + result.stderr).strip().splitlines()
    assert len(said) == 1, said
    assert str(database) in said[0]
    if before is not None:
        assert database.read_bytes() == before  # never turned into a Flashdrop database
        if kind == "empty sqlite":
            with sqlite3.connect(database) as db:
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            assert tables == {"mine"}
    assert not (tmp_path / "copy.sqlite3").exists()


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("missing.txt/x/copy.sqlite3", "cannot create the folder"),  # a parent is a file
        ("/proc/flashdrop-copy.sqlite3", "cannot write the backup"),  # no file can be made
    ],
)
def test_cli_backup_to_an_impossible_path_is_one_line(
    tmp_path: Path, empty_database: Path, target: str, expected: str
) -> None:
    (tmp_path / "missing.txt").write_text("a file, not a folder", encoding="utf-8")

    result = run("backup", target, cwd=tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines


@pytest.fixture
def busy_database(empty_database: Path) -> Path:
    """The bot's database with 4,000 ratings: an export far larger than a pipe's buffer."""
    import asyncio

    from bot.storage.storage import Storage
    from tests.core.factories import make_deck, make_event

    async def fill() -> None:
        async with await Storage.open(empty_database) as storage:
            await storage.decks.sync_decks([make_deck()])
            await asyncio.gather(
                *(storage.ratings.record_rating(make_event(user_id=n)) for n in range(4000))
            )

    asyncio.run(fill())
    return empty_database


def test_cli_export_into_a_reader_that_stops_early_ends_quietly(
    tmp_path: Path, busy_database: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env["PYTHONPATH"] = str(ROOT)
    command = f"{sys.executable} -m bot export-ratings | head -c 1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert result.returncode == 0, result.stderr


def test_cli_check_decks_with_a_missing_configured_folder_is_a_config_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "config.yaml").write_text("decks:\n  dir: deks\n", encoding="utf-8")

    result = run("check-decks", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: config.yaml: decks.dir: no such folder: deks ({tmp_path / 'deks'})"
    )

"""CSV/TSV importing: Quizlet exports, Anki "Notes in Plain Text", header rows, HTML fields."""

from __future__ import annotations

import pytest

from bot.decks import DeckError, import_text
from bot.decks.importers import Format
from bot.decks.importers.htmltext import html_to_markdown, strip_anki_markup


def cards(text: str, fmt: Format | str = "auto") -> list[tuple[str, str, tuple[str, ...]]]:
    deck = import_text(text, fmt, path="export.txt")
    return [(card.question, card.answer, card.tags) for card in deck.cards]


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        pytest.param(
            "cell\tbasic unit of life\natom\tsmallest unit\n",
            "auto",
            [("cell", "basic unit of life", ()), ("atom", "smallest unit", ())],
            id="quizlet tsv",
        ),
        pytest.param(
            'cell,basic unit of life\natom,"smallest, unit"\n',
            "csv",
            [("cell", "basic unit of life", ()), ("atom", "smallest, unit", ())],
            id="csv with quoted comma",
        ),
        pytest.param(
            "cell;basic unit\natom;smallest\n",
            "csv",
            [("cell", "basic unit", ()), ("atom", "smallest", ())],
            id="semicolon csv",
        ),
        pytest.param(
            "Question,Answer\ncell,unit\n",
            "csv",
            [("cell", "unit", ())],
            id="header row question answer",
        ),
        pytest.param(
            "FRONT\tBACK\ncell\tunit\n", "tsv", [("cell", "unit", ())], id="header row front back"
        ),
        pytest.param(
            "term,definition,tags\ncell,unit,bio basics\n",
            "csv",
            [("cell", "unit", ("bio", "basics"))],
            id="header row with tags",
        ),
        pytest.param(
            'cell,"line one\nline two"\natom,small\n',
            "csv",
            [("cell", "line one\nline two", ()), ("atom", "small", ())],
            id="quoted multi-line field",
        ),
        pytest.param(
            "cell\tunit\textra\n", "tsv", [("cell", "unit", ())], id="extra column ignored"
        ),
        pytest.param(
            "\n\ncell\tunit\n\n\natom\tsmall\n\n",
            "tsv",
            [("cell", "unit", ()), ("atom", "small", ())],
            id="blank lines",
        ),
        pytest.param(
            "\ufeffcell\tunit\r\natom\tsmall\r\n",
            "auto",
            [("cell", "unit", ()), ("atom", "small", ())],
            id="bom and crlf",
        ),
        pytest.param("cell\t  unit  \n", "tsv", [("cell", "unit", ())], id="spaces trimmed"),
    ],
)
def test_delimited_import_reads_variants(
    text: str, fmt: str, expected: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    assert cards(text, fmt) == expected


def test_delimited_import_reads_anki_notes_in_plain_text() -> None:
    text = (
        "#separator:tab\n"
        "#html:true\n"
        "#guid column:1\n"
        "#notetype column:2\n"
        "#deck column:3\n"
        "#tags column:6\n"
        "Ab1!x\tBasic\tBio\t<b>cell</b>\tbasic <i>unit</i><br>of life\tbio cells\n"
        'Cd2%y\tBasic\tBio\t"multi<div>line</div>"\t&lt;atom&gt;\t\n'
    )
    assert cards(text) == [
        ("**cell**", "basic *unit*\nof life", ("bio", "cells")),
        ("multi\nline", "<atom>", ()),
    ]


def test_delimited_import_respects_anki_separator_and_plain_text() -> None:
    text = "#separator:Semicolon\n#html:false\n#deck:Biology\n#tags:imported\na <b>;b\n"
    deck = import_text(text, path="export.txt")
    assert (deck.name, deck.id) == ("Biology", "export")
    assert [(c.question, c.answer, c.tags) for c in deck.cards] == [("a <b>", "b", ("imported",))]


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<b>bold</b> <strong>strong</strong>", "**bold** **strong**"),
        ("<i>it</i> <em>em</em>", "*it* *em*"),
        ("<u>under</u>", "__under__"),
        ("<code>x = 1</code>", "`x = 1`"),
        ("one<br>two<br/>three", "one\ntwo\nthree"),
        ("<div>one</div><div>two</div>", "one\ntwo"),
        ("<p>para</p><p>graph</p>", "para\ngraph"),
        ("Steps:<ul><li>mix</li><li>bake</li></ul>", "Steps:\n- mix\n- bake"),
        ("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;", "a & b <c> \"d\" 'e'"),
        ("non&nbsp;breaking", "non breaking"),
        ('<span style="color:red">red</span> <a href="x">link</a>', "red link"),
        ('<img src="cell.png">', ""),
        ("<script>alert(1)</script>safe<style>b{}</style>", "safe"),
        ("one<br><br><br><br>two", "one\n\ntwo"),
        ("a < b, unfinished <b", "a < b, unfinished <b"),
    ],
)
def test_html_to_markdown_converts(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{c1::Paris}} is the capital", "Paris is the capital"),
        ("{{c1::Paris::city}} and {{c2::France::country}}", "Paris and France"),
        ("{{c1::Paris {{c2::on the Seine}}}} it is", "Paris on the Seine it is"),
        ("{{c1::unclosed", "{{c1::unclosed"),
        ("Hear it [sound:bonjour.mp3]", "Hear it "),
        ("no markup", "no markup"),
    ],
)
def test_strip_anki_markup_reveals_clozes_and_drops_sounds(text: str, expected: str) -> None:
    assert strip_anki_markup(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>cell</b>\tunit\n", ("**cell**", "unit", ())),
        ("cell\tunit<br>of life\n", ("cell", "unit\nof life", ())),
        ("a &amp; b\tc\n", ("a & b", "c", ())),
        ("a<b and c>d\tcompare\n", ("a<b and c>d", "compare", ())),
        ("x < y\t<- it is\n", ("x < y", "<- it is", ())),
    ],
)
def test_delimited_import_converts_html_only_when_fields_look_like_html(
    text: str, expected: tuple[str, str, tuple[str, ...]]
) -> None:
    assert cards(text, "tsv") == [expected]


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        pytest.param(
            "cell\tunit\natom\t\n", "tsv", "export.txt:2: answer is empty", id="empty back"
        ),
        pytest.param("\tunit\n", "tsv", "export.txt:1: question is empty", id="empty front"),
        pytest.param(
            "cell\tunit\njust one column\n",
            "tsv",
            "export.txt:2: expected a question and an answer separated by a tab, found 1 column(s)",
            id="one column",
        ),
        pytest.param(
            "a,b\nc\n",
            "csv",
            "export.txt:2: expected a question and an answer"
            " separated by a comma, found 1 column(s)",
            id="one csv column",
        ),
        pytest.param(
            "#separator:Tab\n#html:true\ncell\t[sound:a.mp3]\n",
            "auto",
            "export.txt:3: answer is empty",
            id="answer only a sound",
        ),
        pytest.param(
            "#separator:nonsense\ncell\tunit\n",
            "auto",
            "export.txt:1: unknown separator 'nonsense'",
            id="bad separator",
        ),
        pytest.param(
            "#tags column:x\ncell\tunit\n",
            "auto",
            "export.txt:1: tags column must be a column number, got 'x'",
            id="bad column",
        ),
        pytest.param("Question,Answer\n", "csv", "export.txt: no cards found", id="header only"),
        pytest.param(
            f"cell\t{'x' * 1801}\n",
            "tsv",
            "export.txt:1: answer is too long for Discord (1801 characters, limit 1800)",
            id="too long",
        ),
    ],
)
def test_delimited_import_reports_bad_rows(text: str, fmt: str, expected: str) -> None:
    with pytest.raises(DeckError) as info:
        import_text(text, fmt, path="export.txt")
    assert str(info.value) == expected


def test_delimited_import_reports_every_bad_row_with_its_own_line() -> None:
    text = 'cell,"two\nlines"\n,no front\natom,\n'
    with pytest.raises(DeckError) as info:
        import_text(text, "csv", path="export.txt")
    assert str(info.value).splitlines() == [
        "export.txt:3: question is empty",
        "export.txt:4: answer is empty",
    ]


def test_delimited_import_reports_unclosed_quote() -> None:
    text = 'cell,unit\natom,"' + "x" * 200_000 + "\n"
    with pytest.raises(DeckError) as info:
        import_text(text, "csv", path="export.txt")
    message = str(info.value)
    assert message.startswith("export.txt:2: cannot read this row (field larger than")
    assert message.endswith('; is a quote (") left open?')

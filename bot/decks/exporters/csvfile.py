"""A deck as CSV: one row per card, question, answer, tags.

The file opens with the header lines of Anki's "Notes in Plain Text" (`#separator:comma`,
`#html:false`, `#tags column:3`), which Anki's text import and our own importer
(bot.decks.importers.delimited) both obey: the texts are read as they are (a `<` stays a `<`),
and the tags land as tags. Every card is a row of its own, as shown (a reversed entry gives
two rows, a cloze entry one per deletion): a CSV has no card types. Hints are left out: no
plain-text import has a column for them. Re-importing the file into its deck with
`replace:true` keeps the cards' ids through bot.decks.matching.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Final

from bot.core.models import Deck

HEADER: Final = "#separator:comma\n#html:false\n#tags column:3\n"
# Anki splits tags on spaces, our importer on spaces and commas.
_TAG_BREAKS: Final = re.compile(r"[\s,]+")


def write_csv(deck: Deck) -> str:
    out = io.StringIO()
    out.write(HEADER)
    writer = csv.writer(out, lineterminator="\n")
    for card in deck.cards:
        tags = " ".join(_TAG_BREAKS.sub("_", tag) for tag in card.tags)
        writer.writerow([card.question, card.answer, tags])
    return out.getvalue()

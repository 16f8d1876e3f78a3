"""The decks a group can study: `/deck list`, `/deck info`, autocomplete and unknown decks."""

from __future__ import annotations

import discord

from bot.core.models import Card, CardKind, Deck

NO_DECKS = "No decks are loaded."
NO_CARDS = "There are no cards to post."


def card_count(n: int) -> str:
    return f"{n} card" if n == 1 else f"{n} cards"


def no_such_deck(deck_id: str) -> str:
    return f"No deck `{deck_id}`."


def no_such_deck_hint(deck_id: str) -> str:
    return f"No deck `{deck_id}`: see `/deck list`."


def choice_label(deck: Deck) -> str:
    """How a deck appears in autocomplete (Discord allows 100 characters)."""
    return f"{deck.name} ({deck.id})"[:100]


def card_choice_label(card: Card) -> str:
    """How a card appears in autocomplete: its id and its question's start."""
    question = " ".join(card.question.split())
    return f"{card.id}: {question}"[:100]


def deck_list(decks: list[Deck]) -> discord.Embed:
    lines = [f"**{d.name}** (`{d.id}`): {card_count(len(d.cards))}" for d in decks]
    return discord.Embed(title="Decks", description="\n".join(lines)[:4096])


def type_counts(deck: Deck) -> str:
    """Entries per card type, with the cards they make: "12 basic, 4 reversed (8 cards)"."""
    notes: dict[CardKind, set[str]] = {kind: set() for kind in CardKind}
    cards = dict.fromkeys(CardKind, 0)
    for card in deck.cards:
        notes[card.kind].add(card.note_id)
        cards[card.kind] += 1
    parts = [
        f"{len(notes[kind])} {kind}"
        if kind is CardKind.BASIC
        else f"{len(notes[kind])} {kind} ({card_count(cards[kind])})"
        for kind in CardKind
        if cards[kind]
    ]
    return ", ".join(parts)


def deck_info(deck: Deck) -> discord.Embed:
    embed = discord.Embed(title=deck.name, description=deck.description or "")
    # A deck of basic cards only is its card count; other types say what made the cards.
    if all(card.kind is CardKind.BASIC for card in deck.cards):
        cards = str(len(deck.cards))
    else:
        cards = f"{len(deck.cards)}: {type_counts(deck)}"
    embed.add_field(name="Cards", value=cards)
    embed.add_field(name="Id", value=f"`{deck.id}`")
    if deck.tags:
        embed.add_field(name="Tags", value=", ".join(deck.tags))
    return embed


def posted_from(deck: Deck) -> str:
    return f"Posted a card from **{deck.name}**."


# --- /deck import --------------------------------------------------------------------------

# Discord's limits: a message's content, an embed field's value.
_MESSAGE_CHARS = 2000
_FIELD_CHARS = 1024
PREVIEW_CARDS = 5

IMPORT_CONFIRM = "Confirm"
CANCEL = "Cancel"
IMPORT_CANCELLED = "Import cancelled: nothing was changed."
IMPORT_SPLITTING = "Splitting the package into its sub-decks: its preview comes in a moment."
IMPORT_EXPIRED = "This import preview has expired: run `/deck import` again."
NOT_YOUR_IMPORT = "Only the member who ran `/deck import` can confirm or cancel it."
IMPORT_DOWNLOAD_FAILED = "I could not download the file from Discord; try again."


def _size(n: int) -> str:
    mib = 1024 * 1024
    if n % mib == 0:
        return f"{n // mib} MiB"
    return f"{n / mib:.1f} MiB" if n >= mib else f"{n / 1024:.0f} KiB"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines_within(lines: list[str], limit: int, total: int | None = None) -> str:
    """As many whole lines as fit in `limit` characters, then how many of `total` (default:
    of `lines`) were left out."""
    total = len(lines) if total is None else total
    shown: list[str] = []
    for line in (_cut(line, 300) for line in lines):
        if len("\n".join([*shown, line, _more(total - len(shown) - 1)])) > limit:
            break
        shown.append(line)
    if total > len(shown):
        shown.append(_more(total - len(shown)))
    return "\n".join(shown)


def _more(n: int) -> str:
    return f"… and {n} more" if n > 0 else ""


def upload_too_large(filename: str, size: int, limit: int) -> str:
    return f"`{_cut(filename, 100)}` is {_size(size)}; a deck upload may be at most {_size(limit)}."


def import_failed(filename: str, problems: list[str]) -> str:
    """A file that cannot be imported: every problem, one `file:line: message` line each."""
    head = f"Could not import `{_cut(filename, 100)}`; nothing was changed.\n"
    body = _lines_within(problems, _MESSAGE_CHARS - len(head) - 8)
    return f"{head}```\n{body.replace('```', 'ˋˋˋ')}\n```"


def import_library_id(deck_id: str) -> str:
    return (
        f"`{deck_id}` is the id of a library deck every server sees; give yours another"
        " with `name:` (the id is made from it). Nothing was changed."
    )


def import_exists(existing: Deck) -> str:
    return (
        f"This server already has a deck `{existing.id}` ({card_count(len(existing.cards))})."
        " Run `/deck import` again with `replace:True` to replace it: cards that are only"
        " edited keep their schedules. Nothing was changed."
    )


def import_over_guild_limit(cards: int, others: int, limit: int) -> str:
    return (
        f"This deck has {card_count(cards)} and this server's other decks {others}: more than"
        f" the {limit} cards a server may hold. Nothing was changed."
    )


def import_over_media_limit(size: int, stored: int, limit: int) -> str:
    if limit == 0:
        return (
            f"This deck has {_size(size)} of images, and this bot stores no images for a"
            " server's decks. Nothing was changed."
        )
    return (
        f"This deck has {_size(size)} of images and this server's other decks {_size(stored)}:"
        f" more than the {_size(limit)} a server may store. Nothing was changed."
    )


def import_missing_media(filename: str, names: list[str]) -> str:
    """A line of the preview's "Left out": images the deck names that neither the file nor
    this server's deck of that id holds."""
    shown = ", ".join(_cut(name, 60) for name in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"{filename}: no image file {shown}{more}: those cards are shown without their image"


def _card_lines(deck: Deck) -> str:
    lines = [
        f"**{n}.** {_cut(card.question, 120)} → {_cut(card.answer, 80)}"
        for n, card in enumerate(deck.cards[:PREVIEW_CARDS], start=1)
    ]
    return _lines_within(lines, _FIELD_CHARS, total=len(deck.cards))


def _ids(label: str, ids: tuple[str, ...]) -> str:
    return (
        f"{label} {len(ids)}"
        + (f": {', '.join(ids[:10])}" if ids else "")
        + (f" … (+{len(ids) - 10})" if len(ids) > 10 else "")
    )


def import_preview(
    filename: str,
    deck: Deck,
    replacing: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None,
    *,
    images: tuple[int, int] = (0, 0),
    warnings: tuple[str, ...] = (),
    subdecks: int = 1,
) -> discord.Embed:
    """What Confirm would store: the deck, its card types, its first cards, its image files
    (how many, how many bytes), what the import left out, and what a replacement changes.
    `subdecks`: the decks splitting the package would make (1: it has no sub-decks)."""
    split = (
        f" Its {subdecks} Anki sub-decks become this one deck, each card tagged with its"
        f" sub-deck; **{split_label(subdecks)}** makes a deck of each instead."
        if subdecks > 1
        else ""
    )
    embed = discord.Embed(
        title=_cut(f"Import {deck.name}?", 256),
        description=_cut(
            f"From `{filename}`. Nothing is stored until you press **{IMPORT_CONFIRM}**.{split}",
            4096,
        ),
    )
    embed.add_field(name="Id", value=f"`{deck.id}`")
    embed.add_field(name="Cards", value=str(len(deck.cards)))
    embed.add_field(name="Card types", value=type_counts(deck) or "—")
    files, size = images
    if files:
        embed.add_field(name="Images", value=f"{files} ({_size(size)})")
    embed.add_field(name="First cards", value=_card_lines(deck) or "—", inline=False)
    if warnings:
        embed.add_field(
            name="Left out", value=_lines_within(list(warnings), _FIELD_CHARS), inline=False
        )
    if replacing is not None:
        kept, added, retired = replacing
        lines = [
            _ids("kept (schedules stay):", kept),
            _ids("added:", added),
            _ids("retired (history kept):", retired),
        ]
        embed.add_field(
            name=f"Replaces this server's deck `{deck.id}`",
            value=_cut("\n".join(lines), _FIELD_CHARS),
            inline=False,
        )
    return embed


def split_label(decks: int) -> str:
    """The preview's button that makes one deck of each Anki sub-deck."""
    return f"Split into {decks} decks"


# What a replacement does to one deck's cards: how many are kept, added and retired.
Changes = tuple[int, int, int]


def import_split_preview(
    filename: str,
    decks: list[tuple[Deck, int, Changes | None]],
    warnings: tuple[str, ...] = (),
) -> discord.Embed:
    """What Confirm would store when the package is split: each deck (name, id, card types,
    image files, what replacing this server's deck of that id does), then what was left out."""
    embed = discord.Embed(
        title=_cut(f"Import {len(decks)} decks?", 256),
        description=_cut(
            f"From `{filename}`, one deck per Anki sub-deck. Nothing is stored until you"
            f" press **{IMPORT_CONFIRM}**.",
            4096,
        ),
    )
    for deck, images, changes in decks[:20]:
        lines = [f"`{deck.id}`: {card_count(len(deck.cards))} ({type_counts(deck)})"]
        if images:
            lines.append(f"{images} image(s)")
        if changes is not None:
            kept, added, retired = changes
            lines.append(
                f"replaces this server's deck: {kept} kept, {added} added, {retired} retired"
            )
        embed.add_field(name=_cut(deck.name, 256), value=_cut("\n".join(lines), _FIELD_CHARS))
    if len(decks) > 20:
        embed.add_field(name="…", value=f"and {len(decks) - 20} more decks", inline=False)
    if warnings:
        embed.add_field(
            name="Left out", value=_lines_within(list(warnings), _FIELD_CHARS), inline=False
        )
    return embed


def imported_many(decks: list[tuple[Deck, int, int, int]]) -> str:
    """The decks a split import stored, with what each changed (added, edited, retired)."""
    lines = [f"Imported {len(decks)} decks:"]
    for deck, added, changed, retired in decks:
        line = f"- **{deck.name}** (`{deck.id}`, {card_count(len(deck.cards))})"
        if added or changed or retired:
            line += f": {added} added, {changed} edited, {retired} retired"
        lines.append(line)
    lines.append(f"Try them with `/quiz deck:{decks[0][0].id}`.")
    return _lines_within(lines, _MESSAGE_CHARS)


def imported(deck: Deck, added: int, changed: int, retired: int) -> str:
    text = f"Imported **{deck.name}** (`{deck.id}`, {card_count(len(deck.cards))})"
    if added or changed or retired:
        text += f": {added} added, {changed} edited, {retired} retired"
    return text + f". Try it with `/quiz deck:{deck.id}`."


# --- /deck remove --------------------------------------------------------------------------

REMOVE_CONFIRM = "Remove"
REMOVE_CANCELLED = "Nothing was removed."
REMOVE_EXPIRED = "This question has expired: run `/deck remove` again."
NOT_YOUR_REMOVAL = "Only the member who ran `/deck remove` can answer it."


def remove_library_deck(deck_id: str) -> str:
    return (
        f"`{deck_id}` is a library deck (a file on the bot's host), not this server's own:"
        " `/deck remove` removes only decks imported here."
    )


def remove_question(deck: Deck) -> str:
    return (
        f"Remove **{deck.name}** (`{deck.id}`, {card_count(len(deck.cards))}) from this server?"
        " Its cards leave `/quiz`, `/review` and drops; everyone's rating history is kept, and"
        " importing the deck again brings the same cards back with their schedules."
    )


def removed(deck: Deck) -> str:
    return f"Removed **{deck.name}** (`{deck.id}`)."

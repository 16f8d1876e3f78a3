"""The schema, as forward-only migrations keyed by `PRAGMA user_version`.

Migration N turns a version N-1 database into version N. Released migrations are never edited:
a change is a new migration appended to `MIGRATIONS`. (Nothing was released before version 1,
so the steps that led to it were squashed into it.) Each runs in its own transaction together
with its version bump, so a failed migration leaves the previous version intact.

Indexes are chosen for the hot paths at 1M ratings x 10k members x 5k cards:
a member's next due cards (member_card_state_due walks one member's states in due order),
a member's history of one card (ratings_by_member_card), who answered a post
(ratings_live_on_post), the channel's recent posts (posts_by_channel) and the guild's
active members (members_by_activity).
"""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite

_V1 = """
CREATE TABLE guild_settings (
    guild_id      INTEGER PRIMARY KEY,
    timezone      TEXT NOT NULL DEFAULT 'UTC',
    day_starts_at TEXT NOT NULL DEFAULT '04:00'
);

CREATE TABLE members (
    guild_id         INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    timezone         TEXT,          -- NULL: the guild's
    remind_at        TEXT,          -- local HH:MM; NULL: no reminders
    last_rated_at    TEXT,          -- kept here so finding active members skips the ratings
    last_reminded_on TEXT,          -- study date the last reminder went out
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_by_activity ON members (guild_id, last_rated_at);
CREATE INDEX members_with_reminders ON members (remind_at) WHERE remind_at IS NOT NULL;

CREATE TABLE decks (
    deck_id TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1))
) WITHOUT ROWID;

-- Cards are never deleted: a card gone from its deck file is retired and keeps its history.
CREATE TABLE cards (
    deck_id      TEXT NOT NULL REFERENCES decks (deck_id),
    card_id      TEXT NOT NULL,
    position     INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    retired      INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    PRIMARY KEY (deck_id, card_id)
) WITHOUT ROWID;
CREATE INDEX cards_in_order ON cards (deck_id, position);

CREATE TABLE posts (
    message_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    deck_id     TEXT NOT NULL,
    card_id     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('quiz', 'drop')),
    posted_at   TEXT NOT NULL,
    revealed_at TEXT,
    FOREIGN KEY (deck_id, card_id) REFERENCES cards (deck_id, card_id)
);
CREATE INDEX posts_by_channel ON posts (channel_id, posted_at);
-- The bot's periodic sweeps: posts awaiting their automatic reveal, and recent posts whose
-- reactions are read back from Discord after downtime.
CREATE INDEX posts_unrevealed ON posts (posted_at) WHERE revealed_at IS NULL;
CREATE INDEX posts_by_time ON posts (posted_at);

-- Append-only: a change of mind is a new row, a removed reaction sets `retracted`.
CREATE TABLE ratings (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    deck_id    TEXT NOT NULL,
    card_id    TEXT NOT NULL,
    post_id    INTEGER REFERENCES posts (message_id),
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),  -- raw 1-5, before mapping
    rated_at   TEXT NOT NULL,                                    -- real UTC time
    study_date TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('reaction', 'button', 'reconcile')),
    retracted  INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
    FOREIGN KEY (deck_id, card_id) REFERENCES cards (deck_id, card_id)
);
-- The event key: a member has at most one live event per value on a post, so a gateway
-- event delivered twice is stored once, while 3, 5, then 3 again (after removing it) is not.
CREATE UNIQUE INDEX ratings_live_on_post ON ratings (post_id, user_id, rating)
    WHERE post_id IS NOT NULL AND retracted = 0;
CREATE INDEX ratings_by_member_card ON ratings (guild_id, user_id, deck_id, card_id, rated_at);

CREATE TRIGGER ratings_are_append_only
BEFORE UPDATE OF id, guild_id, user_id, deck_id, card_id, post_id, rating, rated_at,
                 study_date, source ON ratings
BEGIN
    SELECT RAISE(ABORT, 'ratings are append-only');
END;
CREATE TRIGGER ratings_stay_retracted
BEFORE UPDATE OF retracted ON ratings WHEN NEW.retracted < OLD.retracted
BEGIN
    SELECT RAISE(ABORT, 'a retracted rating stays retracted');
END;

-- Derived: always the replay of the member's effective ratings of the card.
CREATE TABLE member_card_state (
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    deck_id       TEXT NOT NULL,
    card_id       TEXT NOT NULL,
    memory_state  INTEGER NOT NULL,
    stability     REAL NOT NULL,
    difficulty    REAL NOT NULL,
    due_date      TEXT NOT NULL,    -- study date
    last_review   TEXT NOT NULL,    -- study date
    introduced_on TEXT NOT NULL,    -- study date of the first effective rating
    reps          INTEGER NOT NULL,
    lapses        INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, deck_id, card_id),
    FOREIGN KEY (deck_id, card_id) REFERENCES cards (deck_id, card_id)
) WITHOUT ROWID;
-- Index entries of a WITHOUT ROWID table end with the primary key, so this one also yields
-- (due_date, deck_id, card_id) order for a member without sorting.
CREATE INDEX member_card_state_due ON member_card_state (guild_id, user_id, due_date);
CREATE INDEX member_card_state_introduced
    ON member_card_state (guild_id, user_id, deck_id, introduced_on);

-- Config-defined drops are matched by a key of their settings (`config_key`).
CREATE TABLE drops (
    drop_id    INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    deck_ids   TEXT NOT NULL,                -- JSON array of deck ids
    local_time TEXT NOT NULL,                -- HH:MM in `timezone`
    timezone   TEXT NOT NULL,
    weekdays   TEXT NOT NULL,                -- JSON array of ISO weekdays, 1 = Monday
    cards      INTEGER NOT NULL CHECK (cards > 0),
    role_id    INTEGER,                      -- pinged with the drop; NULL: nobody
    thread     INTEGER NOT NULL DEFAULT 0 CHECK (thread IN (0, 1)),  -- answers in a thread
    paused     INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    source     TEXT NOT NULL CHECK (source IN ('config', 'command')),
    created_at TEXT,
    config_key TEXT
);
CREATE INDEX drops_by_guild ON drops (guild_id);
CREATE UNIQUE INDEX drops_by_config_key ON drops (config_key) WHERE config_key IS NOT NULL;

-- One run per drop and local date, so a restart during a drop never posts it twice. A run
-- plans its cards before posting anything and records each message as it goes.
CREATE TABLE drop_runs (
    run_id             INTEGER PRIMARY KEY,
    drop_id            INTEGER NOT NULL REFERENCES drops (drop_id) ON DELETE CASCADE,
    local_date         TEXT NOT NULL,
    started_at         TEXT NOT NULL,
    finished_at        TEXT,
    heading_message_id INTEGER,
    thread_id          INTEGER,
    outcome            TEXT
        CHECK (outcome IS NULL OR outcome IN ('posted', 'skipped', 'failed')),  -- NULL: running
    UNIQUE (drop_id, local_date)
);
-- The runs a crash interrupted, looked up at every drop tick: few, in a table that grows daily.
CREATE INDEX drop_runs_unfinished ON drop_runs (run_id) WHERE outcome IS NULL;

CREATE TABLE drop_run_cards (
    run_id     INTEGER NOT NULL REFERENCES drop_runs (run_id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    deck_id    TEXT NOT NULL,
    card_id    TEXT NOT NULL,
    message_id INTEGER,                     -- NULL until this card is posted
    PRIMARY KEY (run_id, position)
) WITHOUT ROWID;

-- Marks the file as Flashdrop's (see FLASHDROP_APPLICATION_ID).
PRAGMA application_id = 1179403344;
"""

# Version 2: decks that belong to one guild. `owner` is 0 for the shared library (the decks
# folder) and the guild's id for a deck uploaded there; a guild deck keeps its source, the YAML
# text the bot writes, and is loaded through the deck file validator. Posts, ratings and states
# carry (guild_id, deck_id, card_id): their card is the guild's deck of that id if the guild has
# one, else the library's. A foreign key cannot say "one of two owners", so triggers check that
# the card exists for the guild instead (the foreign keys to `cards` go, the one to `posts` stays).
_V2 = """
CREATE TABLE decks_v2 (
    owner   INTEGER NOT NULL DEFAULT 0,  -- 0: the library; else the guild id
    deck_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    source  TEXT,                        -- a guild deck's YAML; NULL for the library
    retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    PRIMARY KEY (owner, deck_id)
) WITHOUT ROWID;
INSERT INTO decks_v2 (owner, deck_id, name, retired) SELECT 0, deck_id, name, retired FROM decks;

CREATE TABLE cards_v2 (
    owner        INTEGER NOT NULL DEFAULT 0,
    deck_id      TEXT NOT NULL,
    card_id      TEXT NOT NULL,
    position     INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    retired      INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    PRIMARY KEY (owner, deck_id, card_id),
    FOREIGN KEY (owner, deck_id) REFERENCES decks_v2 (owner, deck_id)
) WITHOUT ROWID;
INSERT INTO cards_v2 (owner, deck_id, card_id, position, content_hash, retired)
    SELECT 0, deck_id, card_id, position, content_hash, retired FROM cards;

CREATE TABLE posts_v2 (
    message_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    deck_id     TEXT NOT NULL,
    card_id     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('quiz', 'drop')),
    posted_at   TEXT NOT NULL,
    revealed_at TEXT
);
INSERT INTO posts_v2 SELECT message_id, guild_id, channel_id, deck_id, card_id, kind, posted_at,
    revealed_at FROM posts;

CREATE TABLE ratings_v2 (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    deck_id    TEXT NOT NULL,
    card_id    TEXT NOT NULL,
    post_id    INTEGER REFERENCES posts_v2 (message_id),
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    rated_at   TEXT NOT NULL,
    study_date TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('reaction', 'button', 'reconcile')),
    retracted  INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1))
);
INSERT INTO ratings_v2 SELECT id, guild_id, user_id, deck_id, card_id, post_id, rating, rated_at,
    study_date, source, retracted FROM ratings;

CREATE TABLE member_card_state_v2 (
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    deck_id       TEXT NOT NULL,
    card_id       TEXT NOT NULL,
    memory_state  INTEGER NOT NULL,
    stability     REAL NOT NULL,
    difficulty    REAL NOT NULL,
    due_date      TEXT NOT NULL,
    last_review   TEXT NOT NULL,
    introduced_on TEXT NOT NULL,
    reps          INTEGER NOT NULL,
    lapses        INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, deck_id, card_id)
) WITHOUT ROWID;
INSERT INTO member_card_state_v2 SELECT guild_id, user_id, deck_id, card_id, memory_state,
    stability, difficulty, due_date, last_review, introduced_on, reps, lapses
    FROM member_card_state;

-- Children first, so no foreign key points at a dropped table; the renames then carry the
-- new tables' references along.
DROP TABLE ratings;
DROP TABLE member_card_state;
DROP TABLE posts;
DROP TABLE cards;
DROP TABLE decks;
ALTER TABLE decks_v2 RENAME TO decks;
ALTER TABLE cards_v2 RENAME TO cards;
ALTER TABLE posts_v2 RENAME TO posts;
ALTER TABLE ratings_v2 RENAME TO ratings;
ALTER TABLE member_card_state_v2 RENAME TO member_card_state;

CREATE INDEX cards_in_order ON cards (owner, deck_id, position);
CREATE INDEX posts_by_channel ON posts (channel_id, posted_at);
CREATE INDEX posts_unrevealed ON posts (posted_at) WHERE revealed_at IS NULL;
CREATE INDEX posts_by_time ON posts (posted_at);
CREATE UNIQUE INDEX ratings_live_on_post ON ratings (post_id, user_id, rating)
    WHERE post_id IS NOT NULL AND retracted = 0;
CREATE INDEX ratings_by_member_card ON ratings (guild_id, user_id, deck_id, card_id, rated_at);
CREATE INDEX member_card_state_due ON member_card_state (guild_id, user_id, due_date);
CREATE INDEX member_card_state_introduced
    ON member_card_state (guild_id, user_id, deck_id, introduced_on);

CREATE TRIGGER ratings_are_append_only
BEFORE UPDATE OF id, guild_id, user_id, deck_id, card_id, post_id, rating, rated_at,
                 study_date, source ON ratings
BEGIN
    SELECT RAISE(ABORT, 'ratings are append-only');
END;
CREATE TRIGGER ratings_stay_retracted
BEFORE UPDATE OF retracted ON ratings WHEN NEW.retracted < OLD.retracted
BEGIN
    SELECT RAISE(ABORT, 'a retracted rating stays retracted');
END;

-- What the foreign keys to `cards` said, for either owner.
CREATE TRIGGER posts_name_a_card BEFORE INSERT ON posts
WHEN NOT EXISTS (SELECT 1 FROM cards WHERE owner IN (0, NEW.guild_id)
                 AND deck_id = NEW.deck_id AND card_id = NEW.card_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: the post names no card');
END;
CREATE TRIGGER ratings_name_a_card BEFORE INSERT ON ratings
WHEN NOT EXISTS (SELECT 1 FROM cards WHERE owner IN (0, NEW.guild_id)
                 AND deck_id = NEW.deck_id AND card_id = NEW.card_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: the rating names no card');
END;
CREATE TRIGGER states_name_a_card BEFORE INSERT ON member_card_state
WHEN NOT EXISTS (SELECT 1 FROM cards WHERE owner IN (0, NEW.guild_id)
                 AND deck_id = NEW.deck_id AND card_id = NEW.card_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: the state names no card');
END;
"""

# Version 3: what a guild decides about its decks and cards, and the media its decks show.
# - guild_settings.deck_manager_role: the role (name or id, as in the config) that may change
#   the guild's decks, set by /settings; NULL, now for every setting there: the config's.
# - hidden_library_decks: library decks a guild does not want offered.
# - suspended_cards: cards a guild took out of drops and reviews (any card it sees, library
#   cards too); their history stays.
# - card_flags: a member saying a posted card is wrong; a deck manager clears it. One open flag
#   per member and card.
# - media and deck_media: image files of guild decks, stored once by their SHA-256 (`media`),
#   and named the way the deck's YAML refers to them (`<deck id>.media/<file name>`, the deck
#   file rule) per deck (`deck_media`); a removed deck's names, and bytes no name refers to, are
#   forgotten (MediaStore.forget_unused).
_V3 = """
-- Rebuilt so that each setting may be "not set" (NULL: the config's), since a guild that sets
-- one setting must keep following the config for the others.
CREATE TABLE guild_settings_v3 (
    guild_id          INTEGER PRIMARY KEY,
    timezone          TEXT,
    day_starts_at     TEXT,
    deck_manager_role TEXT
);
INSERT INTO guild_settings_v3 (guild_id, timezone, day_starts_at)
    SELECT guild_id, timezone, day_starts_at FROM guild_settings;
DROP TABLE guild_settings;
ALTER TABLE guild_settings_v3 RENAME TO guild_settings;

CREATE TABLE hidden_library_decks (
    guild_id  INTEGER NOT NULL,
    deck_id   TEXT NOT NULL,
    hidden_by INTEGER NOT NULL,
    hidden_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, deck_id)
) WITHOUT ROWID;

CREATE TABLE suspended_cards (
    guild_id     INTEGER NOT NULL,
    deck_id      TEXT NOT NULL,
    card_id      TEXT NOT NULL,
    suspended_by INTEGER NOT NULL,
    suspended_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, deck_id, card_id)
) WITHOUT ROWID;

CREATE TABLE card_flags (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    deck_id    TEXT NOT NULL,
    card_id    TEXT NOT NULL,
    user_id    INTEGER NOT NULL,
    post_id    INTEGER REFERENCES posts (message_id),  -- the post it was flagged on, if any
    flagged_at TEXT NOT NULL,
    cleared_at TEXT,                                   -- NULL: still open
    cleared_by INTEGER
);
CREATE UNIQUE INDEX card_flags_open ON card_flags (guild_id, deck_id, card_id, user_id)
    WHERE cleared_at IS NULL;

CREATE TABLE media (
    digest TEXT PRIMARY KEY,  -- SHA-256 of data, hex
    size   INTEGER NOT NULL,
    data   BLOB NOT NULL
);

CREATE TABLE deck_media (
    owner   INTEGER NOT NULL,  -- the guild (media of library decks are files beside them)
    deck_id TEXT NOT NULL,
    name    TEXT NOT NULL,     -- the file name after "<deck id>.media/"
    digest  TEXT NOT NULL REFERENCES media (digest),
    PRIMARY KEY (owner, deck_id, name)
) WITHOUT ROWID;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)

# SQLite's application_id header field, set by version 1: "FLDP". A file with a schema version
# but another id was made by a development build from before the schema was settled (its
# versions 1-4 mean other tables) and cannot be migrated.
FLASHDROP_APPLICATION_ID = 0x464C4450


class StorageError(Exception):
    """The database cannot be used as it is; str() is one line naming the file and why."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer Flashdrop; opening it could lose data."""


async def schema_version(db: aiosqlite.Connection) -> int:
    rows = list(await db.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def application_id(db: aiosqlite.Connection) -> int:
    rows = list(await db.execute_fetchall("PRAGMA application_id"))
    return int(rows[0][0])


def pre_release_error(version: int) -> StorageError:
    return StorageError(
        f"the database was made by a development build of Flashdrop (schema version {version},"
        " from before the schema was settled) and cannot be upgraded: move it away and start"
        " with a new one"
    )


async def migrate(db: aiosqlite.Connection, migrations: Sequence[str] = MIGRATIONS) -> int:
    """Bring the database to the last of `migrations`; returns the version it had before."""
    found = await schema_version(db)
    if found > 0 and await application_id(db) != FLASHDROP_APPLICATION_ID:
        raise pre_release_error(found)
    if found > len(migrations):
        raise SchemaTooNewError(
            f"database schema version {found} is newer than this Flashdrop's {len(migrations)}"
        )
    for version in range(found + 1, len(migrations) + 1):
        await _apply(db, version, migrations[version - 1])
    return found


async def _apply(db: aiosqlite.Connection, version: int, script: str) -> None:
    # executescript runs statements as written, so BEGIN/COMMIT here make one transaction.
    try:
        await db.executescript(
            f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
        )
    except BaseException:
        if db.in_transaction:
            await db.execute("ROLLBACK")
        raise

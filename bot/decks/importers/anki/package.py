"""The zip side of an Anki package (.apkg, .colpkg): which collection it holds, its media list,
and reading members within limits.

Three generations exist: `collection.anki2` (Anki 2.0, schema 11), `collection.anki21` (2.1,
schema 11) and `collection.anki21b` (2.1.50+, zstd-compressed, schema 18, media list and media
files zstd-compressed too, a `meta` member saying so). Current packages also hold a dummy
`collection.anki2` telling old versions to update, so the newest collection present wins.
Every size is checked against a limit while reading, never trusted from the zip's directory:
a zip bomb stops at the limit, not when memory runs out.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import zstandard

from bot.decks.importers.anki import protobuf

MIB: Final = 1024 * 1024
# The limit the issue sets for an upload; a package is read whole only up to this.
MAX_PACKAGE_BYTES: Final = 25 * MIB
# A collection of 20,000 notes is some 10 MiB; past this it is no deck anyone can post.
MAX_COLLECTION_BYTES: Final = 128 * MIB
MAX_MEDIA_LIST_BYTES: Final = 8 * MIB
# Discord's attachment limit for a server without boosts.
MAX_MEDIA_FILE_BYTES: Final = 10 * MIB
MAX_ZIP_MEMBERS: Final = 50_000
# zipfile reads the whole central directory into objects of some 600 bytes per member before
# anything can be checked, so its size is read from the end record first.
MAX_CENTRAL_DIRECTORY_BYTES: Final = 8 * MIB
_END_RECORD: Final = b"PK\x05\x06"
_ZIP64_END_RECORD: Final = b"PK\x06\x06"
_END_SEARCH_BYTES: Final = 22 + 65_535 + 20 + 56  # end record, its comment, zip64 records

COLLECTIONS: Final = ("collection.anki21b", "collection.anki21", "collection.anki2")
_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
# What zipfile raises on a damaged archive or member, besides OSError: a bad CRC or header, a
# deflate stream that is no deflate stream, a compression method or version it lacks, a
# member that ends early.
_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    EOFError,
    OSError,
)
_CHUNK: Final = 1 << 16


class PackageError(Exception):
    """The package cannot be read; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class MediaRef:
    """Where a media file of the package is: its zip member, and whether that is compressed."""

    member: str
    compressed: bool


def _too_big(what: str, limit: int) -> PackageError:
    return PackageError(f"{what} is larger than {limit // MIB} MiB once unpacked")


def copy_limited(source: IO[bytes], target: IO[bytes], limit: int, what: str) -> int:
    """Copy at most `limit` bytes; PackageError past it. Returns the bytes copied."""
    total = 0
    while chunk := source.read(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise _too_big(what, limit)
        target.write(chunk)
    return total


def read_limited(source: IO[bytes], limit: int, what: str) -> bytes:
    data = source.read(limit + 1)
    if len(data) > limit:
        raise _too_big(what, limit)
    return data


def unzstd(data: bytes, limit: int, what: str) -> bytes:
    """Decompress a zstd frame, stopping at `limit` bytes of output."""
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(data)
        return read_limited(reader, limit, what)
    except zstandard.ZstdError as error:
        raise PackageError(f"{what} is not valid zstd data ({error})") from error


class Package:
    """An open package: a zip file, the collection it holds, its media list."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.zip = archive
        names = set(archive.namelist())
        member = next((name for name in COLLECTIONS if name in names), None)
        if member is None:
            raise PackageError(
                "not an Anki package: the zip holds no collection.anki21b, .anki21 or .anki2"
            )
        self.collection_member = member
        self.latest = member == "collection.anki21b"
        self._names = names

    def extract_collection(self, target: Path) -> None:
        """Write the collection's SQLite file to `target`, unpacked, within the limit."""
        what = self.collection_member
        with _damaged(what), self.zip.open(what) as source, target.open("wb") as out:
            if self.latest:
                try:
                    reader = zstandard.ZstdDecompressor().stream_reader(source)
                    copy_limited(reader, out, MAX_COLLECTION_BYTES, what)
                except zstandard.ZstdError as error:
                    raise PackageError(f"{what} is not valid zstd data ({error})") from error
            else:
                copy_limited(source, out, MAX_COLLECTION_BYTES, what)

    def media(self) -> dict[str, MediaRef]:
        """The package's media files by their names in the notes."""
        if "media" not in self._names:
            return {}
        with _damaged("the media list"), self.zip.open("media") as source:
            raw = read_limited(source, MAX_MEDIA_LIST_BYTES, "the media list")
        if raw.startswith(_ZSTD_MAGIC):
            return self._media_entries(unzstd(raw, MAX_MEDIA_LIST_BYTES, "the media list"))
        return self._legacy_media(raw)

    def _media_entries(self, data: bytes) -> dict[str, MediaRef]:
        # MediaEntries { repeated MediaEntry entries = 1; } MediaEntry { string name = 1;
        # uint32 size = 2; bytes sha1 = 3; optional uint32 legacy_zip_filename = 255; }
        # The n-th entry is the zip member "n" unless it names another.
        found: dict[str, MediaRef] = {}
        try:
            entries = [value for number, value in protobuf.fields(data) if number == 1]
            for index, entry in enumerate(entries):
                if not isinstance(entry, bytes):
                    continue
                name = protobuf.first_text(entry, 1)
                member = str(protobuf.first_int(entry, 255, index))
                if name:
                    found[name] = MediaRef(member, compressed=True)
        except ValueError as error:
            raise PackageError(f"the media list is damaged ({error})") from error
        return found

    def _legacy_media(self, raw: bytes) -> dict[str, MediaRef]:
        try:
            listed = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise PackageError("the media list is not valid JSON") from error
        if not isinstance(listed, dict):
            raise PackageError("the media list is not valid JSON")
        return {
            name: MediaRef(str(member), compressed=False)
            for member, name in listed.items()
            if isinstance(name, str) and name
        }

    def read_media(self, ref: MediaRef, limit: int = MAX_MEDIA_FILE_BYTES) -> bytes | None:
        """A media file's bytes; None if the package lacks it. PackageError if over `limit`."""
        if ref.member not in self._names:
            return None
        what = f"media file {ref.member}"
        with _damaged(what), self.zip.open(ref.member) as source:
            raw = read_limited(source, limit, what)
        if ref.compressed and raw.startswith(_ZSTD_MAGIC):
            return unzstd(raw, limit, what)
        return raw


@contextmanager
def _damaged(what: str) -> Iterator[None]:
    """zipfile's errors while reading `what`, as one PackageError line."""
    try:
        yield
    except PackageError:
        raise
    except _ZIP_ERRORS as error:
        raise PackageError(f"{what} is damaged in the zip ({error})") from error


@contextmanager
def open_package(path: Path) -> Iterator[Package]:
    """Open a package file, refusing what is too big, not a zip, or has too many members."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise PackageError(f"cannot read: {error.strerror or error}") from error
    if size > MAX_PACKAGE_BYTES:
        raise PackageError(f"file is larger than {MAX_PACKAGE_BYTES // MIB} MiB")
    if (problem := _directory_problem(path)) is not None:
        raise PackageError(problem)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise PackageError("not an Anki package: the file is not a zip archive") from error
    except OSError as error:
        raise PackageError(f"cannot read: {error.strerror or error}") from error
    except _ZIP_ERRORS as error:
        raise PackageError(f"the zip is damaged ({error})") from error
    with archive:
        if len(archive.infolist()) > MAX_ZIP_MEMBERS:
            raise PackageError(f"the zip holds more than {MAX_ZIP_MEMBERS:,} files")
        yield Package(archive)


def _directory_problem(path: Path) -> str | None:
    """Too many members or too large a central directory, judged from the zip's end record
    (and its zip64 twin); None when neither, or when there is no end record (zipfile then
    says it is no zip)."""
    try:
        with path.open("rb") as file:
            size = file.seek(0, 2)
            file.seek(max(0, size - _END_SEARCH_BYTES))
            tail = file.read()
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    at = tail.rfind(_END_RECORD)
    if at < 0 or len(tail) < at + 22:
        return None
    members = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    zip64 = tail.rfind(_ZIP64_END_RECORD, 0, at)
    if (members == 0xFFFF or directory == 0xFFFFFFFF) and zip64 >= 0 and len(tail) >= zip64 + 48:
        members = int.from_bytes(tail[zip64 + 32 : zip64 + 40], "little")
        directory = int.from_bytes(tail[zip64 + 40 : zip64 + 48], "little")
    if members > MAX_ZIP_MEMBERS:
        return f"the zip holds more than {MAX_ZIP_MEMBERS:,} files"
    if directory > MAX_CENTRAL_DIRECTORY_BYTES:
        return f"the zip's list of files is larger than {MAX_CENTRAL_DIRECTORY_BYTES // MIB} MiB"
    return None

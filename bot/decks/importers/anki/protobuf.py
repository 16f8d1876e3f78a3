"""The little of protobuf's wire format that Anki packages need, read by hand.

Anki writes its package metadata, media list and (schema 18) note type and template settings as
protobuf messages. We read a handful of their fields, so a forty-line reader beats a dependency
and its generated code. A malformed message raises ValueError, never anything else.
"""

from __future__ import annotations

from typing import Final

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_MAX_VARINT_BYTES: Final = 10

Field = tuple[int, int | bytes]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    for index in range(pos, min(pos + _MAX_VARINT_BYTES, len(data))):
        byte = data[index]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, index + 1
        shift += 7
    raise ValueError("malformed protobuf varint")


def fields(data: bytes) -> list[Field]:
    """Every (field number, value) of a message, in order: ints for varints and fixed-size
    values, bytes for length-delimited ones (strings, nested messages)."""
    found: list[Field] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == _VARINT:
            value, pos = _varint(data, pos)
        elif wire == _BYTES:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated protobuf field")
            value, pos = data[pos : pos + size], pos + size
        elif wire in (_FIXED64, _FIXED32):
            width = 8 if wire == _FIXED64 else 4
            if pos + width > len(data):
                raise ValueError("truncated protobuf field")
            value, pos = int.from_bytes(data[pos : pos + width], "little"), pos + width
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        found.append((number, value))
    return found


def first_int(data: bytes, number: int, default: int = 0) -> int:
    for field, value in fields(data):
        if field == number and isinstance(value, int):
            return value
    return default


def first_text(data: bytes, number: int, default: str = "") -> str:
    for field, value in fields(data):
        if field == number and isinstance(value, bytes):
            return value.decode("utf-8", "replace")
    return default

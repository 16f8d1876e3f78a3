"""What counts as one emoji a bot can react with: a Unicode emoji or a custom `<:name:id>`.

Python's `unicodedata` has no emoji property, so the code points are listed here: the
characters with Emoji=Yes in Unicode's emoji-data.txt (Emoji 15.1), except the digits, `#`
and `*`, which are emoji only inside a keycap. On top of them, the sequences of UTS #51:
a presentation selector (U+FE0F), a skin-tone modifier, a keycap (`1️⃣`), a flag (two
regional indicators), a tag sequence (the flag of Scotland) and ZWJ sequences of those.

The check is structural: it does not know which of the sequences Unicode recommends
(a skin tone on a base that takes none passes), but nothing that is not built of emoji does.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Final

# Emoji=Yes, as (first, last) code point ranges in order.
_EMOJI_RANGES: Final[tuple[tuple[int, int], ...]] = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049),
    (0x2122, 0x2122), (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA),
    (0x231A, 0x231B), (0x2328, 0x2328), (0x23CF, 0x23CF), (0x23E9, 0x23F3),
    (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB), (0x25B6, 0x25B6),
    (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2604), (0x260E, 0x260E),
    (0x2611, 0x2611), (0x2614, 0x2615), (0x2618, 0x2618), (0x261D, 0x261D),
    (0x2620, 0x2620), (0x2622, 0x2623), (0x2626, 0x2626), (0x262A, 0x262A),
    (0x262E, 0x262F), (0x2638, 0x263A), (0x2640, 0x2640), (0x2642, 0x2642),
    (0x2648, 0x2653), (0x265F, 0x2660), (0x2663, 0x2663), (0x2665, 0x2666),
    (0x2668, 0x2668), (0x267B, 0x267B), (0x267E, 0x267F), (0x2692, 0x2697),
    (0x2699, 0x2699), (0x269B, 0x269C), (0x26A0, 0x26A1), (0x26A7, 0x26A7),
    (0x26AA, 0x26AB), (0x26B0, 0x26B1), (0x26BD, 0x26BE), (0x26C4, 0x26C5),
    (0x26C8, 0x26C8), (0x26CE, 0x26CF), (0x26D1, 0x26D1), (0x26D3, 0x26D4),
    (0x26E9, 0x26EA), (0x26F0, 0x26F5), (0x26F7, 0x26FA), (0x26FD, 0x26FD),
    (0x2702, 0x2702), (0x2705, 0x2705), (0x2708, 0x270D), (0x270F, 0x270F),
    (0x2712, 0x2712), (0x2714, 0x2714), (0x2716, 0x2716), (0x271D, 0x271D),
    (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734), (0x2744, 0x2744),
    (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755),
    (0x2757, 0x2757), (0x2763, 0x2764), (0x2795, 0x2797), (0x27A1, 0x27A1),
    (0x27B0, 0x27B0), (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07),
    (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55), (0x3030, 0x3030),
    (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F004, 0x1F004), (0x1F0CF, 0x1F0CF), (0x1F170, 0x1F171), (0x1F17E, 0x1F17F),
    (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1E6, 0x1F1FF), (0x1F201, 0x1F202),
    (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A), (0x1F250, 0x1F251),
    (0x1F300, 0x1F321), (0x1F324, 0x1F393), (0x1F396, 0x1F397), (0x1F399, 0x1F39B),
    (0x1F39E, 0x1F3F0), (0x1F3F3, 0x1F3F5), (0x1F3F7, 0x1F4FD), (0x1F4FF, 0x1F53D),
    (0x1F549, 0x1F54E), (0x1F550, 0x1F567), (0x1F56F, 0x1F570), (0x1F573, 0x1F57A),
    (0x1F587, 0x1F587), (0x1F58A, 0x1F58D), (0x1F590, 0x1F590), (0x1F595, 0x1F596),
    (0x1F5A4, 0x1F5A5), (0x1F5A8, 0x1F5A8), (0x1F5B1, 0x1F5B2), (0x1F5BC, 0x1F5BC),
    (0x1F5C2, 0x1F5C4), (0x1F5D1, 0x1F5D3), (0x1F5DC, 0x1F5DE), (0x1F5E1, 0x1F5E1),
    (0x1F5E3, 0x1F5E3), (0x1F5E8, 0x1F5E8), (0x1F5EF, 0x1F5EF), (0x1F5F3, 0x1F5F3),
    (0x1F5FA, 0x1F64F), (0x1F680, 0x1F6C5), (0x1F6CB, 0x1F6D2), (0x1F6D5, 0x1F6D7),
    (0x1F6DC, 0x1F6E5), (0x1F6E9, 0x1F6E9), (0x1F6EB, 0x1F6EC), (0x1F6F0, 0x1F6F0),
    (0x1F6F3, 0x1F6FC), (0x1F7E0, 0x1F7EB), (0x1F7F0, 0x1F7F0), (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945), (0x1F947, 0x1F9FF), (0x1FA70, 0x1FA7C), (0x1FA80, 0x1FA88),
    (0x1FA90, 0x1FABD), (0x1FABF, 0x1FAC5), (0x1FACE, 0x1FADB), (0x1FAE0, 0x1FAE8),
    (0x1FAF0, 0x1FAF8),
)  # fmt: skip
_STARTS: Final = tuple(first for first, _ in _EMOJI_RANGES)

ZWJ: Final = "\u200d"
VS16: Final = "\ufe0f"  # emoji presentation
KEYCAP: Final = "\u20e3"
KEYCAP_BASES: Final = frozenset("0123456789#*")
SKIN_TONES: Final = range(0x1F3FB, 0x1F3FF + 1)
REGIONAL_INDICATORS: Final = range(0x1F1E6, 0x1F1FF + 1)
BLACK_FLAG: Final = 0x1F3F4  # the base of the subdivision flags' tag sequences
TAG_CHARACTERS: Final = range(0xE0020, 0xE007E + 1)
CANCEL_TAG: Final = 0xE007F
# The longest recommended ZWJ sequences (families) have four emoji.
MAX_ZWJ_PARTS: Final = 10

# Discord's mention form of a server's own emoji: <:name:id>, animated <a:name:id>.
CUSTOM_EMOJI: Final = re.compile(r"<a?:[A-Za-z0-9_]{2,32}:[0-9]{15,21}>")


def is_emoji_character(char: str) -> bool:
    """A code point with Emoji=Yes (see the module docstring for the keycap bases)."""
    point = ord(char)
    at = bisect_right(_STARTS, point) - 1
    return at >= 0 and _EMOJI_RANGES[at][0] <= point <= _EMOJI_RANGES[at][1]


def is_unicode_emoji(text: str) -> bool:
    """`text` is exactly one emoji: a character or one of UTS #51's sequences."""
    if not text:
        return False
    if _is_keycap(text) or _is_flag(text) or _is_tag_sequence(text):
        return True
    parts = text.split(ZWJ)
    return len(parts) <= MAX_ZWJ_PARTS and all(_is_element(part) for part in parts)


def is_custom_emoji(text: str) -> bool:
    """`text` is a server emoji in Discord's `<:name:id>` / `<a:name:id>` form."""
    return CUSTOM_EMOJI.fullmatch(text) is not None


def is_reaction_emoji(text: str) -> bool:
    """What a bot can react with: one Unicode emoji or one custom emoji."""
    return is_custom_emoji(text) or is_unicode_emoji(text)


def _is_keycap(text: str) -> bool:
    # 1️⃣, or 1⃣ as some keyboards type it.
    return text[0] in KEYCAP_BASES and text[1:] in (VS16 + KEYCAP, KEYCAP)


def _is_flag(text: str) -> bool:
    return len(text) == 2 and all(ord(c) in REGIONAL_INDICATORS for c in text)


def _is_tag_sequence(text: str) -> bool:
    points = [ord(c) for c in text]
    return (
        len(points) >= 3
        and points[0] == BLACK_FLAG
        and points[-1] == CANCEL_TAG
        and all(p in TAG_CHARACTERS for p in points[1:-1])
    )


def _is_element(part: str) -> bool:
    """One emoji of a ZWJ sequence (or the whole emoji): a character, then optionally a
    presentation selector or a skin tone."""
    if not part or not is_emoji_character(part[0]):
        return False
    rest = part[1:]
    return rest in ("", VS16) or (len(rest) == 1 and ord(rest) in SKIN_TONES)

"""Folding text to plain lower-case letters, for search keys and URL slugs.

Combining diacritics ("Tài Lộc", "Arôme") come off with NFD. Some letters are letters of
their own that no Unicode decomposition turns into ASCII: Vietnamese "đ" (or "đàn" would
never match "dan" and a slug would drop the letter), and the Nordic, German, Polish and
French "ø", "æ", "ß", "ł", "œ". They are mapped by hand.
"""

from __future__ import annotations

import re
import unicodedata

_OWN_LETTERS = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
    }
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case text without diacritics: ``"Loa Tài Lộc"`` → ``"loa tai loc"``."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_OWN_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def slugify(text: str) -> str:
    """``"Đàn Organ Tài Lộc"`` → ``"dan-organ-tai-loc"``: ASCII letters, digits, hyphens."""
    ascii_text = unicodedata.normalize("NFKD", fold(text)).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text).strip("-")

"""Vietnamese-aware text folding for search and slugs.

Vietnamese marks tone and vowel quality with combining diacritics ("Tài Lộc"), which NFD
splits off, but "đ"/"Đ" is a letter of its own that no Unicode decomposition turns into
"d": it has to be mapped by hand, or "đàn" would never match "dan" (and a slug would drop
the letter altogether).
"""

from __future__ import annotations

import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "D"})
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: diacritics removed, đ→d. ``"Loa Tài Lộc"`` → ``"loa tai loc"``."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_D))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words(text: str, limit: int = 8) -> list[str]:
    """Distinct folded words (letters and digits only) in order, at most ``limit``."""
    seen: list[str] = []
    for word in _WORD.findall(fold(text)):
        if word not in seen:
            seen.append(word)
    return seen[:limit]


def slugify(text: str) -> str:
    """``"Đàn Organ Tài Lộc"`` → ``"dan-organ-tai-loc"``: ASCII letters, digits, hyphens."""
    folded = fold(text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")

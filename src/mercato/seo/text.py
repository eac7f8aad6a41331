"""Search words for Vietnamese text. Folding ("Tài Lộc" → "tai loc", đ → d) and slugs
live in :mod:`mercato.kit.text` and are re-exported here for the search module."""

from __future__ import annotations

import re

from mercato.kit.text import fold, slugify

__all__ = ["fold", "slugify", "words"]

_WORD = re.compile(r"[^\W_]+")


def words(text: str, limit: int = 8) -> list[str]:
    """Distinct folded words (letters and digits only) in order, at most ``limit``."""
    seen: list[str] = []
    for word in _WORD.findall(fold(text)):
        if word not in seen:
            seen.append(word)
    return seen[:limit]

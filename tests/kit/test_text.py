"""One folding rule for search keys and slugs, in every store."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.kit.text import fold, slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Calabrian Bergamot", "calabrian-bergamot"),
        ("Atelier Arôme", "atelier-arome"),
        ("Đàn Organ Tài Lộc", "dan-organ-tai-loc"),
        ("Loa kéo di động 15 inch", "loa-keo-di-dong-15-inch"),
        ("Lumen & Loom Ørsted Æble", "lumen-loom-orsted-aeble"),
        ("Straße Łódź Œuvre", "strasse-lodz-oeuvre"),
        ("  --  ", ""),
    ],
)
def test_slugs_keep_every_letter_as_ascii(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_fold_matches_what_a_vietnamese_shopper_types() -> None:
    assert fold("Loa Tài Lộc ĐỎ") == "loa tai loc do"


@given(st.text())
def test_a_slug_is_url_safe_and_stable(text: str) -> None:
    slug = slugify(text)
    assert re.fullmatch(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?", slug)
    assert slugify(slug) == slug

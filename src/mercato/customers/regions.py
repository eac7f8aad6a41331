"""States and provinces of the countries whose taxes and carriers go by them.

Shoppers type "New York", "new york" or "NY"; tax rules name the region by its ISO 3166-2
code ("NY"). Without one spelling, a shopper who typed the name would be charged no sales
tax. For these countries the region is required and stored as its code; elsewhere (districts
in Vietnam, divisions in Bangladesh) it stays as typed, since nothing matches on it.
The subdivision names come from pycountry (ISO 3166-2), loaded on first use.
"""

from __future__ import annotations

import unicodedata
from functools import cache

# Country → what a person calls its subdivisions, for the error message.
BY_CODE = {"US": "state", "CA": "province or territory", "AU": "state or territory"}


def _key(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.replace(".", " ").casefold().split())


@cache
def _subdivisions(country: str) -> dict[str, str]:
    """Lower-cased name, code and "US-NY" form → the code ("NY"), top-level ones only."""
    import pycountry

    found: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        if getattr(sub, "parent_code", None):
            continue
        short = sub.code.split("-", 1)[1]
        for spelling in (sub.name, sub.code, short):
            found[_key(spelling)] = short
    return found


def normalise(country: str, region: str) -> str:
    """The region as tax rules name it; ValueError when a country in BY_CODE gets none or
    an unknown one."""
    region = region.strip()
    if country not in BY_CODE:
        return region
    short = _subdivisions(country).get(_key(region)) if region else None
    if short is None:
        example = " (New York or NY)" if country == "US" else ""
        raise ValueError(f"Choose a {BY_CODE[country]}, by its name or its code{example}.")
    return short

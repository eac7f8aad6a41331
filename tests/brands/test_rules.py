"""Rules that hold for all inputs (hypothesis): dashboard money parsing is exact in minor
units, the discovery filters never pass an unknown value on, and product validation keeps
retail ≥ wholesale and each size once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from mercato.brands.dashboard.product_form import money as _money
from mercato.brands.discovery import PRICE_BANDS, Filters
from mercato.brands.schemas import BrandProductIn
from mercato.models.brands import SEASONS


@given(st.integers(min_value=0, max_value=1_000_000_000))
def test_money_round_trips_every_amount_in_cents(cents: int):
    errors: dict[str, list[str]] = {}
    text = f"{Decimal(cents) / 100:.2f}"
    assert _money(text, "price", errors) == cents
    assert _money(f"{cents // 100:,}.{cents % 100:02d}", "price", errors) == cents
    assert errors == {}


@given(st.text(max_size=12))
def test_money_never_raises_and_never_accepts_more_than_two_decimals(text: str):
    errors: dict[str, list[str]] = {}
    value = _money(text, "price", errors)
    if value is not None:
        assert value >= 0 and Decimal(value) / 100 == Decimal(text.replace(",", "").strip())
    else:
        assert errors or not text.replace(",", "").strip()


@given(
    st.dictionaries(
        st.sampled_from(["q", "category", "country", "season", "price"]), st.text(max_size=120)
    )
)
def test_filters_only_keep_known_values(params: dict[str, str]):
    f = Filters.from_query(params)
    assert f.season in ("", *SEASONS)
    assert f.price in ("", *PRICE_BANDS)
    assert f.country == "" or (len(f.country) == 2 and f.country.isalpha() and f.country.isupper())
    assert len(f.q) <= 100 and len(f.category) <= 80


@given(
    price=st.integers(min_value=0, max_value=10**9),
    retail=st.integers(min_value=0, max_value=10**9),
    labels=st.lists(st.sampled_from(["XS", "S", "M", "m", "L"]), max_size=5),
)
def test_product_rules(price: int, retail: int, labels: list[str]):
    data = {
        "name": "Dress",
        "price": price,
        "suggested_retail_price": retail,
        "sizes": [{"label": x} for x in labels],
    }
    duplicate = len({x.lower() for x in labels}) != len(labels)
    if retail < price or duplicate:
        with pytest.raises(ValidationError):
            BrandProductIn(**data)
    else:
        product = BrandProductIn(**data)
        assert product.suggested_retail_price >= product.price

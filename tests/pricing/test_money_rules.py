"""Conversion, rounding, tax and the totals equation (pure functions, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.pricing.currency import Conversion, format_rate, parse_rate
from mercato.pricing.totals import LineIn, TaxPolicy, compute_totals, tax_of


def test_conversion_rounds_half_up_to_the_cent():
    # Given 0.923450 EUR per USD
    eur = Conversion("USD", "EUR", 923_450, 1)
    # Then $10.00 is €9.2345 → €9.23 and $0.10 → 9.2345 cents → 9 cents; $1.30 → 120.0485 → 120
    assert eur.convert(1000) == 923
    assert eur.convert(10) == 9
    # half-up: 0.5 of a cent goes up
    assert Conversion("USD", "EUR", 1_500_000, 1).convert(1) == 2  # 1.5 cents → 2


def test_rounding_to_whole_units():
    # A rate rounded to whole pounds (100 minor units)
    gbp = Conversion("USD", "GBP", 790_000, 100)
    assert gbp.convert(4500) == 3600  # $45 → £35.55 → £36
    assert gbp.convert(4400) == 3500  # $44 → £34.76 → £35


def test_currencies_with_different_minor_digits():
    # USD has 2 decimals, JPY none, KWD 3: the rate is per major unit
    jpy = Conversion("USD", "JPY", 150_250_000, 1)
    assert jpy.convert(1000) == 1503  # $10.00 → ¥1502.5 → ¥1503
    kwd = Conversion("USD", "KWD", 307_000, 1)
    assert kwd.convert(1000) == 3070  # $10 → 3.070 KWD
    back = Conversion("JPY", "USD", 6_700, 1)  # ¥1 = $0.0067
    assert back.convert(1000) == 670  # ¥1000 → $6.70


def test_identity_conversion_is_exact():
    assert Conversion.identity("USD").convert(12345) == 12345


def test_parse_and_format_rates():
    assert parse_rate("0.9234") == 923_400
    assert format_rate(923_400) == "0.9234"
    for bad in ("0", "-1", "1.0000001", "abc", "NaN", "Infinity"):
        with pytest.raises(Exception):  # noqa: B017 - decimal or value errors
            parse_rate(bad)


def test_exclusive_tax_is_added_per_line_and_on_shipping():
    tax = TaxPolicy("Sales tax (NY)", 888, inclusive=False, applies_to_shipping=True)
    totals = compute_totals(
        [LineIn(1, 4500, 2), LineIn(2, 1299, 1)],
        conversion=Conversion.identity("USD"),
        shipping=1500,
        tax=tax,
    )
    # 9000 × 8.88 % = 799.2 → 799; 1299 × 8.88 % = 115.35 → 115; shipping 133.2 → 133
    assert [line.tax_amount for line in totals.lines] == [799, 115]
    assert totals.tax == 799 + 115 + 133
    assert totals.total == 10299 + 1500 + totals.tax
    assert not totals.tax_inclusive


def test_inclusive_tax_is_reported_not_added():
    vat = TaxPolicy("VAT (France)", 2000, inclusive=True, applies_to_shipping=True)
    totals = compute_totals(
        [LineIn(1, 12000, 1)], conversion=Conversion.identity("USD"), shipping=1800, tax=vat
    )
    # 120.00 contains 20.00 of VAT; shipping 18.00 contains 3.00
    assert totals.tax == 2000 + 300
    assert totals.total == 12000 + 1800
    assert totals.tax_inclusive


def test_shipping_untaxed_when_the_rule_says_so():
    tax = TaxPolicy("CA", 725, inclusive=False, applies_to_shipping=False)
    assert tax_of(1000, tax) == 73  # 72.5 → 73, half-up
    totals = compute_totals(
        [LineIn(1, 1000, 1)], conversion=Conversion.identity("USD"), shipping=900, tax=tax
    )
    assert totals.tax == 73


currencies = st.sampled_from(
    [
        Conversion.identity("USD"),
        Conversion("USD", "EUR", 923_457, 1),
        Conversion("USD", "GBP", 791_113, 1),
        Conversion("USD", "EUR", 920_000, 100),
        Conversion("USD", "JPY", 150_321_987, 1),  # 0-decimal
        Conversion("USD", "VND", 25_400_000_000, 1000),  # 0-decimal, rounded to 1000 đồng
    ]
)
lines = st.lists(
    st.builds(
        LineIn,
        product_id=st.integers(1, 10_000),
        unit_price=st.integers(0, 5_000_000),
        quantity=st.integers(1, 50),
    ),
    min_size=1,
    max_size=8,
)
policies = st.one_of(
    st.none(),
    st.builds(
        TaxPolicy,
        name=st.just("Tax"),
        rate_bp=st.integers(0, 10_000),
        inclusive=st.booleans(),
        applies_to_shipping=st.booleans(),
    ),
)


@given(
    lines=lines,
    conversion=currencies,
    shipping=st.integers(0, 100_000),
    gift_wrap=st.integers(0, 10_000),
    discount=st.integers(0, 1_000_000),
    tax=policies,
)
def test_totals_always_add_up(lines, conversion, shipping, gift_wrap, discount, tax):
    t = compute_totals(
        lines,
        conversion=conversion,
        shipping=shipping,
        gift_wrap=gift_wrap,
        discount=discount,
        tax=tax,
    )
    # The orders table's CHECK total_adds_up, and every amount non-negative
    exclusive_tax = 0 if t.tax_inclusive else t.tax
    assert t.total == t.subtotal + t.shipping + t.gift_wrap - t.discount + exclusive_tax
    assert min(t.subtotal, t.shipping, t.gift_wrap, t.discount, t.tax, t.total) >= 0
    # Lines: line_total = unit × qty (CHECK line_adds_up), each unit converted once
    for line_in, line in zip(lines, t.lines, strict=False):
        assert line.unit_price == conversion.convert(line_in.unit_price)
        assert line.line_total == line.unit_price * line.quantity
    assert t.subtotal == sum(line.line_total for line in t.lines)
    # The tax is the lines' taxes plus shipping's and gift wrap's, never more than taxed
    assert t.tax >= sum(line.tax_amount for line in t.lines)
    if tax is not None and tax.inclusive:
        assert t.tax <= t.subtotal + t.shipping + t.gift_wrap

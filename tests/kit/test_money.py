"""Money: integer minor units, exact splitting, half-up rounding, locale-correct formatting."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mercato.kit.money import CurrencyMismatch, Money, allocate, format_money

amounts = st.integers(min_value=-(10**15), max_value=10**15)
weights = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(
    lambda ws: sum(ws) > 0
)
currencies = st.sampled_from(["USD", "EUR", "GBP", "INR", "BDT", "VND"])


# ---- allocate ---------------------------------------------------------------------------


@given(total=amounts, ws=weights)
@example(total=100, ws=[1, 1, 1])
@example(total=-100, ws=[1, 1, 1])
@example(total=1, ws=[0, 5, 0])
def test_allocated_parts_add_up_exactly_to_the_total(total, ws):
    assert sum(allocate(total, ws)) == total


@given(total=amounts, ws=weights)
def test_each_part_is_within_one_unit_of_its_exact_share(total, ws):
    parts = allocate(total, ws)
    for part, weight in zip(parts, ws, strict=True):
        exact = Fraction(total) * weight / sum(ws)
        assert abs(part - exact) < 1


@given(total=amounts, ws=weights)
def test_a_zero_weight_gets_nothing_and_signs_follow_the_total(total, ws):
    parts = allocate(total, ws)
    for part, weight in zip(parts, ws, strict=True):
        if weight == 0:
            assert part == 0
        assert part * total >= 0  # never a negative share of a positive total, or vice versa


@given(total=amounts, ws=weights)
def test_allocation_is_deterministic_and_symmetric_for_negatives(total, ws):
    assert allocate(total, ws) == allocate(total, ws)
    assert allocate(-total, ws) == [-p for p in allocate(total, ws)]


@given(total=st.integers(min_value=0, max_value=10**9), n=st.integers(min_value=1, max_value=20))
def test_equal_weights_give_the_leftover_to_the_earliest_parts(total, n):
    # Order-stable: ties go to earlier parts, so the same split always looks the same
    parts = allocate(total, [1] * n)
    assert parts == sorted(parts, reverse=True)
    assert max(parts) - min(parts) <= 1


def test_allocate_examples():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(1000, [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")]) == [500, 250, 250]
    assert allocate(5, [3, 7]) == [2, 3]  # 1.5 and 3.5: equal remainders, the first wins


@pytest.mark.parametrize("bad", [[], [0, 0], [1, -1]])
def test_allocate_refuses_weights_that_cannot_split(bad):
    with pytest.raises(ValueError):
        allocate(100, bad)


@given(amount=amounts, currency=currencies, ws=weights)
def test_money_allocate_keeps_the_currency_and_the_total(amount, currency, ws):
    parts = Money(amount, currency).allocate(ws)
    assert {p.currency for p in parts} == {currency}
    assert sum(p.amount for p in parts) == amount


# ---- arithmetic -------------------------------------------------------------------------


@given(a=amounts, b=amounts, currency=currencies)
def test_add_and_subtract_are_inverse(a, b, currency):
    x, y = Money(a, currency), Money(b, currency)
    assert (x + y) - y == x
    assert x - x == Money.zero(currency)
    assert (-x).amount == -a and -(x - x) == x - x


@given(a=amounts, q=st.integers(min_value=-1000, max_value=1000))
def test_multiplying_by_a_quantity_is_exact(a, q):
    assert (Money(a, "USD") * q).amount == a * q
    assert (q * Money(a, "USD")).amount == a * q


def test_currencies_never_mix():
    with pytest.raises(CurrencyMismatch):
        Money(100, "USD") + Money(100, "EUR")
    with pytest.raises(CurrencyMismatch):
        Money(100, "INR") - Money(100, "BDT")


@pytest.mark.parametrize("bad", [1.5, "100", True, Decimal("1")])
def test_amounts_are_integers_of_minor_units(bad):
    with pytest.raises(TypeError):
        Money(bad, "USD")


def test_rates_are_not_floats():
    with pytest.raises(TypeError):
        Money(100, "USD") * 1.5  # type: ignore[operator]
    with pytest.raises(ValueError):
        Money(100, "usd")


@given(amount=amounts, currency=st.sampled_from(["USD", "EUR", "GBP", "INR", "BDT"]))
def test_two_decimal_currencies_round_trip_through_decimal(amount, currency):
    money = Money(amount, currency)
    assert money.to_decimal() == Decimal(amount) / 100
    assert Money.from_decimal(money.to_decimal(), currency) == money


@given(amount=amounts)
def test_vnd_has_no_minor_unit_and_round_trips(amount):
    money = Money(amount, "VND")
    assert money.to_decimal() == Decimal(amount)
    assert Money.from_decimal(money.to_decimal(), "VND") == money


def test_from_decimal_rounds_half_up_once():
    assert Money.from_decimal("12.345", "USD") == Money(1235, "USD")
    assert Money.from_decimal("12.344", "USD") == Money(1234, "USD")
    assert Money.from_decimal("-12.345", "USD") == Money(-1235, "USD")  # half away from zero
    assert Money.from_decimal("1250000.5", "VND") == Money(1250001, "VND")


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        (1000, 15, 150),
        (999, 15, 150),  # 149.85 → 150
        (1001, "2.5", 25),  # 25.025 → 25
        (1010, "2.5", 25),  # 25.25 → 25
        (1020, "2.5", 26),  # 25.5 → 26: half-up
        (-1020, "2.5", -26),
        (0, 18, 0),
    ],
)
def test_percent_rounds_half_up(amount, rate, expected):
    assert Money(amount, "INR").percent(rate) == Money(expected, "INR")


def test_basis_points_and_conversion():
    assert Money(10_000, "USD").basis_points(125) == Money(125, "USD")
    # 12.50 USD at 25,000 VND per USD is 312,500 VND
    assert Money(1250, "USD").convert("VND", Decimal("25000")) == Money(312_500, "VND")


# ---- formatting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (1_250_000, "VND", "vi-VN", "1.250.000\xa0₫"),
        (12_345_678, "BDT", "en-BD", "৳1,23,456.78"),
        (123_456_789, "INR", "en-IN", "₹12,34,567.89"),
        (123_456, "USD", "en", "$1,234.56"),
        (123_456, "EUR", "en", "€1,234.56"),
        (123_456, "GBP", "en", "£1,234.56"),
        (-1250, "USD", "en", "-$12.50"),
    ],
)
def test_formatting_is_locale_correct(amount, currency, locale, expected):
    assert format_money(amount, currency, locale) == expected


def test_south_asian_signs_replace_iso_codes_in_english():
    # Babel's plain English prints "BDT1,234.56"; shoppers expect the sign
    assert format_money(123_456, "BDT", "en").startswith("৳")
    assert format_money(123_456, "INR", "en").startswith("₹")
    assert "BDT" not in Money(100, "BDT").format("en-BD")


def test_euro_in_french_follows_french_conventions():
    formatted = format_money(123_456, "EUR", "fr")
    assert formatted.endswith("€")
    assert "234,56" in formatted

"""Wholesale pricing rules (seed 002: wholesalePricing.ts), pure functions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.wholesale.pricing import (
    MAX_WHOLESALE_LINE_QUANTITY,
    Terms,
    Tier,
    calculate_suggested_wholesale_price,
    check_quantity,
    check_terms,
    headline_price,
    margin_percent,
    next_tier_benefit,
    price_line,
    tier_rows,
    unit_price_for,
    valid_quantity_at_least,
)

# The seed's card: MOQ 10; 10-49 → ৳145, 50-199 → ৳135, 200+ → ৳120 (poisha).
SEED = Terms(
    wholesale_price=14500,
    moq=10,
    tiers=(Tier(10, 14500), Tier(50, 13500), Tier(200, 12000)),
)


@pytest.mark.parametrize(
    ("quantity", "unit"),
    [(9, 14500), (10, 14500), (49, 14500), (50, 13500), (199, 13500), (200, 12000)],
)
def test_tier_boundaries_price_every_unit_of_the_line(quantity: int, unit: int) -> None:
    # Given the seed's tiers, when a line has `quantity` units
    line = price_line(SEED, quantity)
    # then the tier the quantity reaches prices all of its units
    assert line.unit_price == unit
    assert line.line_total == unit * quantity


def test_the_seeds_hundred_units_pay_135_each() -> None:
    line = price_line(SEED, 100)
    assert (line.unit_price, line.line_total) == (13500, 1_350_000)
    assert line.tier == Tier(50, 13500)
    assert line.saving == (14500 - 13500) * 100


def test_boundaries_9_units_are_refused_below_moq_with_a_fix() -> None:
    problem = check_quantity(SEED, 9, name="cotton lungi")
    assert problem is not None and problem.code == "below_moq"
    assert "minimum order for cotton lungi is 10 units" in problem.message
    assert problem.fix_quantity == 10
    for ok in (10, 49, 50, 199, 200):
        assert check_quantity(SEED, ok) is None


def test_next_tier_prompt_at_40_units_is_the_seeds_sentence() -> None:
    # Given 40 units at ৳145, when the buyer looks at the next tier
    benefit = next_tier_benefit(SEED, 40)
    # then: add 10 more to pay ৳135/unit and save ৳500
    assert benefit is not None
    assert (benefit.add_quantity, benefit.target_quantity) == (10, 50)
    assert benefit.unit_price == 13500
    assert benefit.saving == 50000


def test_no_next_tier_at_the_top() -> None:
    assert next_tier_benefit(SEED, 200) is None
    assert next_tier_benefit(SEED, 5000) is None
    assert next_tier_benefit(SEED, 199).target_quantity == 200  # type: ignore[union-attr]


def test_case_pack_multiples_and_the_fix_rounds_up() -> None:
    terms = Terms(wholesale_price=5000, moq=24, order_multiple=12, tiers=(Tier(120, 4500),))
    assert check_quantity(terms, 24) is None
    assert check_quantity(terms, 36) is None
    odd = check_quantity(terms, 30, name="mustard oil 1 L")
    assert odd is not None and odd.code == "not_multiple"
    assert "cases of 12" in odd.message and odd.fix_quantity == 36
    low = check_quantity(terms, 5)
    assert low is not None and low.code == "below_moq" and low.fix_quantity == 24
    # the next tier counts up to a whole case
    assert valid_quantity_at_least(terms, 115) == 120
    assert next_tier_benefit(terms, 100).add_quantity == 20  # type: ignore[union-attr]


def test_moq_not_a_multiple_of_the_pack_fixes_to_the_first_whole_case() -> None:
    terms = Terms(wholesale_price=1000, moq=10, order_multiple=12)
    problem = check_quantity(terms, 10)
    assert problem is not None and problem.fix_quantity == 12
    assert headline_price(terms) == 1000


def test_too_many_units_point_to_a_quote() -> None:
    problem = check_quantity(SEED, MAX_WHOLESALE_LINE_QUANTITY + 1)
    assert problem is not None and problem.code == "too_many"
    assert "quote" in problem.message
    assert problem.fix_quantity == MAX_WHOLESALE_LINE_QUANTITY


def test_tier_table_rows() -> None:
    assert tier_rows(SEED) == [(10, 49, 14500), (50, 199, 13500), (200, None, 12000)]
    plain = Terms(wholesale_price=900, moq=6, tiers=(Tier(60, 800),))
    assert tier_rows(plain) == [(6, 59, 900), (60, None, 800)]


def test_check_terms_reports_each_mistake_with_its_field() -> None:
    assert check_terms(SEED) == []
    bad = Terms(
        wholesale_price=0,
        moq=10,
        order_multiple=0,
        tiers=(Tier(5, 100), Tier(50, 200), Tier(50, 150)),
    )
    fields = {field for field, _ in check_terms(bad)}
    assert {"wholesale_price", "order_multiple", "tiers.0.min_qty", "tiers.1.unit_price"} <= fields
    assert "tiers.2.min_qty" in fields or "tiers.1.min_qty" in fields


def test_suggested_price_reaches_the_target_margin() -> None:
    # ৳80 cost at a 40 % margin: 80 / 0.6 = 133.33 → 13334 poisha, rounded up
    assert calculate_suggested_wholesale_price(8000, 40) == 13334
    assert calculate_suggested_wholesale_price(8000, "40", step=100) == 13400
    assert calculate_suggested_wholesale_price(8000, 0) == 8000
    assert margin_percent(13500, 8000) == Decimal("40.74")  # the seed's report
    with pytest.raises(ValueError):
        calculate_suggested_wholesale_price(8000, 100)
    with pytest.raises(ValueError):
        calculate_suggested_wholesale_price(-1, 10)


tiers_strategy = st.lists(
    st.tuples(st.integers(1, 5000), st.integers(1, 100_000)), min_size=0, max_size=5
)


def _terms(moq: int, multiple: int, raw: list[tuple[int, int]]) -> Terms:
    # Sorted by quantity with prices non-increasing, as check_terms requires.
    mins = sorted({moq + m for m, _ in raw})
    prices = sorted((p for _, p in raw), reverse=True)[: len(mins)]
    return Terms(
        wholesale_price=200_000,
        moq=moq,
        order_multiple=multiple,
        tiers=tuple(map(Tier, mins, prices)),
    )


@given(st.integers(1, 100), st.integers(1, 24), tiers_strategy, st.integers(0, 20_000))
def test_property_line_total_is_unit_times_quantity_and_never_above_list(
    moq: int, multiple: int, raw: list[tuple[int, int]], quantity: int
) -> None:
    terms = _terms(moq, multiple, raw)
    assert check_terms(terms) == []
    line = price_line(terms, quantity)
    assert line.line_total == line.unit_price * quantity
    # more units never cost more per unit
    assert unit_price_for(terms, quantity + 1) <= line.unit_price
    # the fix is always orderable, at least the quantity asked, and within one case of it
    problem = check_quantity(terms, quantity)
    if problem is None:
        assert quantity >= moq and quantity % multiple == 0
    elif problem.fix_quantity is not None:
        fix = problem.fix_quantity
        assert check_quantity(terms, fix) is None
        assert fix >= quantity and fix - max(quantity, moq) < multiple


@given(st.integers(1, 100), st.integers(1, 24), tiers_strategy, st.integers(0, 20_000))
def test_property_next_tier_is_cheaper_and_its_saving_adds_up(
    moq: int, multiple: int, raw: list[tuple[int, int]], quantity: int
) -> None:
    terms = _terms(moq, multiple, raw)
    benefit = next_tier_benefit(terms, quantity)
    if benefit is None:
        return
    current = unit_price_for(terms, quantity)
    assert benefit.target_quantity == quantity + benefit.add_quantity
    assert benefit.add_quantity > 0
    assert check_quantity(terms, benefit.target_quantity) is None
    assert benefit.unit_price == unit_price_for(terms, benefit.target_quantity) < current
    assert benefit.saving == (current - benefit.unit_price) * benefit.target_quantity


@given(st.integers(0, 10_000_000), st.decimals(0, "99.99", places=2), st.sampled_from([1, 100]))
def test_property_suggested_price_meets_the_margin_by_the_least_step(
    cost: int, margin: Decimal, step: int
) -> None:
    price = calculate_suggested_wholesale_price(cost, margin, step=step)
    assert price % step == 0
    # margin reached: (price - cost) / price >= margin / 100
    assert (price - cost) * 100 >= margin * price
    # one step less would miss it (unless the price is already zero)
    lower = price - step
    if lower > 0:
        assert (lower - cost) * 100 < margin * lower

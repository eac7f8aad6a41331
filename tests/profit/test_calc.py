"""The seed's profit arithmetic, and the rounding rule that makes splits add up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.profit.calc import (
    Reversal,
    calculate_order_profit,
    calculate_product_profit,
    calculate_suggested_wholesale_price,
    format_bp,
    reverse_fraction,
)

TAKA = 100  # poisha per taka


def test_seed_example_100_units_at_135_with_cost_80():
    # Given the seed's order: 100 units at ৳135 (tier 2), cost ৳80, platform 15 %, seller 20 %
    line = calculate_product_profit(
        quantity=100,
        unit_price=135 * TAKA,
        unit_cost=80 * TAKA,
        platform_percentage=15,
        seller_percentage=20,
    )
    # Then every figure of the seed's box, in poisha
    assert line.revenue == 13_500 * TAKA
    assert line.cost == 8_000 * TAKA
    assert line.gross_profit == 5_500 * TAKA
    assert line.platform_share == 825 * TAKA
    assert line.remaining == 4_675 * TAKA
    assert line.seller_share == 935 * TAKA
    assert line.final_platform == 4_565 * TAKA
    assert line.profit_per_unit == 55 * TAKA
    # and the seed's report margin: 40.74 %
    assert format_bp(line.margin_bp) == "40.74 %"


def test_order_is_the_sum_of_its_lines():
    a = calculate_product_profit(
        quantity=100, unit_price=13500, unit_cost=8000, platform_percentage=15, seller_percentage=20
    )
    b = calculate_product_profit(
        quantity=3, unit_price=999, unit_cost=333, platform_percentage="12.5", seller_percentage=10
    )
    order = calculate_order_profit([a, b])
    assert order.revenue == a.revenue + b.revenue
    assert order.seller_share + order.final_platform == order.gross_profit
    assert order.platform_share + order.remaining == order.gross_profit


def test_half_up_once_per_line():
    # gross 1 poisha × 50 % = 0.5 → 1 (half-up), remaining 0, seller 0
    line = calculate_product_profit(
        quantity=1, unit_price=101, unit_cost=100, platform_percentage=50, seller_percentage=50
    )
    assert (line.platform_share, line.remaining, line.seller_share, line.final_platform) == (
        1,
        0,
        0,
        1,
    )


def test_loss_is_not_shared_with_the_seller():
    line = calculate_product_profit(
        quantity=10, unit_price=700, unit_cost=800, platform_percentage=15, seller_percentage=20
    )
    assert line.gross_profit == -1000
    assert line.seller_share == 0
    assert line.final_platform == -1000


@pytest.mark.parametrize("bad", [-1, 101, "nan"])
def test_percentages_outside_0_to_100_are_refused(bad):
    with pytest.raises(ValueError):
        calculate_product_profit(
            quantity=1, unit_price=1, unit_cost=0, platform_percentage=bad, seller_percentage=0
        )


def test_suggested_wholesale_price_reaches_the_target_margin():
    # cost ৳80 at a 40 % margin → ৳133.33…, rounded up to the poisha
    assert calculate_suggested_wholesale_price(8000, 40) == 13334
    assert calculate_suggested_wholesale_price(8000, 0) == 8000
    with pytest.raises(ValueError):
        calculate_suggested_wholesale_price(8000, 100)


percent = st.decimals(min_value=0, max_value=100, places=2)


@given(
    quantity=st.integers(min_value=0, max_value=100_000),
    unit_price=st.integers(min_value=0, max_value=10_000_000),
    unit_cost=st.integers(min_value=0, max_value=10_000_000),
    platform=percent,
    seller=percent,
)
def test_shares_always_add_up_exactly(quantity, unit_price, unit_cost, platform, seller):
    line = calculate_product_profit(
        quantity=quantity,
        unit_price=unit_price,
        unit_cost=unit_cost,
        platform_percentage=platform,
        seller_percentage=seller,
    )
    assert line.revenue - line.cost == line.gross_profit
    assert line.platform_share + line.remaining == line.gross_profit
    assert line.seller_share + line.final_platform == line.gross_profit
    if line.gross_profit > 0:
        assert 0 <= line.platform_share <= line.gross_profit
        assert 0 <= line.seller_share <= line.remaining
        # each share is within half a poisha of the exact percentage
        exact = Decimal(line.gross_profit) * platform / 100
        assert abs(Decimal(line.platform_share) - exact) <= Decimal("0.5")


@given(
    lines=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=500),
            st.integers(min_value=0, max_value=100_000),
            st.integers(min_value=0, max_value=100_000),
        ),
        min_size=1,
        max_size=8,
    ),
    platform=percent,
    seller=percent,
)
def test_order_totals_add_up(lines, platform, seller):
    order = calculate_order_profit(
        calculate_product_profit(
            quantity=q,
            unit_price=p,
            unit_cost=c,
            platform_percentage=platform,
            seller_percentage=seller,
        )
        for q, p, c in lines
    )
    assert order.seller_share + order.final_platform == order.gross_profit
    assert order.platform_share + order.remaining == order.gross_profit
    assert sum(ln.profit_per_unit * ln.quantity for ln in order.lines) == order.gross_profit


@given(
    revenue=st.integers(min_value=0, max_value=10**9),
    cost_ratio=st.decimals(min_value=0, max_value=1, places=3),
    amount=st.integers(min_value=1, max_value=10**9),
)
def test_partial_reversal_adds_up_and_never_exceeds_the_sale(revenue, cost_ratio, amount):
    cost = int(revenue * cost_ratio)
    sale = calculate_product_profit(
        quantity=1,
        unit_price=revenue,
        unit_cost=cost,
        platform_percentage=15,
        seller_percentage=20,
    )
    line = Reversal(
        1,
        sale.revenue,
        sale.cost,
        sale.gross_profit,
        sale.platform_share,
        sale.seller_share,
        sale.final_platform,
    )
    back = reverse_fraction(line, amount, max(revenue, 1))
    assert back.revenue - back.cost == back.gross_profit
    assert back.seller_share + back.final_platform == back.gross_profit
    assert 0 <= back.revenue <= sale.revenue
    assert 0 <= back.seller_share <= sale.seller_share

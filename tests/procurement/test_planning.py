"""The seed's inventory planning: alerts, reorder quantities, forecasts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from mercato.procurement.planning import (
    Severity,
    StockItem,
    calculate_reorder_quantity,
    daily_series,
    forecast_stock_requirements,
    generate_stock_alerts,
    smooth,
)


def item(**kw) -> StockItem:
    base = dict(product_id=1, name="Jute sacks", sku="JUTE-50", available=15, reorder_level=20)
    base.update(kw)
    return StockItem(**base)


def test_seed_example_15_on_the_shelf_reorder_level_20():
    # Given the seed's product: 15 units, reorder level 20, supplier minimum 100
    alerts = generate_stock_alerts([item(moq=100, unit_cost=8000)])
    # Then one CRITICAL alert: deficit 5, reorder 100, which meets the MOQ
    (alert,) = alerts
    assert alert.severity is Severity.CRITICAL
    assert alert.message == "CRITICAL LOW STOCK"
    assert alert.deficit == 5
    assert alert.reorder_quantity == 100
    assert alert.meets_moq
    assert alert.action == "Reorder 100 units now"
    assert alert.estimated_cost == 800_000  # the seed's ৳8,000


def test_low_within_the_margin_and_nothing_above_it():
    alerts = generate_stock_alerts(
        [
            item(product_id=1, available=25),
            item(product_id=2, available=30),
            item(product_id=3, available=20),
        ]
    )
    assert [(a.product_id, a.severity) for a in alerts] == [(3, Severity.LOW), (1, Severity.LOW)]
    assert all(a.deficit == 0 for a in alerts)


def test_critical_sorted_before_low_and_out_of_stock_named():
    alerts = generate_stock_alerts(
        [item(product_id=1, available=25), item(product_id=2, available=0, name="Rice")]
    )
    assert alerts[0].product_id == 2 and alerts[0].message == "OUT OF STOCK"


def test_a_product_without_reorder_level_never_alerts():
    assert generate_stock_alerts([item(available=0, reorder_level=0)]) == []


def test_reorder_respects_pack_size_and_what_is_on_order():
    # need 40 − 15 = 25 → packs of 12 → 36
    assert calculate_reorder_quantity(available=15, reorder_level=20, pack_size=12) == 36
    # MOQ 50 in packs of 12 → 60 (the minimum itself rounded up to whole packs)
    assert calculate_reorder_quantity(available=15, reorder_level=20, moq=50, pack_size=12) == 60
    # 30 already on order covers the target of 40
    assert calculate_reorder_quantity(available=15, reorder_level=20, on_order=30) == 0
    # lead-time demand raises the target: 40 + 5 days × 3 = 55 → 40
    assert (
        calculate_reorder_quantity(
            available=15, reorder_level=20, daily_demand=Decimal(3), lead_time_days=5
        )
        == 40
    )


def test_alert_covered_by_an_open_purchase_order_says_so():
    (alert,) = generate_stock_alerts([item(on_order=100, moq=100)])
    assert alert.reorder_quantity == 0
    assert alert.action == "100 units already on order"


@given(
    available=st.integers(min_value=-5, max_value=1000),
    level=st.integers(min_value=0, max_value=500),
    moq=st.integers(min_value=0, max_value=300),
    pack=st.integers(min_value=1, max_value=48),
    on_order=st.integers(min_value=0, max_value=500),
)
def test_reorder_quantity_meets_moq_and_packs(available, level, moq, pack, on_order):
    qty = calculate_reorder_quantity(
        available=available, reorder_level=level, moq=moq, pack_size=pack, on_order=on_order
    )
    if qty:
        assert qty % pack == 0
        assert qty >= moq
        assert available + on_order + qty >= 2 * level


def test_smoothing_follows_demand_and_forecast_dates():
    series = [10] * 30
    levels = smooth(series)
    assert levels[-1] == 10
    f = forecast_stock_requirements(
        series,
        available=55,
        today=date(2026, 11, 30),
        horizon_days=30,
        lead_time_days=5,
        moq=100,
        pack_size=10,
    )
    assert f.daily_demand == Decimal("10.00")
    assert f.days_of_cover == Decimal("5.5")
    assert f.stockout_date == date(2026, 12, 5)
    # 10 × 35 − 55 = 295 → whole packs of 10 → 300
    assert f.recommended_order == 300
    assert f.demand_over_horizon == 300


def test_no_demand_means_no_stockout_and_no_order():
    f = forecast_stock_requirements([0] * 14, available=5, today=date(2026, 11, 30))
    assert f.days_of_cover is None and f.stockout_date is None and f.recommended_order == 0


def test_daily_series_fills_days_without_sales():
    start = date(2026, 11, 1)
    assert daily_series(
        [(date(2026, 11, 2), 4), (date(2026, 11, 2), 1)], start, date(2026, 11, 4)
    ) == [0, 5, 0, 0]


def test_smoothing_reacts_to_a_rise():
    levels = smooth([2] * 20 + [20] * 10)
    assert levels[19] < levels[-1] < 20

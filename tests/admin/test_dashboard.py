"""Admin dashboard: paid revenue in the store currency net of refunds, per period, best
sellers, low stock, recent orders, an accessible SVG chart; empty states with no orders."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event
from tests.admin.conftest import ADMIN

from mercato.admin.dashboard_service import build_chart, day_starts, to_store_minor
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import ProductIn
from mercato.kit.time import utcnow
from mercato.models.orders import Order, OrderLine


async def _order(
    db,
    number,
    total,
    *,
    payment="paid",
    currency="USD",
    rate=1_000_000,
    refunded=0,
    days_ago=1,
    lines=(),
    user_id=None,
) -> Order:
    when = utcnow() - timedelta(days=days_ago)
    order = Order(
        number=number,
        email="buyer@example.test",
        customer_name="Ada Buyer",
        user_id=user_id,
        status="confirmed" if payment != "unpaid" else "pending",
        payment_status=payment,
        currency=currency,
        store_currency="USD",
        exchange_rate_micros=rate,
        subtotal=total,
        total=total,
        refunded_total=refunded,
        paid_at=when if payment != "unpaid" else None,
        created_at=when,
        updated_at=when,
    )
    db.add(order)
    await db.flush()
    for product, qty, unit in lines:
        db.add(
            OrderLine(
                order_id=order.id,
                product_id=product.id if product else None,
                sku=product.sku if product else "GONE",
                name=product.name if product else "Gone",
                quantity=qty,
                unit_price=unit,
                line_total=unit * qty,
            )
        )
    await db.flush()
    return order


async def test_empty_store_shows_zero_and_empty_states(admin_client):
    page = await admin_client.get(ADMIN)
    assert page.status_code == 200
    assert "No paid orders in the last 30 days yet" in page.text
    assert "No orders yet." in page.text
    assert "Nothing sold in this period." in page.text
    assert "<svg" in page.text and '<title id="chart-title">' in page.text
    assert '<desc id="chart-desc">' in page.text


async def test_revenue_counts_paid_orders_net_of_refunds_in_store_currency(admin_client, db):
    rose = await catalog_service.create_product(db, ProductIn(name="Rose", sku="R-1", price=10000))
    lav = await catalog_service.create_product(
        db, ProductIn(name="Lavender", sku="L-1", price=2000)
    )
    await _order(db, "AA-1", 10000, lines=[(rose, 1, 10000)])
    await _order(
        db, "AA-2", 6000, refunded=1000, payment="partially_refunded", lines=[(lav, 3, 2000)]
    )
    # 4600 EUR cents at 0.92 EUR per USD is 5000 US cents
    await _order(db, "AA-3", 4600, currency="EUR", rate=920_000, lines=[(lav, 2, 2300)])
    await _order(db, "AA-4", 99900, payment="unpaid")  # never paid: not revenue
    await _order(db, "AA-5", 50000, days_ago=45)  # outside 30 days
    page = await admin_client.get(ADMIN, params={"period": "30"})
    assert page.status_code == 200
    # 10000 + (6000 - 1000) + 5000 = 20000 cents over 3 orders
    assert "$200.00" in page.text
    assert "$66.67" in page.text  # average, half-up
    # best sellers: Lavender by units (5), Rose by revenue ($100 vs $60 + $50 = $110 -> Lavender)
    units = page.text.index("Best sellers by units")
    assert page.text.index("Lavender", units) < page.text.index("Rose", units)
    assert "AA-4" in page.text  # recent orders list every order, paid or not
    assert 'href="/atelier-arome/admin/orders/AA-1"' in page.text
    longer = await admin_client.get(ADMIN, params={"period": "90"})
    assert "$700.00" in longer.text
    nonsense = await admin_client.get(ADMIN, params={"period": "abc"})
    assert nonsense.status_code == 200 and "last 30 days" in nonsense.text


async def test_low_stock_lists_products_at_or_under_threshold(admin_client, db):
    await catalog_service.create_product(
        db, ProductIn(name="Plenty", sku="P-1", price=100), stock=50
    )
    await catalog_service.create_product(
        db, ProductIn(name="Scarce", sku="S-1", price=100), stock=2
    )
    page = await admin_client.get(ADMIN)
    low = page.text.index("Low stock")
    assert "Scarce" in page.text[low:] and "Plenty" not in page.text[low:]


async def test_dashboard_query_count_is_bounded(admin_client, db, runtime):
    async def queries() -> int:
        seen: list[str] = []
        engine = runtime.db.engine.sync_engine
        listener = lambda *a: seen.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert (await admin_client.get(ADMIN)).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    first = await queries()
    product = await catalog_service.create_product(db, ProductIn(name="Rose", sku="R-1", price=100))
    for n in range(15):
        await _order(db, f"Q-{n}", 100, days_ago=n, lines=[(product, 1, 100)])
    assert await queries() == first


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=10**9))
def test_conversion_back_is_exact_for_the_store_currency(amount, rate):
    assert to_store_minor(amount, "USD", rate, "USD") == amount
    converted = to_store_minor(amount, "EUR", rate, "USD")
    # within half a cent of the exact value
    assert abs(converted * rate - amount * 1_000_000) <= rate // 2 + 1


def test_days_follow_the_store_clock_across_daylight_saving():
    starts = day_starts(7, "Europe/Paris", now=datetime.fromisoformat("2026-03-31T12:00:00+00:00"))
    hours = {(b - a).total_seconds() / 3600 for a, b in zip(starts, starts[1:], strict=False)}
    assert hours == {24.0, 23.0}  # 29 March 2026 is 23 hours long in Paris


def test_chart_geometry_stays_inside_the_plot():
    from mercato.admin.dashboard_service import DayPoint

    today = utcnow().date()
    points = [DayPoint(day=today - timedelta(days=n), revenue=n * 137, orders=n) for n in range(30)]
    chart = build_chart(points)
    assert chart.top >= max(p.revenue for p in points)
    for bar in chart.bars:
        assert bar.height >= 0 and bar.y + bar.height <= chart.plot_bottom + 0.01
        assert chart.plot_left <= bar.x <= chart.width
    assert build_chart([DayPoint(day=today, revenue=0, orders=0)]).top == 0

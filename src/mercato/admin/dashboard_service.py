"""Sales figures for the admin dashboard, aggregated in SQL with a fixed number of queries.

Revenue counts paid orders only (payment status paid, partially refunded or refunded), net
of refunds, dated by when they were paid, in the STORE currency. An order charged in another
currency records how many units of it one unit of the store currency bought
(``exchange_rate_micros``); the queries group sums by (currency, rate), so each group is
converted back once, exactly, with Decimal and half-up rounding (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.money import half_up, minor_digits
from mercato.kit.time import utcnow
from mercato.models.catalog import Product
from mercato.models.commerce import RATE_SCALE
from mercato.models.inventory import Inventory
from mercato.models.orders import Order, OrderLine, PaymentStatus

PERIODS = (7, 30, 90)
PAID = (
    PaymentStatus.PAID.value,
    PaymentStatus.PARTIALLY_REFUNDED.value,
    PaymentStatus.REFUNDED.value,
)
TOP_LIMIT = 5
LOW_STOCK_LIMIT = 10
RECENT_LIMIT = 8


def to_store_minor(amount: int, currency: str, rate_micros: int, store_currency: str) -> int:
    """``amount`` minor units of ``currency`` back into the store currency's minor units."""
    if currency == store_currency or not rate_micros:
        return amount
    major = Decimal(amount).scaleb(-minor_digits(currency))
    store_major = major * RATE_SCALE / Decimal(rate_micros)
    return half_up(store_major.scaleb(minor_digits(store_currency)))


@dataclass
class DayPoint:
    day: date
    revenue: int  # store minor units
    orders: int


@dataclass
class TopProduct:
    product_id: int | None
    name: str
    units: int = 0
    revenue: int = 0


@dataclass
class SalesSummary:
    days: int
    start: datetime
    revenue: int = 0
    orders: int = 0
    refunded: int = 0
    series: list[DayPoint] = field(default_factory=list)
    top_by_units: list[TopProduct] = field(default_factory=list)
    top_by_revenue: list[TopProduct] = field(default_factory=list)

    @property
    def average(self) -> int:
        return half_up(Decimal(self.revenue) / self.orders) if self.orders else 0


def day_starts(days: int, timezone: str, now: datetime | None = None) -> list[datetime]:
    """Midnights (store time, as UTC) of the last ``days`` days, today included: each day's
    length follows the store's clock, so a daylight-saving change moves no sale to the
    wrong day."""
    tz = ZoneInfo(timezone)
    today = (now or utcnow()).astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    return [
        datetime.combine(first + timedelta(days=n), time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))
        for n in range(days)
    ]


def _day_bucket(column: Any, starts: list[datetime]) -> Any:
    """The index of the day a timestamp falls in, computed in SQL on both engines."""
    whens = [(column >= start, n) for n, start in reversed(list(enumerate(starts)))]
    return case(*whens, else_=-1)


async def sales_summary(
    db: AsyncSession, *, days: int, timezone: str, store_currency: str, now: datetime | None = None
) -> SalesSummary:
    starts = day_starts(days, timezone, now)
    start = starts[0]
    summary = SalesSummary(days=days, start=starts[0])
    paid_at = func.coalesce(Order.paid_at, Order.created_at)
    in_period = and_(Order.payment_status.in_(PAID), paid_at >= start)

    # 1. Revenue and counts per day and (currency, rate): at most days × rates rows.
    bucket = _day_bucket(paid_at, starts).label("bucket")
    rows = await db.execute(
        select(
            bucket,
            Order.currency,
            Order.exchange_rate_micros,
            func.count(),
            func.sum(Order.total - Order.refunded_total),
            func.sum(Order.refunded_total),
        )
        .where(in_period)
        .group_by(bucket, Order.currency, Order.exchange_rate_micros)
    )
    revenue = [0] * days
    orders = [0] * days
    for n, currency, rate, count, net, refunded in rows:
        if not 0 <= n < days:
            continue
        revenue[n] += to_store_minor(int(net or 0), currency, rate, store_currency)
        orders[n] += int(count)
        summary.refunded += to_store_minor(int(refunded or 0), currency, rate, store_currency)
    summary.series = [
        DayPoint(
            day=starts[n].astimezone(ZoneInfo(timezone)).date(),
            revenue=revenue[n],
            orders=orders[n],
        )
        for n in range(days)
    ]
    summary.revenue = sum(revenue)
    summary.orders = sum(orders)

    # 2. Units and line revenue per product and (currency, rate). Line totals are before
    # refunds: a best-seller list ranks what was sold.
    line_rows = await db.execute(
        select(
            OrderLine.product_id,
            func.max(OrderLine.name),
            Order.currency,
            Order.exchange_rate_micros,
            func.sum(OrderLine.quantity),
            func.sum(OrderLine.line_total),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(in_period)
        .group_by(OrderLine.product_id, Order.currency, Order.exchange_rate_micros)
    )
    products: dict[Any, TopProduct] = {}
    for product_id, name, currency, rate, units, total in line_rows:
        key = product_id if product_id is not None else f"deleted:{name}"
        top = products.setdefault(key, TopProduct(product_id=product_id, name=name))
        top.units += int(units or 0)
        top.revenue += to_store_minor(int(total or 0), currency, rate, store_currency)
    ranked = list(products.values())
    summary.top_by_units = sorted(ranked, key=lambda t: (-t.units, -t.revenue, t.name))[:TOP_LIMIT]
    summary.top_by_revenue = sorted(ranked, key=lambda t: (-t.revenue, -t.units, t.name))[
        :TOP_LIMIT
    ]
    return summary


@dataclass
class LowStock:
    product_id: int
    name: str
    sku: str
    available: int
    threshold: int


async def low_stock(db: AsyncSession, limit: int = LOW_STOCK_LIMIT) -> tuple[list[LowStock], int]:
    """Live products at or under their threshold, emptiest first, and how many there are."""
    available = Inventory.quantity - Inventory.reserved
    where = (Product.deleted_at.is_(None), available <= Inventory.low_stock_threshold)
    base = select(Product.id).join(Inventory, Inventory.product_id == Product.id).where(*where)
    total = int(await db.scalar(select(func.count()).select_from(base.subquery())) or 0)
    rows = await db.execute(
        select(Product.id, Product.name, Product.sku, available, Inventory.low_stock_threshold)
        .join(Inventory, Inventory.product_id == Product.id)
        .where(*where)
        .order_by(available.asc(), Product.name.asc(), Product.id.asc())
        .limit(limit)
    )
    return [LowStock(*row) for row in rows], total


async def recent_orders(db: AsyncSession, limit: int = RECENT_LIMIT) -> list[Order]:
    return list(
        await db.scalars(
            select(Order).order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
        )
    )


# --- the chart -----------------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    point: DayPoint


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, amount in store minor units)
    labels: list[tuple[float, date]]  # (x, day) for a few days under the axis
    top: int  # the highest amount the axis shows
    plot_left: int
    plot_bottom: int


def _nice_ceiling(value: int) -> int:
    """1, 2 or 5 times a power of ten, at or above ``value`` (for round axis ticks)."""
    if value <= 0:
        return 0
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def build_chart(points: Iterable[DayPoint], *, width: int = 720, height: int = 240) -> Chart:
    """Geometry of a bar chart in SVG user units; the template only draws it."""
    points = list(points)
    left, right, top_pad, bottom = 72, 8, 12, 28
    plot_w = width - left - right
    plot_h = height - top_pad - bottom
    top = _nice_ceiling(max((p.revenue for p in points), default=0))
    slot = plot_w / max(len(points), 1)
    bar_w = max(slot * 0.7, 1.0)
    bars = []
    for n, point in enumerate(points):
        h = (point.revenue / top * plot_h) if top else 0.0
        bars.append(
            Bar(
                x=round(left + n * slot + (slot - bar_w) / 2, 2),
                y=round(top_pad + plot_h - h, 2),
                width=round(bar_w, 2),
                height=round(h, 2),
                point=point,
            )
        )
    ticks = (
        [(round(top_pad + plot_h - plot_h * k / 4, 2), top * k // 4) for k in range(5)]
        if top
        else [(top_pad + plot_h, 0)]
    )
    every = max(1, len(points) // 4)
    labels = [
        (round(left + n * slot + slot / 2, 2), p.day)
        for n, p in enumerate(points)
        if n % every == 0 or n == len(points) - 1
    ]
    if len(labels) >= 2 and labels[-1][0] - labels[-2][0] < slot * every * 0.6:
        labels.pop(-2)  # keep the last day's label; drop its crowded neighbour
    return Chart(
        width=width,
        height=height,
        bars=bars,
        ticks=ticks,
        labels=labels,
        top=top,
        plot_left=left,
        plot_bottom=top_pad + plot_h,
    )

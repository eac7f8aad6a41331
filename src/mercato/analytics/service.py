"""Admin analytics: revenue and orders over time and top products (the dashboard's own
rules, reused), conversion from product views to orders, bookings per technician, ticket SLA.

Product views are counted in process and written every FLUSH_SECONDS by a short write
transaction of their own, as one upsert per (product, day): the product page stays a pure
read (no write lock on SQLite), and a view costs a dictionary increment. Views counted in
the last seconds before a process stops are lost; a conversion figure does not need them.

The report is cached per process for CACHE_SECONDS (the seed's "analytics: 5 minutes"):
no event says "the analytics changed", so a short TTL is the honest invalidation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from mercato.admin import dashboard_service
from mercato.bookings import slots
from mercato.db import insert_for
from mercato.kit.time import utcnow
from mercato.models import Order, OrderLine, Product
from mercato.models.analytics import ProductViewDaily
from mercato.models.bookings import Booking, Technician
from mercato.models.support import SupportTicket
from mercato.support import service as support_service

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.analytics")
FLUSH_SECONDS = 10.0
CACHE_SECONDS = 300.0
_VIEWS_KEY = "analytics.views"
_FLUSH_KEY = "analytics.flush"
_CACHE_KEY = "analytics.cache"


# --- product views -------------------------------------------------------------------------------


def count_view(runtime: StoreRuntime, product_id: int, now: datetime | None = None) -> None:
    """Count one view of ``product_id`` today (store time); schedule a flush if none is."""
    day = slots.local_day(now or utcnow(), runtime.config.timezone)
    views: Counter[tuple[int, date]] = runtime.extras.setdefault(_VIEWS_KEY, Counter())
    views[(product_id, day)] += 1
    task = runtime.extras.get(_FLUSH_KEY)
    if task is None or task.done():
        runtime.extras[_FLUSH_KEY] = asyncio.get_running_loop().create_task(_flush_later(runtime))


async def _flush_later(runtime: StoreRuntime) -> None:
    await asyncio.sleep(FLUSH_SECONDS)
    try:
        await flush_views(runtime)
    except Exception:  # noqa: BLE001 - counting views must never break anything
        log.exception("product views not written", extra={"store": runtime.slug})


async def flush_views(runtime: StoreRuntime) -> int:
    """Write the counted views (one upsert per product and day); returns rows written."""
    views: Counter[tuple[int, date]] = runtime.extras.get(_VIEWS_KEY) or Counter()
    if not views:
        return 0
    runtime.extras[_VIEWS_KEY] = Counter()  # new views count into a fresh counter meanwhile
    async with runtime.db.transaction(write=True) as db:
        await add_views(db, dict(views))
    return len(views)


async def add_views(db: AsyncSession, counts: dict[tuple[int, date], int]) -> None:
    make = insert_for(db.get_bind().dialect.name)
    existing = set(
        await db.scalars(select(Product.id).where(Product.id.in_({p for p, _ in counts})))
    )
    for (product_id, day), n in sorted(counts.items()):
        if product_id not in existing:
            continue  # deleted meanwhile
        stmt = make(ProductViewDaily).values(product_id=product_id, day=day, views=n)
        stmt = stmt.on_conflict_do_update(
            index_elements=["product_id", "day"], set_={"views": ProductViewDaily.views + n}
        )
        await db.execute(stmt)


async def product_page_hook(db: AsyncSession, request: Any, product: Any) -> dict[str, Any]:
    """Module.product_page: counts the view; adds nothing to the page."""
    count_view(request.state.runtime, int(product.id))
    return {}


# --- the report ----------------------------------------------------------------------------------


@dataclass
class Report:
    days: int
    sales: dashboard_service.SalesSummary
    views: int = 0
    viewed_products: int = 0
    ordered_views_orders: int = 0
    conversion: list[dict[str, Any]] = field(default_factory=list)
    technicians: list[dict[str, Any]] = field(default_factory=list)
    tickets: dict[str, Any] = field(default_factory=dict)
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def conversion_rate(self) -> float | None:
        return round(100 * self.ordered_views_orders / self.views, 2) if self.views else None


async def build_report(
    db: AsyncSession, runtime: StoreRuntime, days: int, now: datetime | None = None
) -> Report:
    now = now or utcnow()
    tz, currency = runtime.config.timezone, runtime.config.currency
    sales = await dashboard_service.sales_summary(
        db, days=days, timezone=tz, store_currency=currency, now=now
    )
    report = Report(days=days, sales=sales, generated_at=now)
    first_day = slots.local_day(sales.start, tz)

    views = dict(
        (
            await db.execute(
                select(ProductViewDaily.product_id, func.sum(ProductViewDaily.views))
                .where(ProductViewDaily.day >= first_day)
                .group_by(ProductViewDaily.product_id)
            )
        ).all()
    )
    paid_at = func.coalesce(Order.paid_at, Order.created_at)
    ordered = dict(
        (
            await db.execute(
                select(OrderLine.product_id, func.count(func.distinct(Order.id)))
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.payment_status.in_(dashboard_service.PAID), paid_at >= sales.start)
                .group_by(OrderLine.product_id)
            )
        ).all()
    )
    report.views = int(sum(views.values()))
    report.viewed_products = len(views)
    report.ordered_views_orders = int(sum(ordered.get(p, 0) for p in views))
    top = sorted(views.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    names = dict(
        (
            await db.execute(
                select(Product.id, Product.name).where(Product.id.in_([p for p, _ in top]))
            )
        ).all()
    )
    report.conversion = [
        {
            "product_id": pid,
            "name": names.get(pid, f"#{pid}"),
            "views": int(n),
            "orders": int(ordered.get(pid, 0)),
            "rate": round(100 * ordered.get(pid, 0) / n, 2) if n else 0.0,
        }
        for pid, n in top
    ]

    rows = await db.execute(
        select(Technician.display_name, Booking.status, func.count())
        .join(Booking, Booking.technician_id == Technician.id)
        .where(
            Booking.starts_at >= sales.start,
            Booking.starts_at < sales.start + timedelta(days=days + 60),
        )
        .group_by(Technician.display_name, Booking.status)
    )
    per_tech: dict[str, dict[str, Any]] = {}
    for name, status, n in rows:
        entry = per_tech.setdefault(name, {"technician": name, "total": 0})
        entry[status] = int(n)
        entry["total"] += int(n)
    report.technicians = sorted(per_tech.values(), key=lambda e: (-e["total"], e["technician"]))

    report.tickets = await support_service.sla_summary(db, now)
    breached = await db.scalar(
        select(func.count())
        .select_from(SupportTicket)
        .where(
            SupportTicket.created_at >= sales.start,
            func.coalesce(SupportTicket.first_response_at, now)
            > SupportTicket.first_response_due_at,
        )
    )
    total = await db.scalar(
        select(func.count())
        .select_from(SupportTicket)
        .where(SupportTicket.created_at >= sales.start)
    )
    report.tickets.update({"period_total": int(total or 0), "period_breached": int(breached or 0)})
    return report


async def cached_report(db: AsyncSession, runtime: StoreRuntime, days: int) -> Report:
    cache: dict[int, tuple[float, Report]] = runtime.extras.setdefault(_CACHE_KEY, {})
    hit = cache.get(days)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    report = await build_report(db, runtime, days)
    cache[days] = (time.monotonic(), report)
    return report


def report_json(report: Report) -> dict[str, Any]:
    sales = report.sales
    return {
        "days": report.days,
        "generated_at": report.generated_at.isoformat(),
        "revenue": sales.revenue,
        "orders": sales.orders,
        "refunded": sales.refunded,
        "series": [
            {"day": p.day.isoformat(), "revenue": p.revenue, "orders": p.orders}
            for p in sales.series
        ],
        "top_products": [
            {"product_id": t.product_id, "name": t.name, "units": t.units, "revenue": t.revenue}
            for t in sales.top_by_revenue
        ],
        "views": report.views,
        "conversion_rate_percent": report.conversion_rate,
        "conversion": report.conversion,
        "bookings_per_technician": report.technicians,
        "tickets": report.tickets,
    }

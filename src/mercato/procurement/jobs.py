"""Scheduled inventory work, in store time (cron in the store's timezone):

- daily 09:00: the inventory check: alerts, and a notification to every admin if any;
- monthly on the 1st, 07:00: the stock forecast of every planned product, with a
  notification listing those that will run out within the horizon.

The platform scheduler claims each (name, slot) once, whatever the number of workers.
Admins run the same functions on demand from the alerts page (``run_now``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from mercato.kit.time import utcnow
from mercato.platform.notifications import notify
from mercato.platform.scheduler import JobContext
from mercato.procurement import service
from mercato.profit import jobs as profit_jobs
from mercato.profit import settings

log = logging.getLogger(__name__)
MAX_LISTED = 5


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


async def daily_inventory_check(ctx: JobContext) -> str:
    found = await service.alerts(ctx.db, now=ctx.slot)
    critical = [a for a in found if a.severity.value == "critical"]
    if not found:
        return "no alerts"
    title = (
        f"{len(critical)} products below reorder level"
        if critical
        else f"{len(found)} products running low"
    )
    body = _names([f"{a.name} ({a.available} left)" for a in (critical or found)])
    link = ctx.runtime.path("admin/procurement/alerts")
    for user_id, _ in await profit_jobs.admin_emails(ctx.db):
        await notify(
            ctx.db,
            user_id=user_id,
            title=title,
            body=body,
            link=link,
            kind="warning" if critical else "info",
        )
    return f"{len(critical)} critical, {len(found) - len(critical)} low"


async def monthly_stock_forecast(ctx: JobContext) -> str:
    values = await settings.current(ctx.db)
    horizon = int(values[settings.HORIZON])
    items = await service.stock_items(ctx.db, now=ctx.slot)
    short = []
    for item in items:
        f = await service.forecast_product(
            ctx.db, item.product_id, timezone=ctx.runtime.config.timezone, now=ctx.slot
        )
        if (
            f.forecast.stockout_date is not None
            and f.forecast.days_of_cover is not None
            and (f.forecast.days_of_cover < horizon)
        ):
            short.append(f"{f.product.name} (out by {f.forecast.stockout_date:%d %b})")
    if short:
        link = ctx.runtime.path("admin/procurement/alerts")
        for user_id, _ in await profit_jobs.admin_emails(ctx.db):
            await notify(
                ctx.db,
                user_id=user_id,
                title=f"Stock forecast: {len(short)} products run out within {horizon} days",
                body=_names(short),
                link=link,
                kind="warning",
            )
    return f"{len(items)} products forecast, {len(short)} run out within {horizon} days"


Job = Callable[[JobContext], Awaitable[Any]]
ON_DEMAND: dict[str, Job] = {
    "inventory_check": daily_inventory_check,
    "profit_report": profit_jobs.weekly_profit_report,
    "stock_forecast": monthly_stock_forecast,
}


async def run_now(runtime: Any, db: Any, job: Job) -> Any:
    """Run ``job`` in the caller's transaction, for a slot of now."""
    ctx = JobContext(runtime=runtime, db=db, slot=utcnow())
    return await job(ctx)

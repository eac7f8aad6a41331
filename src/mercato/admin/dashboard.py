"""The admin dashboard: sales for a chosen period (revenue, orders, average order, a chart
with a table alternative, best sellers), stock running low, recent orders, and the shop's
people, email and background-work counters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse

from mercato.admin import dashboard_service, service
from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.identity.permissions import has_permission
from mercato.models import User
from mercato.web.deps import Db, Runtime

router = APIRouter()
DEFAULT_PERIOD = 30


def _period(raw: str | None) -> int:
    try:
        days = int(raw or DEFAULT_PERIOD)
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in dashboard_service.PERIODS else DEFAULT_PERIOD


@router.get("")
async def dashboard(
    request: Request,
    db: Db,
    runtime: Runtime,
    _: Annotated[User, Depends(require_permission("admin.access"))],
) -> HTMLResponse:
    config = runtime.config
    days = _period(request.query_params.get("period"))
    perms = getattr(request.state, "permissions", frozenset())
    counts = await service.dashboard_counts(db, timezone=config.timezone)
    # The orders tables exist in every store (one schema), so the figures are simply zero
    # where nothing was sold yet.
    sales = await dashboard_service.sales_summary(
        db, days=days, timezone=config.timezone, store_currency=config.currency
    )
    chart = dashboard_service.build_chart(sales.series)
    recent = await dashboard_service.recent_orders(db)
    low, low_total = [], 0
    if has_permission(perms, "inventory.stock.read"):
        low, low_total = await dashboard_service.low_stock(db)
    return admin_render(
        request,
        "admin/dashboard.html",
        {
            "counts": counts,
            "days": days,
            "periods": dashboard_service.PERIODS,
            "sales": sales,
            "chart": chart,
            "recent": recent,
            "low_stock": low,
            "low_stock_total": low_total,
        },
        section="",
    )

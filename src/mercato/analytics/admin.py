"""The admin analytics page and its CSV/PDF reports (``analytics.read``), in the language
of the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from mercato.admin import dashboard_service
from mercato.admin.pages import admin_render
from mercato.analytics import reports, service
from mercato.identity.deps import require_permission
from mercato.models import User
from mercato.web.deps import Db, Runtime

router = APIRouter(prefix="/analytics")
Reader = Annotated[User, Depends(require_permission("analytics.read"))]
PERIODS = (7, 30, 90)


def _days(request: Request) -> int:
    raw = request.query_params.get("days", "30")
    return int(raw) if raw.isdigit() and int(raw) in PERIODS else 30


def compact_amount(amount: int) -> str:
    """Axis labels short enough for the chart's margin: 12.500.000 → "12,5 tr" (triệu)."""
    if abs(amount) >= 1_000_000:
        return f"{amount / 1_000_000:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " tr"
    if abs(amount) >= 1_000:
        return f"{amount // 1_000} k"
    return str(amount)


@router.get("")
async def analytics_page(request: Request, db: Db, runtime: Runtime, _: Reader) -> Response:
    days = _days(request)
    report = await service.cached_report(db, runtime, days)
    return admin_render(
        request,
        "admin/analytics.html",
        {
            "report": report,
            "days": days,
            "periods": PERIODS,
            "chart": dashboard_service.build_chart(report.sales.series),
            "compact": compact_amount,
        },
        section="analytics",
    )


@router.get("/report.csv")
async def report_csv(request: Request, db: Db, runtime: Runtime, _: Reader) -> Response:
    days = _days(request)
    report = await service.cached_report(db, runtime, days)
    return Response(
        reports.to_csv(report, runtime.config.currency),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="bao-cao-{days}-ngay.csv"',
            "cache-control": "private, no-store",
        },
    )


@router.get("/report.pdf")
async def report_pdf(request: Request, db: Db, runtime: Runtime, _: Reader) -> Response:
    days = _days(request)
    report = await service.cached_report(db, runtime, days)
    return Response(
        reports.to_pdf(report, runtime.config),
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="bao-cao-{days}-ngay.pdf"',
            "cache-control": "private, no-store",
        },
    )

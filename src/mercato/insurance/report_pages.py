"""Admin reports of the insurance store (by period, with CSV and PDF exports) and the
API's ``GET /admin/reports`` and ``GET /admin/dashboard``. Reading needs ``insurance.read``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.identity.api_deps import Principal
from mercato.identity.deps import require_permission
from mercato.insurance import reports, states
from mercato.insurance import service as insurance_service
from mercato.kit.errors import PermissionDenied, ValidationFailed
from mercato.models import User
from mercato.web.deps import Db, Runtime

admin_router = APIRouter(prefix="/insurance")
api_router = APIRouter(tags=["insurance"])
Reader = Annotated[User, Depends(require_permission("insurance.read"))]
PRIVATE = {"cache-control": "no-store"}


def _period(request: Request, runtime) -> tuple[date, date]:
    today = insurance_service.local_today(runtime)
    return reports.parse_period(
        request.query_params.get("start"), request.query_params.get("end"), today
    )


def _filename(report: reports.Report, ext: str) -> dict[str, str]:
    name = f"insurance-report-{report.start}-{report.end}.{ext}"
    return {**PRIVATE, "content-disposition": f'attachment; filename="{name}"'}


async def _report(db, runtime, start: date, end: date) -> reports.Report:
    return await reports.build(
        db, start=start, end=end, timezone=runtime.config.timezone, currency=runtime.config.currency
    )


@admin_router.get("/reports")
async def report_page(request: Request, db: Db, runtime: Runtime, _: Reader) -> Response:
    errors: dict[str, str] = {}
    try:
        start, end = _period(request, runtime)
    except ValidationFailed as exc:
        errors[exc.field or "start"] = exc.message
        start, end = reports.default_period(insurance_service.local_today(runtime))
    report = await _report(db, runtime, start, end)
    query = f"start={report.start}&end={report.end}"
    return admin_render(
        request,
        "admin/insurance_reports.html",
        {
            "report": report,
            "measures": reports.MEASURES,
            "money_keys": reports.MONEY,
            "money_chart": reports.money_chart(report),
            "policy_chart": reports.policy_chart(report),
            "form": {
                "start": request.query_params.get("start", str(start))[:20],
                "end": request.query_params.get("end", str(end))[:20],
            },
            "errors": errors,
            "query": query,
        },
        section="insurance/reports",
        status_code=422 if errors else 200,
    )


@admin_router.get("/reports.csv")
async def report_csv(request: Request, db: Db, runtime: Runtime, _: Reader) -> Response:
    report = await _report(db, runtime, *_period(request, runtime))
    return Response(
        reports.to_csv(report),
        media_type="text/csv; charset=utf-8",
        headers=_filename(report, "csv"),
    )


@admin_router.get("/reports.pdf")
async def report_pdf(request: Request, db: Db, runtime: Runtime, _: Reader) -> Response:
    report = await _report(db, runtime, *_period(request, runtime))
    return Response(
        reports.to_pdf(report, runtime.config.name),
        media_type="application/pdf",
        headers=_filename(report, "pdf"),
    )


# --- API -----------------------------------------------------------------------------------


def _row_out(row: reports.Row) -> dict[str, Any]:
    out: dict[str, Any] = {"period": row.label, "start": row.start.isoformat()}
    for key in reports.MEASURES:
        out[key] = getattr(row, key)
    out["claims_ratio"] = row.claims_ratio
    return out


@api_router.get("/admin/reports")
async def api_report(
    request: Request,
    principal: Principal,
    db: Db,
    runtime: Runtime,
    format: Annotated[str, Query(pattern="^(json|csv|pdf)$")] = "json",  # noqa: A002
) -> Response:
    """Figures per day or month for ``start``..``end`` (YYYY-MM-DD; default the last twelve
    months) as JSON, or the same table as CSV or PDF (``format``). Amounts in paise."""
    if not principal.can("insurance.read"):
        raise PermissionDenied("You may not read insurance reports.")
    report = await _report(db, runtime, *_period(request, runtime))
    if format == "csv":
        return Response(
            reports.to_csv(report), media_type="text/csv", headers=_filename(report, "csv")
        )
    if format == "pdf":
        return Response(
            reports.to_pdf(report, runtime.config.name),
            media_type="application/pdf",
            headers=_filename(report, "pdf"),
        )
    from fastapi.responses import JSONResponse

    assert report.totals is not None
    return JSONResponse(
        {
            "start": report.start.isoformat(),
            "end": report.end.isoformat(),
            "granularity": report.granularity,
            "currency": report.currency,
            "rows": [_row_out(row) for row in report.rows],
            "totals": _row_out(report.totals),
        },
        headers=PRIVATE,
    )


@api_router.get("/admin/dashboard")
async def api_dashboard(principal: Principal, db: Db, runtime: Runtime) -> Response:
    """The admin dashboard's numbers: policies by status, premium, claims and their ratio,
    commissions and withdrawals waiting, and the last twelve months per month."""
    if not principal.can("insurance.read"):
        raise PermissionDenied("You may not read the insurance dashboard.")
    from fastapi.responses import JSONResponse

    numbers = await insurance_service.stats(db)
    start, end = reports.default_period(insurance_service.local_today(runtime))
    report = await _report(db, runtime, start, end)
    return JSONResponse(
        {
            **numbers,
            "pending": await reports.pending_agent_work(db),
            "months": [_row_out(row) for row in report.rows],
            "status_labels": {s: states.policy_label(s) for s in numbers["policies_by_status"]},
        },
        headers=PRIVATE,
    )

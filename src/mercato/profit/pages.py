"""The seller's own profit report (/<store>/seller/reports/profit) and its exports: only
the rows of the seller's products, and only the seller's share of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mercato.b2b import access
from mercato.kit.errors import DomainError
from mercato.profit import api as profit_api
from mercato.profit.views import report_context
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter(prefix="/seller/reports/profit")

OwnReports = Annotated[
    access.Abilities, Depends(access.require_ability(lambda a: a.reports is not None))
]


@router.get("")
async def seller_report(
    request: Request, db: Db, runtime: Runtime, abilities: OwnReports
) -> Response:
    q = request.query_params
    group = q.get("group", "week") if q.get("group") in ("day", "week", "month") else "week"
    try:
        report = await profit_api.build_report(
            db, runtime, abilities, start=q.get("from"), end=q.get("to"), group=group
        )
    except DomainError as exc:
        return redirect(request, "seller/reports/profit", exc.message, "error")
    context = report_context(report)
    context["export_base"] = "seller/reports/profit"
    response = render(request, "profit/seller_report.html", context)
    response.headers["cache-control"] = "no-store"
    return response


@router.get(".csv")
async def seller_csv(request: Request, db: Db, runtime: Runtime, abilities: OwnReports) -> Response:
    q = request.query_params
    report = await profit_api.build_report(
        db, runtime, abilities, start=q.get("from"), end=q.get("to"), group="week", top=0
    )
    return profit_api.csv_response(report)


@router.get(".pdf")
async def seller_pdf(request: Request, db: Db, runtime: Runtime, abilities: OwnReports) -> Response:
    q = request.query_params
    report = await profit_api.build_report(
        db, runtime, abilities, start=q.get("from"), end=q.get("to"), group="week", top=0
    )
    return profit_api.pdf_response(report, runtime.config.name)

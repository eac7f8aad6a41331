"""Admin pages: the profit configuration (settings, history, per-product platform %) and
the profit report with charts and exports. Reading needs "View Profit %" / "View Reports"
of the seed's matrix (b2b.access), every change "Set Profit %" and writes an audit row."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.b2b import access
from mercato.kit.errors import DomainError, NotFound
from mercato.models.catalog import Product
from mercato.platform import audit
from mercato.profit import api as profit_api
from mercato.profit import settings
from mercato.profit.views import report_context
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/profit")

Reader = Annotated[access.Abilities, Depends(access.require_ability(lambda a: a.view_profit_pct))]
Writer = Annotated[access.Abilities, Depends(access.require_ability(lambda a: a.set_profit_pct))]
ReportReader = Annotated[
    access.Abilities, Depends(access.require_ability(lambda a: a.reports == "all"))
]


@router.get("")
async def config_page(request: Request, db: Db, _: Reader) -> Response:
    values = await settings.current(db)
    return admin_render(
        request,
        "profit/admin_config.html",
        {
            "specs": settings.SPECS,
            "categories": settings.CATEGORIES,
            "values": values,
            "history": await settings.history(db, limit=50),
            "rates": await settings.all_product_rates(db),
        },
        section="profit",
    )


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}


@router.post("/settings")
async def save_setting(request: Request, db: Db, _: Writer) -> Response:
    form = await _form(request)
    key = form.get("key", "")
    before = (await settings.current(db)).get(key)
    try:
        row, value = await settings.set_value(
            db, key, form.get("value", ""), actor=request.state.user, note=form.get("note", "")
        )
    except DomainError as exc:
        return redirect(request, "admin/profit", exc.message, "error")
    if row is None:
        return redirect(request, "admin/profit", "Nothing changed.")
    await audit.record(
        db,
        actor=request.state.user,
        action="profit.config.set",
        entity_type="profit_setting",
        entity_id=key,
        before={"value": before},
        after={"value": value},
        request=request,
    )
    return redirect(request, "admin/profit", f"{settings.SPECS[key].label} is now {value}.")


@router.post("/products")
async def save_product_rate(request: Request, db: Db, _: Writer) -> Response:
    form = await _form(request)
    sku = form.get("sku", "").strip()
    product = await db.scalar(select(Product).where(Product.sku == sku[:64])) if sku else None
    try:
        if product is None:
            raise NotFound(f"No product has the SKU {sku!r}.", field="sku")
        before = (await settings.product_rates(db, [product.id])).get(product.id)
        rate = await settings.set_product_rate(
            db, product.id, form.get("platform_percentage"), actor=request.state.user
        )
    except DomainError as exc:
        return redirect(request, "admin/profit", exc.message, "error")
    await audit.record(
        db,
        actor=request.state.user,
        action="profit.product_rate.set",
        entity_type="product",
        entity_id=product.id,
        before={"platform_percentage": str(before) if before else None},
        after={"platform_percentage": str(rate) if rate is not None else None},
        request=request,
    )
    message = (
        f"{product.name} now uses the store's platform %."
        if rate is None
        else f"{product.name}: platform {rate} %."
    )
    return redirect(request, "admin/profit", message)


@router.get("/reports")
async def report_page(
    request: Request, db: Db, runtime: Runtime, abilities: ReportReader
) -> Response:
    q = request.query_params
    try:
        report = await profit_api.build_report(
            db,
            runtime,
            abilities,
            start=q.get("from"),
            end=q.get("to"),
            group=q.get("group", "week") if q.get("group") in ("day", "week", "month") else "week",
        )
    except DomainError as exc:
        return redirect(request, "admin/profit/reports", exc.message, "error")
    context = report_context(report)
    context["export_base"] = "admin/profit/reports"
    return admin_render(request, "profit/admin_reports.html", context, section="profit-reports")


@router.get("/reports.csv")
async def report_csv(
    request: Request, db: Db, runtime: Runtime, abilities: ReportReader
) -> Response:
    q = request.query_params
    report = await profit_api.build_report(
        db, runtime, abilities, start=q.get("from"), end=q.get("to"), group="week", top=0
    )
    return profit_api.csv_response(report)


@router.get("/reports.pdf")
async def report_pdf(
    request: Request, db: Db, runtime: Runtime, abilities: ReportReader
) -> Response:
    q = request.query_params
    report = await profit_api.build_report(
        db, runtime, abilities, start=q.get("from"), end=q.get("to"), group="week", top=0
    )
    return profit_api.pdf_response(report, runtime.config.name)

"""Profit in the JSON API (the seed's endpoints under /<store>/api/v1):

- ``GET/POST admin/profit-config``: the settings and their history; set one ``{key, value,
  category}`` (admins: "View/Set Profit %").
- ``GET/PUT/DELETE admin/profit-config/products/{product_id}``: a product's own platform %.
- ``GET admin/profit-reports``: the report (admins); ``POST admin/profit-reports {orderId}``
  records a paid order's profit if it is missing and answers its figures (the seed's flow).
- ``GET reports/profit`` (+ ``.csv``, ``.pdf``): admins everything, sellers their own part.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from mercato.b2b import access
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.models.b2b import Seller
from mercato.models.orders import Order
from mercato.platform import audit
from mercato.profit import calc, pdf, reports, service, settings
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["profit"])

ProfitReader = Annotated[
    access.Abilities, Depends(access.require_ability(lambda a: a.view_profit_pct))
]
ProfitWriter = Annotated[
    access.Abilities, Depends(access.require_ability(lambda a: a.set_profit_pct))
]
AllReports = Annotated[
    access.Abilities, Depends(access.require_ability(lambda a: a.reports == "all"))
]
AnyReports = Annotated[
    access.Abilities, Depends(access.require_ability(lambda a: a.reports is not None))
]


class SettingIn(BaseModel):
    key: str = Field(max_length=80, examples=["platform_profit_percentage"])
    value: str | int | float | bool = Field(examples=[15])
    category: str | None = Field(None, max_length=40, examples=["profit"])
    note: str = Field("", max_length=300)


class SettingOut(BaseModel):
    key: str
    category: str
    label: str
    value: str


class HistoryOut(BaseModel):
    id: int
    key: str
    category: str
    value: str
    note: str
    changed_by: int | None
    created_at: Any


class ConfigOut(BaseModel):
    success: bool = True
    config: list[SettingOut]
    history: list[HistoryOut]


class ProductRateIn(BaseModel):
    platform_percentage: str | int | float | None = Field(examples=["12.5"])


class ProductRateOut(BaseModel):
    product_id: int
    platform_percentage: str | None
    effective_percentage: str


async def _config(db) -> ConfigOut:
    values = await settings.current(db)
    rows = await settings.history(db)
    return ConfigOut(
        config=[
            SettingOut(key=k, category=s.category, label=s.label, value=values[k])
            for k, s in settings.SPECS.items()
        ],
        history=[
            HistoryOut(
                id=r.id,
                key=r.key,
                category=r.category,
                value=r.value,
                note=r.note,
                changed_by=r.changed_by,
                created_at=r.created_at,
            )
            for r in rows
        ],
    )


@router.get("/admin/profit-config", response_model=ConfigOut)
async def get_config(db: Db, _: ProfitReader) -> ConfigOut:
    return await _config(db)


@router.post("/admin/profit-config", response_model=ConfigOut)
async def set_config(request: Request, body: SettingIn, db: Db, _: ProfitWriter) -> ConfigOut:
    before = (await settings.current(db)).get(body.key)
    row, value = await settings.set_value(
        db, body.key, body.value, category=body.category, actor=request.state.user, note=body.note
    )
    if row is not None:
        await audit.record(
            db,
            actor=request.state.user,
            action="profit.config.set",
            entity_type="profit_setting",
            entity_id=body.key,
            before={"value": before},
            after={"value": value},
            request=request,
        )
    return await _config(db)


async def _rate_out(db, product_id: int) -> ProductRateOut:
    own = (await settings.product_rates(db, [product_id])).get(product_id)
    default = (await settings.current(db))[settings.PLATFORM]
    return ProductRateOut(
        product_id=product_id,
        platform_percentage=f"{own:.2f}" if own is not None else None,
        effective_percentage=f"{own:.2f}" if own is not None else default,
    )


@router.get("/admin/profit-config/products/{product_id}", response_model=ProductRateOut)
async def get_product_rate(product_id: int, db: Db, _: ProfitReader) -> ProductRateOut:
    return await _rate_out(db, product_id)


@router.put("/admin/profit-config/products/{product_id}", response_model=ProductRateOut)
async def put_product_rate(
    request: Request, product_id: int, body: ProductRateIn, db: Db, _: ProfitWriter
) -> ProductRateOut:
    before = await _rate_out(db, product_id)
    await settings.set_product_rate(
        db, product_id, body.platform_percentage, actor=request.state.user
    )
    after = await _rate_out(db, product_id)
    await audit.record(
        db,
        actor=request.state.user,
        action="profit.product_rate.set",
        entity_type="product",
        entity_id=product_id,
        before=before.model_dump(),
        after=after.model_dump(),
        request=request,
    )
    return after


@router.delete("/admin/profit-config/products/{product_id}", response_model=ProductRateOut)
async def delete_product_rate(
    request: Request, product_id: int, db: Db, _: ProfitWriter
) -> ProductRateOut:
    return await put_product_rate(
        request, product_id, ProductRateIn(platform_percentage=None), db, _
    )


async def build_report(
    db,
    runtime,
    abilities: access.Abilities,
    *,
    start: str | None,
    end: str | None,
    group: str,
    top: int = 10,
) -> reports.Report:
    today = reports.store_today(runtime.config.timezone)
    first, last = reports.parse_range(start, end, today=today)
    seller_id = None if abilities.reports == "all" else abilities.seller_id
    if abilities.reports != "all" and seller_id is None:  # "own" without a seller: nothing
        raise NotFound("No seller account is linked to you.")
    names = await seller_names(db) if seller_id is None else {}
    return await reports.build(
        db,
        start=first,
        end=last,
        timezone=runtime.config.timezone,
        currency=runtime.config.currency,
        group=group,
        seller_id=seller_id,
        seller_names=names,
        top=top,
    )


async def seller_names(db) -> dict[int, str]:
    return dict((await db.execute(select(Seller.id, Seller.display_name))).all())


Range = Annotated[str | None, Query(alias="from", description="First day, 2026-09-01")]
To = Annotated[str | None, Query(alias="to", description="Last day (inclusive)")]
Group = Annotated[str, Query(pattern="^(day|week|month)$")]


@router.get("/admin/profit-reports")
async def admin_reports(
    db: Db,
    runtime: Runtime,
    abilities: AllReports,
    start: Range = None,
    end: To = None,
    group: Group = "week",
) -> dict[str, Any]:
    report = await build_report(db, runtime, abilities, start=start, end=end, group=group)
    return {"success": True, "report": report.as_dict()}


class OrderReportIn(BaseModel):
    orderId: str = Field(max_length=32, description="The order number", examples=["W-000123"])  # noqa: N815


@router.post("/admin/profit-reports")
async def order_report(
    body: OrderReportIn, db: Db, runtime: Runtime, _: AllReports
) -> dict[str, Any]:
    order = await db.scalar(select(Order).where(Order.number == body.orderId))
    if order is None:
        raise NotFound("We could not find that order.", field="orderId")
    if order.status in service.UNPAID:
        raise ValidationFailed("This order is not paid yet: it has no profit.", field="orderId")
    await service.record_sale(db, order, store_currency=runtime.config.currency)
    summary = await service.order_summary(db, order.id)
    assert summary is not None
    return {
        "success": True,
        "report": {
            "order": order.number,
            "currency": runtime.config.currency,
            "revenue": summary.revenue,
            "cost": summary.cost,
            "profit": summary.gross_profit,
            "platform_share": summary.platform_share,
            "seller_share": summary.seller_share,
            "final_platform": summary.final_platform,
            "margin": calc.format_bp(calc.margin_bp(summary.gross_profit, summary.revenue)),
        },
    }


@router.get("/reports/profit")
async def my_reports(
    db: Db,
    runtime: Runtime,
    abilities: AnyReports,
    start: Range = None,
    end: To = None,
    group: Group = "week",
) -> dict[str, Any]:
    report = await build_report(db, runtime, abilities, start=start, end=end, group=group)
    return {"success": True, "report": report.as_dict()}


@router.get("/reports/profit.csv")
async def my_reports_csv(
    db: Db,
    runtime: Runtime,
    abilities: AnyReports,
    start: Range = None,
    end: To = None,
) -> Response:
    report = await build_report(db, runtime, abilities, start=start, end=end, group="week", top=0)
    return csv_response(report)


@router.get("/reports/profit.pdf")
async def my_reports_pdf(
    db: Db,
    runtime: Runtime,
    abilities: AnyReports,
    start: Range = None,
    end: To = None,
) -> Response:
    report = await build_report(db, runtime, abilities, start=start, end=end, group="week", top=0)
    return pdf_response(report, runtime.config.name)


def csv_response(report: reports.Report) -> Response:
    name = f"profit-{report.start}-{report.end}.csv"
    return Response(
        reports.to_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
        },
    )


def pdf_response(report: reports.Report, store_name: str) -> Response:
    name = f"profit-{report.start}-{report.end}.pdf"
    return Response(
        pdf.render_pdf(report, store_name),
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
        },
    )

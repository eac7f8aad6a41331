"""Admin pages of inventory planning: alerts (with "create purchase order"), purchase orders
(new, send, receive, close, cancel), the inventory log, forecasts, and "run now" for the
scheduled jobs. Every change writes an audit row."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.b2b import access
from mercato.kit.errors import DomainError, NotFound, ValidationFailed
from mercato.kit.pagination import page_number
from mercato.models.catalog import Product
from mercato.models.procurement import PurchaseOrderStatus
from mercato.platform import audit
from mercato.procurement import jobs, service
from mercato.procurement.views import forecast_chart
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/procurement")

Reader = Annotated[
    access.Abilities, Depends(access.require_ability(lambda a: a.inventory == "all"))
]
Purchaser = Annotated[
    access.Abilities,
    Depends(access.require_ability(lambda a: a.inventory == "all" and a.products == "all")),
]


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}


@router.get("/alerts")
async def alerts_page(request: Request, db: Db, _: Reader) -> Response:
    return admin_render(
        request,
        "procurement/admin_alerts.html",
        {"alerts": await service.alerts(db)},
        section="procurement",
    )


@router.post("/alerts/order")
async def order_from_alerts(request: Request, db: Db, runtime: Runtime, _: Purchaser) -> Response:
    form = await request.form()
    ids = [int(v) for v in form.getlist("product_id") if str(v).isdigit()]
    try:
        made = await service.create_from_alerts(
            db,
            product_ids=ids,
            currency=runtime.config.currency,
            timezone=runtime.config.timezone,
            actor=request.state.user,
        )
    except DomainError as exc:
        return redirect(request, "admin/procurement/alerts", exc.message, "error")
    for po in made:
        await audit.record(
            db,
            actor=request.state.user,
            action="purchase_order.create",
            entity_type="purchase_order",
            entity_id=po.number,
            after={"supplier": po.supplier, "total_cost": po.total_cost, "from": "alerts"},
            request=request,
        )
    if len(made) == 1:
        return redirect(
            request,
            f"admin/procurement/purchase-orders/{made[0].number}",
            f"Draft {made[0].number} created from the alert.",
        )
    return redirect(
        request,
        "admin/procurement/purchase-orders",
        f"{len(made)} drafts created, one per supplier.",
    )


@router.get("/purchase-orders")
async def po_list(request: Request, db: Db, _: Purchaser) -> Response:
    status = request.query_params.get("status", "")
    if status not in {s.value for s in PurchaseOrderStatus}:
        status = ""
    page = await service.list_pos(
        db, status=status, page=page_number(request.query_params.get("page"))
    )
    return admin_render(
        request,
        "procurement/admin_pos.html",
        {"page": page, "status": status, "statuses": list(PurchaseOrderStatus)},
        section="procurement-po",
    )


@router.get("/purchase-orders/new")
async def po_new(request: Request, db: Db, _: Purchaser) -> Response:
    return admin_render(
        request, "procurement/admin_po_new.html", {"form": {}}, section="procurement-po"
    )


@router.post("/purchase-orders/new")
async def po_create(request: Request, db: Db, runtime: Runtime, _: Purchaser) -> Response:
    form = await _form(request)
    try:
        sku = form.get("sku", "").strip()
        product = await db.scalar(select(Product).where(Product.sku == sku[:64])) if sku else None
        if product is None:
            raise NotFound(f"No product has the SKU {sku!r}.", field="sku")
        raw_qty = form.get("quantity", "").strip()
        if not raw_qty.isdigit() or int(raw_qty) <= 0:
            raise ValidationFailed("Order at least one unit.", field="quantity")
        raw_date = form.get("expected_date", "").strip()
        expected = date.fromisoformat(raw_date) if raw_date else None
        po = await service.create_purchase_order(
            db,
            supplier=form.get("supplier", ""),
            lines=[service.LineIn(product.id, int(raw_qty))],
            currency=runtime.config.currency,
            timezone=runtime.config.timezone,
            expected_date=expected,
            notes=form.get("notes", ""),
            actor=request.state.user,
        )
    except (DomainError, ValueError) as exc:
        message = exc.message if isinstance(exc, DomainError) else "Dates look like 2026-11-30."
        return redirect(request, "admin/procurement/purchase-orders/new", message, "error")
    await audit.record(
        db,
        actor=request.state.user,
        action="purchase_order.create",
        entity_type="purchase_order",
        entity_id=po.number,
        after={"supplier": po.supplier, "total_cost": po.total_cost},
        request=request,
    )
    return redirect(
        request, f"admin/procurement/purchase-orders/{po.number}", f"Draft {po.number} created."
    )


@router.get("/purchase-orders/{number}")
async def po_detail(request: Request, db: Db, number: str, _: Purchaser) -> Response:
    po = await service.get_po(db, number)
    lines = await service.po_lines(db, po)
    return admin_render(
        request,
        "procurement/admin_po.html",
        {
            "po": po,
            "lines": lines,
            "line_names": {ln.id: ln.name for ln in lines},
            "receipts": await service.receipts(db, po),
        },
        section="procurement-po",
    )


@router.post("/purchase-orders/{number}/{action}")
async def po_action(request: Request, db: Db, number: str, action: str, _: Purchaser) -> Response:
    target = f"admin/procurement/purchase-orders/{number}"
    before = (await service.get_po(db, number)).status
    form = await request.form()
    try:
        if action == "send":
            await service.send(db, number)
            message = "Marked as sent to the supplier."
        elif action == "close":
            await service.close(db, number)
            message = "Purchase order closed."
        elif action == "cancel":
            await service.cancel(db, number)
            message = "Purchase order cancelled."
        elif action == "receive":
            quantities: dict[int, int] = {}
            for key, value in form.items():
                if key.startswith("line-") and str(value).strip():
                    raw = str(value).strip()
                    if not raw.isdigit():
                        raise ValidationFailed("Enter whole units.", field=key)
                    quantities[int(key.removeprefix("line-"))] = int(raw)
            made = await service.receive(db, number, quantities, actor=request.state.user)
            message = f"{sum(r.quantity for r in made)} units booked into stock."
        else:
            raise NotFound("No such action.")
    except DomainError as exc:
        return redirect(request, target, exc.message, "error")
    after = (await service.get_po(db, number)).status
    await audit.record(
        db,
        actor=request.state.user,
        action=f"purchase_order.{action}",
        entity_type="purchase_order",
        entity_id=number,
        before={"status": before},
        after={"status": after},
        request=request,
    )
    return redirect(request, target, message)


@router.get("/logs")
async def log_page(request: Request, db: Db, runtime: Runtime, _: Reader) -> Response:
    try:
        filters = service.LogFilters.parse(request.query_params)
        error = ""
    except DomainError as exc:
        filters, error = service.LogFilters(), exc.message
    page = await service.logs(
        db,
        filters,
        timezone=runtime.config.timezone,
        page=page_number(request.query_params.get("page")),
    )
    return admin_render(
        request,
        "procurement/admin_logs.html",
        {
            "page": page,
            "filters": filters,
            "actions": service.ACTIONS,
            "action_of": service.action_of,
            "error": error,
        },
        section="procurement-logs",
    )


@router.get("/forecast/{product_id:int}")
async def forecast_page(
    request: Request, db: Db, runtime: Runtime, product_id: int, _: Reader
) -> Response:
    f = await service.forecast_product(db, product_id, timezone=runtime.config.timezone)
    return admin_render(
        request,
        "procurement/forecast.html",
        {"f": f, "chart": forecast_chart(f), "admin": True},
        section="procurement",
    )


@router.post("/jobs/{name}")
async def run_job(request: Request, db: Db, runtime: Runtime, name: str, _: Purchaser) -> Response:
    """Run a scheduled job now, in this request's transaction (its slot is now)."""
    job = jobs.ON_DEMAND.get(name)
    if job is None:
        raise NotFound("No such job.")
    summary: Any = await jobs.run_now(runtime, db, job)
    await audit.record(
        db,
        actor=request.state.user,
        action="job.run",
        entity_type="job",
        entity_id=name,
        after={"summary": summary},
        request=request,
    )
    return redirect(
        request, "admin/procurement/alerts", f"Ran “{name.replace('_', ' ')}”: {summary}"
    )

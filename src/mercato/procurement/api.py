"""Inventory planning in the JSON API (/<store>/api/v1):

- ``GET inventory/alerts``, ``GET inventory/logs``, ``GET inventory/forecast?product_id=``:
  admins see every product, sellers their own ("View Inventory: Own").
- ``purchase-orders``: list, create (lines or ``from_alerts``), read, ``send``, ``receive``,
  ``close``, ``cancel``: admins only (buying stock is the platform's business).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from mercato.b2b import access
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.models.procurement import PurchaseOrder
from mercato.platform import audit
from mercato.procurement import service
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["inventory planning"])

InventoryReader = Annotated[
    access.Abilities, Depends(access.require_ability(lambda a: a.inventory is not None))
]
Purchaser = Annotated[
    access.Abilities,
    Depends(access.require_ability(lambda a: a.inventory == "all" and a.products == "all")),
]


async def allowed_products(db, abilities: access.Abilities) -> set[int] | None:
    """None for everything (admins), else the seller's own product ids."""
    if abilities.inventory == "all":
        return None
    if abilities.seller_id is None:
        return set()
    return await access.product_ids_of_seller(db, abilities.seller_id)


class AlertOut(BaseModel):
    product_id: int
    sku: str
    name: str
    severity: str
    message: str
    action: str
    available: int
    reorder_level: int
    deficit: int
    on_order: int
    reorder_quantity: int
    meets_moq: bool
    estimated_cost: int


@router.get("/inventory/alerts", response_model=list[AlertOut])
async def get_alerts(db: Db, abilities: InventoryReader) -> list[AlertOut]:
    allowed = await allowed_products(db, abilities)
    found = await service.alerts(db, product_ids=allowed)
    return [
        AlertOut(
            product_id=a.product_id,
            sku=a.sku,
            name=a.name,
            severity=a.severity.value.upper(),
            message=a.message,
            action=a.action,
            available=a.available,
            reorder_level=a.reorder_level,
            deficit=a.deficit,
            on_order=a.on_order,
            reorder_quantity=a.reorder_quantity,
            meets_moq=a.meets_moq,
            estimated_cost=a.estimated_cost,
        )
        for a in found
    ]


class LogOut(BaseModel):
    id: int
    product_id: int
    sku: str
    action: str
    quantity: int
    previous: int
    new: int
    reference: str
    reason: str
    created_at: Any


class LogPage(BaseModel):
    items: list[LogOut]
    page: int
    pages: int
    total: int


@router.get("/inventory/logs", response_model=LogPage)
async def get_logs(
    request: Request,
    db: Db,
    runtime: Runtime,
    abilities: InventoryReader,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> LogPage:
    filters = service.LogFilters.parse(request.query_params)
    found = await service.logs(
        db,
        filters,
        timezone=runtime.config.timezone,
        allowed_products=await allowed_products(db, abilities),
        page=page,
    )
    return LogPage(
        items=[
            LogOut(
                id=m.id,
                product_id=m.product_id,
                sku=p.sku,
                action=service.action_of(m.kind, m.reference),
                quantity=m.quantity_delta,
                previous=m.quantity_before,
                new=m.quantity_after,
                reference=m.reference,
                reason=m.reason,
                created_at=m.created_at,
            )
            for m, p in found.items
        ],
        page=found.page,
        pages=found.pages,
        total=found.total,
    )


class ForecastOut(BaseModel):
    product_id: int
    sku: str
    available: int
    on_order: int
    reorder_level: int
    daily_demand: str
    days_of_cover: str | None
    stockout_date: date | None
    horizon_days: int
    demand_over_horizon: int
    recommended_order: int
    history: list[dict[str, Any]]


@router.get("/inventory/forecast", response_model=ForecastOut)
async def get_forecast(
    db: Db,
    runtime: Runtime,
    abilities: InventoryReader,
    product_id: Annotated[int, Query(ge=1)],
) -> ForecastOut:
    allowed = await allowed_products(db, abilities)
    if allowed is not None and product_id not in allowed:
        raise NotFound("We could not find that product's stock.", field="product_id")
    f = await service.forecast_product(db, product_id, timezone=runtime.config.timezone)
    return ForecastOut(
        product_id=f.product.id,
        sku=f.product.sku,
        available=f.available,
        on_order=f.on_order,
        reorder_level=f.reorder_level,
        daily_demand=str(f.forecast.daily_demand),
        days_of_cover=str(f.forecast.days_of_cover)
        if f.forecast.days_of_cover is not None
        else None,
        stockout_date=f.forecast.stockout_date,
        horizon_days=f.forecast.horizon_days,
        demand_over_horizon=f.forecast.demand_over_horizon,
        recommended_order=f.forecast.recommended_order,
        history=[
            {"date": d.isoformat(), "units": u, "smoothed": str(s)}
            for d, u, s in zip(f.days, f.sales, f.forecast.smoothed, strict=True)
        ],
    )


class LineIn(BaseModel):
    product_id: int
    quantity: int = Field(gt=0)
    unit_cost: int | None = Field(None, ge=0, description="Minor units; default: supply cost")


class PurchaseOrderIn(BaseModel):
    supplier: str = Field("", max_length=200)
    expected_date: date | None = None
    notes: str = Field("", max_length=4000)
    lines: list[LineIn] = Field(default_factory=list, max_length=200)
    from_alerts: list[int] | None = Field(
        None, description="Product ids: one draft per supplier with the suggested quantities"
    )


class PoLineOut(BaseModel):
    id: int
    product_id: int
    sku: str
    name: str
    quantity_ordered: int
    quantity_received: int
    unit_cost: int


class PurchaseOrderOut(BaseModel):
    number: str
    supplier: str
    status: str
    currency: str
    expected_date: date | None
    total_cost: int
    notes: str
    created_at: Any
    sent_at: Any
    received_at: Any
    closed_at: Any
    lines: list[PoLineOut] = []


async def po_out(db, po: PurchaseOrder, *, lines: bool = True) -> PurchaseOrderOut:
    out = PurchaseOrderOut(
        number=po.number,
        supplier=po.supplier,
        status=po.status,
        currency=po.currency,
        expected_date=po.expected_date,
        total_cost=po.total_cost,
        notes=po.notes,
        created_at=po.created_at,
        sent_at=po.sent_at,
        received_at=po.received_at,
        closed_at=po.closed_at,
    )
    if lines:
        out.lines = [
            PoLineOut(
                id=ln.id,
                product_id=ln.product_id,
                sku=ln.sku,
                name=ln.name,
                quantity_ordered=ln.quantity_ordered,
                quantity_received=ln.quantity_received,
                unit_cost=ln.unit_cost,
            )
            for ln in await service.po_lines(db, po)
        ]
    return out


@router.get("/purchase-orders")
async def list_purchase_orders(
    db: Db, _: Purchaser, status: str = "", page: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> dict[str, Any]:
    found = await service.list_pos(db, status=status[:20], page=page)
    return {
        "items": [(await po_out(db, po, lines=False)).model_dump() for po in found.items],
        "page": found.page,
        "pages": found.pages,
        "total": found.total,
    }


@router.post("/purchase-orders", status_code=201)
async def create_purchase_order(
    request: Request, body: PurchaseOrderIn, db: Db, runtime: Runtime, _: Purchaser
) -> dict[str, Any]:
    user = request.state.user
    if body.from_alerts is not None:
        made = await service.create_from_alerts(
            db,
            product_ids=body.from_alerts,
            currency=runtime.config.currency,
            timezone=runtime.config.timezone,
            actor=user,
        )
    else:
        made = [
            await service.create_purchase_order(
                db,
                supplier=body.supplier,
                lines=[
                    service.LineIn(ln.product_id, ln.quantity, ln.unit_cost) for ln in body.lines
                ],
                currency=runtime.config.currency,
                timezone=runtime.config.timezone,
                expected_date=body.expected_date,
                notes=body.notes,
                actor=user,
            )
        ]
    for po in made:
        await audit.record(
            db,
            actor=user,
            action="purchase_order.create",
            entity_type="purchase_order",
            entity_id=po.number,
            after={"supplier": po.supplier, "total_cost": po.total_cost},
            request=request,
        )
    return {"items": [(await po_out(db, po)).model_dump() for po in made]}


@router.get("/purchase-orders/{number}", response_model=PurchaseOrderOut)
async def get_purchase_order(number: str, db: Db, _: Purchaser) -> PurchaseOrderOut:
    return await po_out(db, await service.get_po(db, number))


async def _step(request: Request, db, number: str, action: str, work) -> PurchaseOrderOut:
    before = (await service.get_po(db, number)).status
    po = await work()
    await audit.record(
        db,
        actor=request.state.user,
        action=f"purchase_order.{action}",
        entity_type="purchase_order",
        entity_id=number,
        before={"status": before},
        after={"status": po.status},
        request=request,
    )
    return await po_out(db, po)


@router.post("/purchase-orders/{number}/send", response_model=PurchaseOrderOut)
async def send_purchase_order(
    request: Request, number: str, db: Db, _: Purchaser
) -> PurchaseOrderOut:
    return await _step(request, db, number, "send", lambda: service.send(db, number))


@router.post("/purchase-orders/{number}/close", response_model=PurchaseOrderOut)
async def close_purchase_order(
    request: Request, number: str, db: Db, _: Purchaser
) -> PurchaseOrderOut:
    return await _step(request, db, number, "close", lambda: service.close(db, number))


@router.post("/purchase-orders/{number}/cancel", response_model=PurchaseOrderOut)
async def cancel_purchase_order(
    request: Request, number: str, db: Db, _: Purchaser
) -> PurchaseOrderOut:
    return await _step(request, db, number, "cancel", lambda: service.cancel(db, number))


class ReceiveLine(BaseModel):
    line_id: int
    quantity: int = Field(gt=0)


class ReceiveIn(BaseModel):
    lines: list[ReceiveLine] = Field(min_length=1, max_length=200)


@router.post("/purchase-orders/{number}/receive", response_model=PurchaseOrderOut)
async def receive_purchase_order(
    request: Request, number: str, body: ReceiveIn, db: Db, _: Purchaser
) -> PurchaseOrderOut:
    quantities: dict[int, int] = {}
    for i, line in enumerate(body.lines):
        if line.line_id in quantities:
            raise ValidationFailed("Each line once per receipt.", field=f"lines.{i}.line_id")
        quantities[line.line_id] = line.quantity

    async def work():
        await service.receive(db, number, quantities, actor=request.state.user)
        return await service.get_po(db, number)

    return await _step(request, db, number, "receive", work)

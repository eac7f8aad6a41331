"""Stock of one product in the admin: counters, restock and adjustments with a required
reason (through inventory_service.adjust, so every change is a ledger row and never drops
below the reserved units), the low-stock threshold, and the movement ledger page by page.

Reading needs ``inventory.stock.read``; changes need ``inventory.stock.write`` and write an
audit row besides the ledger row (the ledger says what happened to the stock, the audit log
who did what in the admin).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.inventory import service as inventory_service
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.pagination import page_number as _page_number
from mercato.kit.pagination import paginate
from mercato.models import User
from mercato.models.catalog import Product
from mercato.models.inventory import Inventory, MovementKind, StockMovement
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter(prefix="/products")

Reader = Annotated[User, Depends(require_permission("inventory.stock.read"))]
Writer = Annotated[User, Depends(require_permission("inventory.stock.write"))]
LEDGER_PER_PAGE = 25
REASON_MAX = 500
KINDS = {"restock": MovementKind.RESTOCK, "adjustment": MovementKind.ADJUSTMENT}


async def _product(db: Any, product_id: int) -> Product:
    product = await db.scalar(select(Product).where(Product.id == product_id))
    if product is None:
        raise NotFound("No such product.")
    return product


async def _stock_page(
    request: Request,
    db: Any,
    product: Product,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    inventory = await inventory_service.stock_of(db, product.id)
    ledger = await paginate(
        db,
        select(StockMovement)
        .where(StockMovement.product_id == product.id)
        .order_by(StockMovement.created_at.desc(), StockMovement.id.desc()),
        _page_number(request.query_params.get("page")),
        LEDGER_PER_PAGE,
        clamp=True,
    )
    actor_ids = {m.actor_id for m in ledger.items if m.actor_id}
    actors: dict[int, str] = {}
    if actor_ids:
        rows = await db.execute(select(User.id, User.email).where(User.id.in_(actor_ids)))
        actors = {row[0]: row[1] for row in rows}
    return admin_render(
        request,
        "inventory/admin_stock.html",
        {
            "product": product,
            "inventory": inventory,
            "ledger": ledger,
            "actors": actors,
            "values": values
            or {"kind": "restock", "threshold": str(inventory.low_stock_threshold)},
            "errors": errors or {},
        },
        section="products",
        status_code=status_code,
    )


@router.get("/{product_id:int}/stock")
async def stock_page(request: Request, db: Db, product_id: int, _: Reader) -> Response:
    return await _stock_page(request, db, await _product(db, product_id))


def _field(form: Any, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


@router.post("/{product_id:int}/stock/adjust")
async def stock_adjust(request: Request, db: Db, product_id: int, actor: Writer) -> Response:
    product = await _product(db, product_id)
    form = await request.form()
    values = {k: _field(form, k) for k in ("kind", "quantity", "reason")}
    values["reason"] = " ".join(values["reason"].split())
    errors: dict[str, str] = {}
    kind = KINDS.get(values["kind"])
    if kind is None:
        errors["kind"] = "Choose a restock or an adjustment."
    delta = 0
    text = (
        values["quantity"].replace("+", "", 1)
        if values["quantity"].startswith("+")
        else values["quantity"]
    )
    if not text.lstrip("-").isdigit() or len(text) > 9:
        errors["quantity"] = "Enter a whole number of units."
    else:
        delta = int(text)
        if delta == 0:
            errors["quantity"] = "Enter a change other than zero."
        elif kind is MovementKind.RESTOCK and delta < 0:
            errors["quantity"] = (
                "A restock adds units. To remove units, choose an adjustment with a "
                "negative number."
            )
    if not values["reason"]:
        errors["reason"] = "Say why the stock changes: it is kept in the ledger."
    elif len(values["reason"]) > REASON_MAX:
        errors["reason"] = f"Keep the reason under {REASON_MAX} characters."
    if errors or kind is None:
        return await _stock_page(
            request, db, product, values=values, errors=errors, status_code=422
        )
    before = await inventory_service.stock_of(db, product.id)
    snapshot = {"quantity": before.quantity, "reserved": before.reserved}
    try:
        after = await inventory_service.adjust(
            db, product.id, delta, reason=values["reason"], actor_id=actor.id, kind=kind
        )
    except ValidationFailed as exc:
        key = "quantity" if exc.field == "delta" else exc.field or "form"
        return await _stock_page(
            request, db, product, values=values, errors={key: exc.message}, status_code=422
        )
    await audit.record(
        db,
        actor=actor,
        action=f"stock.{kind.value}",
        entity_type="product",
        entity_id=product.id,
        before=snapshot,
        after={"quantity": after.quantity, "reserved": after.reserved, "reason": values["reason"]},
        request=request,
    )
    verb = "added" if delta > 0 else "removed"
    return redirect(
        request,
        f"admin/products/{product.id}/stock",
        f"{abs(delta)} {'unit' if abs(delta) == 1 else 'units'} {verb}. "
        f"{after.available} available now.",
    )


@router.post("/{product_id:int}/stock/threshold")
async def stock_threshold(request: Request, db: Db, product_id: int, actor: Writer) -> Response:
    product = await _product(db, product_id)
    form = await request.form()
    raw = _field(form, "threshold")
    if not raw.isdigit() or len(raw) > 9:
        return await _stock_page(
            request,
            db,
            product,
            values={"kind": "restock", "threshold": raw},
            errors={"threshold": "Enter a whole number, 0 or more."},
            status_code=422,
        )
    inventory = await db.scalar(select(Inventory).where(Inventory.product_id == product.id))
    if inventory is None:
        raise NotFound("This product has no stock record.")
    before = inventory.low_stock_threshold
    if before == int(raw):
        return redirect(request, f"admin/products/{product.id}/stock", "Nothing changed.", "info")
    inventory.low_stock_threshold = int(raw)
    await db.flush()
    await audit.record(
        db,
        actor=actor,
        action="stock.threshold",
        entity_type="product",
        entity_id=product.id,
        before={"low_stock_threshold": before},
        after={"low_stock_threshold": inventory.low_stock_threshold},
        request=request,
    )
    return redirect(request, f"admin/products/{product.id}/stock", "Low-stock threshold saved.")

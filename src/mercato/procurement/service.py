"""Procurement rules: stock alerts from live stock, purchase orders and their receipts, the
inventory log, and per-product forecasts. Services flush, never commit.

Stock changes only through the core inventory service: a receipt is
``inventory_service.adjust(kind=RESTOCK, reference=<PO number>)``, so the core movements
ledger is the inventory log, and a "PURCHASE" there is a restock whose reference is a PO.

Import as ``from mercato.procurement import service as procurement_service``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Select, and_, func, not_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import service as inventory_service
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.pagination import Page, paginate
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.catalog import Product
from mercato.models.inventory import Inventory, MovementKind, StockMovement
from mercato.models.procurement import (
    ProductSupply,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    PurchaseReceipt,
)
from mercato.models.wholesale import WholesaleTerms
from mercato.procurement import planning
from mercato.profit import settings

S = PurchaseOrderStatus
OPEN = (S.DRAFT.value, S.SENT.value, S.PARTIALLY_RECEIVED.value)
DEMAND_DAYS = 28  # the alert's daily demand: average sales of the last four weeks
PO_PREFIX = "PO-"
MAX_LINES = 200

# Inventory log actions (the seed's words) → how to find them in the core ledger.
ACTIONS = ("PURCHASE", "SALE", "RETURN", "ADJUSTMENT", "RESTOCK", "RESERVE", "RELEASE")


def action_of(kind: str, reference: str) -> str:
    if kind == MovementKind.RESTOCK and reference.startswith(PO_PREFIX):
        return "PURCHASE"
    return kind.upper()


def _action_filter(action: str) -> Any:
    is_po = StockMovement.reference.like(f"{PO_PREFIX}%")
    if action == "PURCHASE":
        return and_(StockMovement.kind == MovementKind.RESTOCK.value, is_po)
    if action == "RESTOCK":
        return and_(StockMovement.kind == MovementKind.RESTOCK.value, not_(is_po))
    return StockMovement.kind == action.lower()


# --- reorder levels and supply terms --------------------------------------------------------


async def reorder_levels(
    db: AsyncSession, product_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """Each product's reorder level: its wholesale terms' field where it has terms (the
    product form edits it), else the core low-stock threshold."""
    ids = None if product_ids is None else list(product_ids)
    stmt = select(Inventory.product_id, Inventory.low_stock_threshold)
    if ids is not None:
        stmt = stmt.where(Inventory.product_id.in_(ids))
    levels = dict((await db.execute(stmt)).all())
    terms = select(WholesaleTerms.product_id, WholesaleTerms.reorder_level)
    if ids is not None:
        terms = terms.where(WholesaleTerms.product_id.in_(ids))
    levels.update(dict((await db.execute(terms)).all()))
    return levels


async def supply_terms(db: AsyncSession, product_ids: Iterable[int]) -> dict[int, ProductSupply]:
    ids = list(product_ids)
    if not ids:
        return {}
    rows = await db.scalars(select(ProductSupply).where(ProductSupply.product_id.in_(ids)))
    return {r.product_id: r for r in rows}


async def set_supply(
    db: AsyncSession,
    product_id: int,
    *,
    supplier: str | None = None,
    moq: int | None = None,
    pack_size: int | None = None,
    lead_time_days: int | None = None,
    unit_cost: int | None = None,
) -> ProductSupply:
    if await db.get(Product, product_id) is None:
        raise NotFound("We could not find that product.", field="product_id")
    for name, value, low in (
        ("moq", moq, 1),
        ("pack_size", pack_size, 1),
        ("lead_time_days", lead_time_days, 0),
        ("unit_cost", unit_cost, 0),
    ):
        if value is not None and value < low:
            raise ValidationFailed(f"{name} must be at least {low}.", field=name)
    row = await db.get(ProductSupply, product_id)
    if row is None:
        row = ProductSupply(product_id=product_id)
        db.add(row)
    if supplier is not None:
        row.supplier = " ".join(supplier.split())[:200]
    if moq is not None:
        row.moq = moq
    if pack_size is not None:
        row.pack_size = pack_size
    if lead_time_days is not None:
        row.lead_time_days = lead_time_days
    if unit_cost is not None:
        row.unit_cost = unit_cost
    await db.flush()
    return row


async def on_order(db: AsyncSession, product_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Units ordered and not yet received, per product, on open purchase orders (drafts
    count: a draft made from an alert should not be suggested again)."""
    stmt = (
        select(
            PurchaseOrderLine.product_id,
            func.sum(PurchaseOrderLine.quantity_ordered - PurchaseOrderLine.quantity_received),
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrder.status.in_(OPEN))
        .group_by(PurchaseOrderLine.product_id)
    )
    if product_ids is not None:
        stmt = stmt.where(PurchaseOrderLine.product_id.in_(list(product_ids)))
    return {pid: int(q or 0) for pid, q in (await db.execute(stmt)).all()}


async def recent_demand(
    db: AsyncSession, product_ids: list[int], *, now: datetime, days: int = DEMAND_DAYS
) -> dict[int, Decimal]:
    """Average units sold per day over the last ``days`` (sale movements of the ledger)."""
    if not product_ids:
        return {}
    rows = await db.execute(
        select(StockMovement.product_id, -func.sum(StockMovement.quantity_delta))
        .where(
            StockMovement.kind == MovementKind.SALE.value,
            StockMovement.created_at >= now - timedelta(days=days),
            StockMovement.product_id.in_(product_ids),
        )
        .group_by(StockMovement.product_id)
    )
    return {pid: (Decimal(int(u or 0)) / days).quantize(Decimal("0.01")) for pid, u in rows.all()}


async def stock_items(
    db: AsyncSession, *, product_ids: Iterable[int] | None = None, now: datetime | None = None
) -> list[planning.StockItem]:
    """The planner's view of every live product with stock and a reorder level."""
    now = now or utcnow()
    wanted = None if product_ids is None else set(product_ids)
    levels = {
        pid: lvl for pid, lvl in (await reorder_levels(db, wanted)).items() if lvl and lvl > 0
    }
    if not levels:
        return []
    rows = (
        await db.execute(
            select(Product, Inventory)
            .join(Inventory, Inventory.product_id == Product.id)
            .where(Product.id.in_(list(levels)), Product.deleted_at.is_(None))
        )
    ).all()
    ids = [p.id for p, _ in rows]
    terms = await supply_terms(db, ids)
    ordered = await on_order(db, ids)
    demand = await recent_demand(db, ids, now=now)
    values = await settings.current(db)
    default_lead = int(values[settings.LEAD_TIME])
    items = []
    for product, inventory in rows:
        term = terms.get(product.id)
        items.append(
            planning.StockItem(
                product_id=product.id,
                name=product.name,
                sku=product.sku,
                available=inventory.quantity - inventory.reserved,
                reorder_level=levels[product.id],
                moq=term.moq if term else 1,
                pack_size=term.pack_size if term else 1,
                on_order=ordered.get(product.id, 0),
                daily_demand=demand.get(product.id, Decimal(0)),
                lead_time_days=term.lead_time_days if term else default_lead,
                unit_cost=_unit_cost(product, term),
            )
        )
    return items


def _unit_cost(product: Product, term: ProductSupply | None) -> int:
    if term is not None and term.unit_cost is not None:
        return term.unit_cost
    return product.cost_price or 0


async def alerts(
    db: AsyncSession, *, product_ids: Iterable[int] | None = None, now: datetime | None = None
) -> list[planning.StockAlert]:
    values = await settings.current(db)
    items = await stock_items(db, product_ids=product_ids, now=now)
    return planning.generate_stock_alerts(
        items, low_margin=settings.decimal(values, settings.LOW_MARGIN)
    )


# --- purchase orders -------------------------------------------------------------------------


@dataclass(frozen=True)
class LineIn:
    product_id: int
    quantity: int
    unit_cost: int | None = None


async def next_number(db: AsyncSession, year: int) -> str:
    """PO-<year>-<nnn>: one more than the year's highest (three digits, more when needed)."""
    prefix = f"{PO_PREFIX}{year}-"
    numbers = await db.scalars(
        select(PurchaseOrder.number).where(PurchaseOrder.number.like(f"{prefix}%"))
    )
    highest = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{highest + 1:03d}"


async def create_purchase_order(
    db: AsyncSession,
    *,
    supplier: str,
    lines: list[LineIn],
    currency: str,
    timezone: str,
    expected_date: date | None = None,
    notes: str = "",
    actor: User | None = None,
) -> PurchaseOrder:
    supplier = " ".join(supplier.split())[:200]
    if not supplier:
        raise ValidationFailed("Name the supplier.", field="supplier")
    if not lines:
        raise ValidationFailed("Add at least one product.", field="lines")
    if len(lines) > MAX_LINES:
        raise ValidationFailed(f"At most {MAX_LINES} lines per order.", field="lines")
    today = datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()
    if expected_date is not None and expected_date < today:
        raise ValidationFailed("The expected date is in the past.", field="expected_date")
    seen: set[int] = set()
    for i, line in enumerate(lines):
        if line.product_id in seen:
            raise ValidationFailed("Each product once per order.", field=f"lines.{i}.product_id")
        seen.add(line.product_id)
        if not isinstance(line.quantity, int) or line.quantity <= 0:
            raise ValidationFailed("Order at least one unit.", field=f"lines.{i}.quantity")
        if line.unit_cost is not None and line.unit_cost < 0:
            raise ValidationFailed("A cost cannot be negative.", field=f"lines.{i}.unit_cost")
    products = {
        p.id: p
        for p in await db.scalars(
            select(Product).where(Product.id.in_(seen), Product.deleted_at.is_(None))
        )
    }
    terms = await supply_terms(db, seen)
    for i, line in enumerate(lines):
        if line.product_id not in products:
            raise NotFound("We could not find that product.", field=f"lines.{i}.product_id")
    po = PurchaseOrder(
        number=await next_number(db, today.year),
        supplier=supplier,
        status=S.DRAFT.value,
        currency=currency,
        expected_date=expected_date,
        notes=notes.strip()[:4000],
        created_by=actor.id if actor else None,
    )
    db.add(po)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:  # two admins numbered a PO at once: the unique key caught it
        raise Conflict(
            "Another purchase order was just created; try again.", code="number_taken"
        ) from None
    total = 0
    for line in lines:
        product = products[line.product_id]
        cost = (
            line.unit_cost
            if line.unit_cost is not None
            else _unit_cost(product, terms.get(product.id))
        )
        total += cost * line.quantity
        db.add(
            PurchaseOrderLine(
                purchase_order_id=po.id,
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                quantity_ordered=line.quantity,
                unit_cost=cost,
            )
        )
    po.total_cost = total
    await db.flush()
    return po


async def create_from_alerts(
    db: AsyncSession,
    *,
    product_ids: list[int],
    currency: str,
    timezone: str,
    actor: User | None = None,
) -> list[PurchaseOrder]:
    """ "Create PO from alert": one draft per supplier with each product's suggested quantity;
    products whose need is already covered by open orders are skipped."""
    found = {a.product_id: a for a in await alerts(db, product_ids=product_ids)}
    wanted = [found[p] for p in product_ids if p in found and found[p].reorder_quantity > 0]
    if not wanted:
        raise ValidationFailed(
            "Nothing to order: these products are stocked or already on order.", field="product_ids"
        )
    terms = await supply_terms(db, [a.product_id for a in wanted])
    by_supplier: dict[str, list[LineIn]] = {}
    for alert in wanted:
        term = terms.get(alert.product_id)
        supplier = (term.supplier if term and term.supplier else "") or "Supplier to be chosen"
        by_supplier.setdefault(supplier, []).append(
            LineIn(alert.product_id, alert.reorder_quantity)
        )
    out = []
    for supplier, lines in sorted(by_supplier.items()):
        lead = max(
            (terms[ln.product_id].lead_time_days for ln in lines if ln.product_id in terms),
            default=None,
        )
        if lead is None:
            lead = int((await settings.current(db))[settings.LEAD_TIME])
        today = datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()
        out.append(
            await create_purchase_order(
                db,
                supplier=supplier,
                lines=lines,
                currency=currency,
                timezone=timezone,
                expected_date=today + timedelta(days=lead),
                notes="Created from stock alerts.",
                actor=actor,
            )
        )
    return out


async def get_po(db: AsyncSession, number: str, *, for_update: bool = False) -> PurchaseOrder:
    stmt = select(PurchaseOrder).where(PurchaseOrder.number == number[:20])
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    po = await db.scalar(stmt)
    if po is None:
        raise NotFound("We could not find that purchase order.", field="number")
    return po


async def po_lines(db: AsyncSession, po: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(
        await db.scalars(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == po.id)
            .order_by(PurchaseOrderLine.id)
            .execution_options(populate_existing=True)
        )
    )


async def receipts(db: AsyncSession, po: PurchaseOrder) -> list[PurchaseReceipt]:
    return list(
        await db.scalars(
            select(PurchaseReceipt)
            .where(PurchaseReceipt.purchase_order_id == po.id)
            .order_by(PurchaseReceipt.id)
        )
    )


def _refuse(po: PurchaseOrder, doing: str) -> Conflict:
    label = po.status.replace("_", " ")
    return Conflict(
        f"A {label} purchase order cannot be {doing}.", field="status", code="invalid_transition"
    )


async def send(db: AsyncSession, number: str) -> PurchaseOrder:
    po = await get_po(db, number, for_update=True)
    if po.status != S.DRAFT:
        raise _refuse(po, "sent")
    po.status = S.SENT.value
    po.sent_at = utcnow()
    await db.flush()
    return po


async def cancel(db: AsyncSession, number: str) -> PurchaseOrder:
    po = await get_po(db, number, for_update=True)
    if po.status not in (S.DRAFT, S.SENT):
        raise _refuse(po, "cancelled")
    po.status = S.CANCELLED.value
    po.closed_at = utcnow()
    await db.flush()
    return po


async def close(db: AsyncSession, number: str) -> PurchaseOrder:
    """End an order: fully received, or partly received and the rest will not come."""
    po = await get_po(db, number, for_update=True)
    if po.status not in (S.PARTIALLY_RECEIVED, S.RECEIVED):
        raise _refuse(po, "closed")
    po.status = S.CLOSED.value
    po.closed_at = utcnow()
    await db.flush()
    return po


async def receive(
    db: AsyncSession,
    number: str,
    quantities: dict[int, int],
    *,
    actor: User | None = None,
) -> list[PurchaseReceipt]:
    """Book goods that arrived: ``{line id: units}``. Each line's units go on the shelf
    through the core inventory service (a restock with the PO number as reference) and a
    receipt keeps the stock before and after. Never more than is outstanding on a line."""
    po = await get_po(db, number, for_update=True)  # two clerks booking one delivery queue here
    if po.status not in (S.SENT, S.PARTIALLY_RECEIVED):
        raise _refuse(po, "received")
    lines = {ln.id: ln for ln in await po_lines(db, po)}
    wanted = {int(k): v for k, v in quantities.items() if v}
    if not wanted:
        raise ValidationFailed("Enter the units that arrived.", field="lines")
    for line_id, qty in wanted.items():
        line = lines.get(line_id)
        if line is None:
            raise NotFound("That line is not on this order.", field=f"lines.{line_id}")
        if not isinstance(qty, int) or qty < 0:
            raise ValidationFailed("Enter whole units.", field=f"lines.{line_id}")
        if qty > line.outstanding:
            raise ValidationFailed(
                f"Only {line.outstanding} of {line.name} are still expected.",
                field=f"lines.{line_id}",
            )
    now = utcnow()
    out = []
    for line_id in sorted(wanted):  # product locks in a stable order
        qty = wanted[line_id]
        line = lines[line_id]
        result: CursorResult[Any] = await db.execute(  # type: ignore[assignment]
            update(PurchaseOrderLine)
            .where(
                PurchaseOrderLine.id == line_id,
                PurchaseOrderLine.quantity_received + qty <= PurchaseOrderLine.quantity_ordered,
            )
            .values(quantity_received=PurchaseOrderLine.quantity_received + qty)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise Conflict("These units were booked meanwhile; reload the order.", code="stale")
        inventory = await inventory_service.adjust(
            db,
            line.product_id,
            qty,
            reason=f"Received on {po.number} from {po.supplier}"[:500],
            actor_id=actor.id if actor else None,
            kind=MovementKind.RESTOCK,
            reference=po.number,
            now=now,
        )
        receipt = PurchaseReceipt(
            purchase_order_id=po.id,
            line_id=line_id,
            product_id=line.product_id,
            quantity=qty,
            quantity_before=inventory.quantity - qty,
            quantity_after=inventory.quantity,
            received_by=actor.id if actor else None,
            received_at=now,
        )
        db.add(receipt)
        out.append(receipt)
    await db.flush()
    fresh = await po_lines(db, po)
    po.status = (
        S.RECEIVED.value if all(ln.outstanding == 0 for ln in fresh) else S.PARTIALLY_RECEIVED.value
    )
    if po.status == S.RECEIVED:
        po.received_at = now
    await db.flush()
    return out


async def list_pos(
    db: AsyncSession, *, status: str = "", page: int = 1, per_page: int = 25
) -> Page[PurchaseOrder]:
    stmt: Select[Any] = select(PurchaseOrder).order_by(
        PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc()
    )
    if status:
        stmt = stmt.where(PurchaseOrder.status == status)
    return await paginate(db, stmt, page, per_page, clamp=True)


# --- inventory log ---------------------------------------------------------------------------


@dataclass
class LogFilters:
    product_id: int | None = None
    action: str = ""
    reference: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def parse(cls, params: Any) -> LogFilters:
        def as_date(key: str) -> date | None:
            raw = (params.get(key) or "").strip()
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                raise ValidationFailed("Dates look like 2026-11-30.", field=key) from None

        raw_pid = (params.get("product_id") or "").strip()
        if raw_pid and not raw_pid.isdigit():
            raise ValidationFailed("product_id is a number.", field="product_id")
        action = (params.get("action") or "").strip().upper()
        if action and action not in ACTIONS:
            raise ValidationFailed(f"action is one of {', '.join(ACTIONS)}.", field="action")
        return cls(
            product_id=int(raw_pid) if raw_pid else None,
            action=action,
            reference=(params.get("reference") or "").strip()[:100],
            date_from=as_date("from"),
            date_to=as_date("to"),
        )


async def logs(
    db: AsyncSession,
    filters: LogFilters,
    *,
    timezone: str,
    allowed_products: set[int] | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[Any]:
    """Stock movements newest first, with their product; ``allowed_products`` narrows a
    seller to their own products (an empty set shows nothing)."""
    stmt: Select[Any] = (
        select(StockMovement, Product)
        .join(Product, Product.id == StockMovement.product_id)
        .order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
    )
    if allowed_products is not None:
        stmt = stmt.where(StockMovement.product_id.in_(allowed_products or {-1}))
    if filters.product_id is not None:
        stmt = stmt.where(StockMovement.product_id == filters.product_id)
    if filters.action:
        stmt = stmt.where(_action_filter(filters.action))
    if filters.reference:
        stmt = stmt.where(StockMovement.reference == filters.reference)
    zone = ZoneInfo(timezone)
    if filters.date_from:
        stmt = stmt.where(
            StockMovement.created_at
            >= datetime.combine(filters.date_from, time.min, zone).astimezone(UTC)
        )
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, zone).astimezone(UTC)
        stmt = stmt.where(StockMovement.created_at < end)
    total = int(
        await db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    )
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = (await db.execute(stmt.limit(per_page).offset((page - 1) * per_page))).all()
    return Page(items=[tuple(r) for r in rows], total=total, page=page, per_page=per_page)


# --- forecast --------------------------------------------------------------------------------


@dataclass
class ProductForecast:
    product: Product
    available: int
    on_order: int
    reorder_level: int
    days: list[date]
    sales: list[int]
    forecast: planning.Forecast


async def sales_by_day(
    db: AsyncSession, product_id: int, *, start: date, end: date, timezone: str
) -> list[int]:
    zone = ZoneInfo(timezone)
    lower = datetime.combine(start, time.min, zone).astimezone(UTC)
    upper = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    rows = await db.execute(
        select(StockMovement.created_at, StockMovement.quantity_delta).where(
            StockMovement.product_id == product_id,
            StockMovement.kind == MovementKind.SALE.value,
            StockMovement.created_at >= lower,
            StockMovement.created_at < upper,
        )
    )
    sales = [(at.astimezone(zone).date(), -delta) for at, delta in rows.all()]
    return planning.daily_series(sales, start, end)


async def forecast_product(
    db: AsyncSession,
    product_id: int,
    *,
    timezone: str,
    history_days: int = 90,
    now: datetime | None = None,
) -> ProductForecast:
    product = await db.get(Product, product_id)
    inventory = await db.get(Inventory, product_id)
    if product is None or product.deleted_at is not None or inventory is None:
        raise NotFound("We could not find that product's stock.", field="product_id")
    await db.refresh(inventory)
    values = await settings.current(db)
    today = (now or utcnow()).astimezone(ZoneInfo(timezone)).date()
    start = today - timedelta(days=history_days)
    end = today - timedelta(days=1)  # whole days only: today is not over
    series = await sales_by_day(db, product_id, start=start, end=end, timezone=timezone)
    term = (await supply_terms(db, [product_id])).get(product_id)
    ordered = (await on_order(db, [product_id])).get(product_id, 0)
    available = inventory.quantity - inventory.reserved
    result = planning.forecast_stock_requirements(
        series,
        available=available,
        today=today,
        on_order=ordered,
        horizon_days=int(values[settings.HORIZON]),
        lead_time_days=term.lead_time_days if term else int(values[settings.LEAD_TIME]),
        moq=term.moq if term else 1,
        pack_size=term.pack_size if term else 1,
        alpha=settings.decimal(values, settings.ALPHA),
    )
    return ProductForecast(
        product=product,
        available=available,
        on_order=ordered,
        reorder_level=(await reorder_levels(db, [product_id])).get(product_id, 0),
        days=[start + timedelta(days=i) for i in range(len(series))],
        sales=series,
        forecast=result,
    )

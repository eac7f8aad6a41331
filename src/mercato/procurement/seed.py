"""Demo data of inventory planning for the wholesale store, run after the profit seed (which
writes six months of sales): supply terms per product (supplier by category, supplier
minimum, case pack, lead time), reorder levels where the store has no wholesale terms, a
received and closed purchase order that restocked what the history sold down, and one
product left below its reorder level (the seed's example: 15 on the shelf, level 20).

Idempotent: products that have supply terms are left alone, and the restocking order is
only made once (its note says so).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import service as inventory_service
from mercato.models.catalog import Product
from mercato.models.inventory import Inventory, MovementKind
from mercato.models.procurement import ProductSupply, PurchaseOrder
from mercato.procurement import service
from mercato.profit.seed import load_catalog

SEED_NOTE = "Demo: restock after the season's sales."
SUPPLIERS = (  # (word in the category slug, supplier)
    ("textile", "Narayanganj Textile Mills"),
    ("fabric", "Narayanganj Textile Mills"),
    ("garment", "Gazipur Garments Wholesale"),
    ("rice", "Dinajpur Agro Traders"),
    ("grocer", "Chattogram Commodity House"),
    ("food", "Chattogram Commodity House"),
    ("spice", "Bogura Spice Traders"),
    ("oil", "Chattogram Commodity House"),
    ("household", "Old Dhaka Hardware Wholesale"),
    ("clean", "Tongi Chemicals Ltd."),
    ("stationery", "Banglabazar Paper Traders"),
)
DEFAULT_SUPPLIER = "Dhaka Trading House"


def supplier_for(category: str) -> str:
    slug = category.lower()
    return next((name for word, name in SUPPLIERS if word in slug), DEFAULT_SUPPLIER)


async def seed_procurement(db: AsyncSession, ctx: Any) -> str:
    catalog = load_catalog(ctx.seed_dir)
    if not catalog:
        return "no catalog.yaml"
    products = {
        p.sku: p
        for p in await db.scalars(
            select(Product).where(Product.sku.in_(list(catalog)), Product.deleted_at.is_(None))
        )
    }
    if not products:
        return "no catalogue products yet (seed the catalogue first)"
    terms = 0
    for sku, product in sorted(products.items()):
        row = catalog[sku]
        if row.reorder_level:  # the core threshold mirrors it (the fallback reorder level)
            inventory = await db.get(Inventory, product.id)
            if inventory is not None and inventory.low_stock_threshold != row.reorder_level:
                inventory.low_stock_threshold = row.reorder_level
        if await db.get(ProductSupply, product.id) is None:
            db.add(
                ProductSupply(
                    product_id=product.id,
                    supplier=supplier_for(row.category),
                    moq=max(100, row.moq * 5),
                    pack_size=row.multiple,
                    lead_time_days=3 + len(sku) % 3,  # the seed: "expected 3-5 days"
                    unit_cost=product.cost_price,
                )
            )
            terms += 1
    await db.flush()
    if await db.scalar(select(PurchaseOrder.id).where(PurchaseOrder.notes == SEED_NOTE)):
        return f"{terms} supply terms"
    low = _designated_low(catalog, products)
    restocked = await _restock(db, ctx, exclude=low.id if low else None)
    if low is not None:
        await _leave_low(db, low, catalog[low.sku].reorder_level)
    return (
        f"{terms} supply terms, {restocked} products restocked on a purchase order, "
        f"{low.sku if low else 'no product'} below its reorder level"
    )


def _designated_low(catalog, products) -> Product | None:
    """The catalogue's product whose stock is under its level, else the first with a level."""
    planned = [s for s in sorted(products) if catalog[s].reorder_level > 0]
    below = [s for s in planned if catalog[s].stock < catalog[s].reorder_level]
    chosen = below or planned
    return products[chosen[0]] if chosen else None


async def _restock(db: AsyncSession, ctx: Any, *, exclude: int | None) -> int:
    """One purchase order, sent and received in full a few days ago, for every product the
    history sold under its reorder level (except the one meant to stay low)."""
    alerts = [a for a in await service.alerts(db) if a.product_id != exclude]
    lines = [
        service.LineIn(a.product_id, max(a.reorder_quantity, a.reorder_level * 3))
        for a in alerts
        if a.severity.value == "critical"
    ]
    if not lines:
        return 0
    zone = ctx.config.timezone
    po = await service.create_purchase_order(
        db,
        supplier="Dhaka Trading House",
        lines=lines,
        currency=ctx.config.currency,
        timezone=zone,
        expected_date=datetime.now(UTC).astimezone(ZoneInfo(zone)).date() + timedelta(days=1),
        notes=SEED_NOTE,
    )
    await service.send(db, po.number)
    quantities = {ln.id: ln.quantity_ordered for ln in await service.po_lines(db, po)}
    await service.receive(db, po.number, quantities)
    await service.close(db, po.number)
    return len(lines)


async def _leave_low(db: AsyncSession, product: Product, level: int) -> None:
    """Count the shelf down to five under the level (the seed's 15 for a level of 20)."""
    inventory = await db.get(Inventory, product.id)
    if inventory is None:
        return
    await db.refresh(inventory)
    target = max(0, level - 5)
    delta = target - inventory.quantity
    if delta and inventory.quantity - inventory.reserved >= -delta:
        await inventory_service.adjust(
            db,
            product.id,
            delta,
            reason="Stock count after the Eid rush",
            kind=MovementKind.ADJUSTMENT,
        )

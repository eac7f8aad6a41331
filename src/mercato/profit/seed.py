"""Demo data of profit sharing for the wholesale store, on top of the shared catalogue
(``stores/<slug>/seed/catalog.yaml``, decisions: "One catalogue file feeds every wholesale
seeder"): each product's own platform % (``platform_profit_pct``), and six months of paid
orders of the verified buyers, so reports and forecasts show real shapes.

The history is drawn from a fixed random seed: the same catalogue gives the same orders.
Orders are written the way the core writes them (stock reserved then sold through the
inventory service, at the order's time, so the ledger and the forecasts see dated sales), at
the tier price the quantity reaches, and recorded in the profit ledger when paid.
Idempotent: a second run finds the seeded orders by number and adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import service as inventory_service
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.b2b import Company, CompanyMember
from mercato.models.catalog import Product
from mercato.models.inventory import Inventory, MovementKind
from mercato.models.orders import Order, OrderEvent, OrderLine
from mercato.models.profit import ProductProfitRate
from mercato.profit import service

SEED_FILE = "catalog.yaml"
PREFIX = "WS-H"  # seeded history orders: WS-H0001…
HISTORY_DAYS = 182
RANDOM_SEED = 2752  # from the seed's file name: stable demo data


@dataclass(frozen=True)
class CatalogRow:
    sku: str
    moq: int
    multiple: int
    tiers: list[tuple[int, int]]  # (min quantity, unit price), ascending
    reorder_level: int
    platform_pct: str | None
    category: str
    stock: int = 0


def load_catalog(seed_dir: Any) -> dict[str, CatalogRow]:
    path = seed_dir / SEED_FILE
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = {}
    for row in data.get("products", []):
        tiers = sorted((int(t["min_qty"]), int(t["unit_price"])) for t in row.get("tiers") or [])
        if not tiers and row.get("price") is not None:
            tiers = [(int(row.get("moq", 1)), int(row["price"]))]
        pct = row.get("platform_profit_pct")
        rows[str(row["sku"])] = CatalogRow(
            sku=str(row["sku"]),
            moq=max(1, int(row.get("moq", 1))),
            multiple=max(1, int(row.get("multiple", 1))),
            tiers=tiers,
            reorder_level=int(row.get("reorder_level", 0)),
            platform_pct=str(pct) if pct is not None else None,
            category=str(row.get("category", "")),
            stock=int(row.get("stock", 0)),
        )
    return rows


def tier_price(row: CatalogRow, quantity: int, fallback: int) -> int:
    """The unit price of the highest tier the quantity reaches (all units of the line)."""
    price = fallback
    for min_qty, unit_price in row.tiers:
        if quantity >= min_qty:
            price = unit_price
    return price


async def verified_buyers(db: AsyncSession, ctx: Any) -> list[User]:
    """Members of verified companies (the b2b seed's), oldest first; at most three."""
    rows = await db.scalars(
        select(User)
        .join(CompanyMember, CompanyMember.user_id == User.id)
        .join(Company, Company.id == CompanyMember.company_id)
        .where(Company.status == "verified")
        .order_by(User.id)
        .limit(3)
    )
    return list(rows)


async def seed_profit(db: AsyncSession, ctx: Any) -> str:
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
    rates = 0
    for sku, row in catalog.items():
        product = products.get(sku)
        if product is None or row.platform_pct is None:
            continue
        if await db.get(ProductProfitRate, product.id) is None:
            bp = int(Decimal(row.platform_pct) * 100)
            db.add(ProductProfitRate(product_id=product.id, platform_bp=bp))
            rates += 1
    await db.flush()
    buyers = await verified_buyers(db, ctx)
    if not buyers:
        return f"{rates} product rates; no verified buyers for the order history"
    made = await _history(db, ctx, buyers, catalog, products)
    return f"{rates} product rates, {made} orders of history"


async def _history(
    db: AsyncSession,
    ctx: Any,
    buyers: list[User],
    catalog: dict[str, CatalogRow],
    products: dict[str, Product],
) -> int:
    rng = random.Random(RANDOM_SEED)
    skus = sorted(products)
    now = utcnow()
    start = now - timedelta(days=HISTORY_DAYS)
    # Each buyer has a few favourite products and an ordering rhythm.
    plans = []
    for index, buyer in enumerate(buyers):
        favourites = rng.sample(skus, k=min(len(skus), 6 + 2 * index))
        plans.append((buyer, favourites, 4 + index * 2))
    made = 0
    serial = 0
    for buyer, favourites, every in plans:
        day = rng.uniform(0, every)
        while day < HISTORY_DAYS - 1:
            serial += 1
            placed = start + timedelta(days=day, hours=rng.uniform(3, 10))
            number = f"{PREFIX}{serial:04d}"
            # Demand grows through the half-year and peaks in the month before Eid.
            growth = 1 + day / HISTORY_DAYS * 0.6 + (0.5 if 120 <= day <= 150 else 0)
            lines = []
            for sku in rng.sample(favourites, k=rng.randint(1, min(3, len(favourites)))):
                row = catalog[sku]
                packs = max(1, round(rng.uniform(1, 4) * growth))
                qty = max(row.moq, row.multiple * packs * max(1, row.moq // row.multiple))
                qty = -(-qty // row.multiple) * row.multiple
                lines.append((products[sku], qty, tier_price(row, qty, products[sku].price)))
            if not await db.scalar(select(Order.id).where(Order.number == number)):
                await _order(
                    db, ctx, number, buyer, lines, placed, delivered=day < HISTORY_DAYS - 12
                )
                made += 1
            day += rng.uniform(every * 0.6, every * 1.4)
    return made


async def _order(db, ctx, number: str, buyer: User, lines, placed, *, delivered: bool) -> None:
    currency = ctx.config.currency
    subtotal = sum(price * qty for _, qty, price in lines)
    order = Order(
        number=number,
        user_id=buyer.id,
        email=buyer.email,
        customer_name=buyer.name,
        currency=currency,
        store_currency=currency,
        subtotal=subtotal,
        total=subtotal,
        shipping_method="Freight to your godown",
        payment_provider="sandbox",
        payment_reference=f"sbx_cs_seed_{number}",
        payment_id=f"sbx_pay_seed_{number}",
        reservation_expires_at=placed + timedelta(minutes=30),
        created_at=placed,
        updated_at=placed,
    )
    db.add(order)
    await db.flush()
    for product, qty, price in lines:
        db.add(
            OrderLine(
                order_id=order.id,
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                quantity=qty,
                unit_price=price,
                line_total=price * qty,
                snapshot={"slug": product.slug, "store_unit_price": price},
            )
        )
    for product, qty, _ in lines:  # a demo sale never fails for want of demo stock
        inventory = await db.scalar(select(Inventory).where(Inventory.product_id == product.id))
        if inventory is None:
            await inventory_service.create_inventory(db, product.id, quantity=qty)
        elif inventory.quantity - inventory.reserved < qty:
            await inventory_service.adjust(
                db,
                product.id,
                qty * 2,
                reason="Demo delivery",
                kind=MovementKind.RESTOCK,
                now=placed - timedelta(hours=2),
            )
    await inventory_service.reserve(
        db,
        [(p.id, q) for p, q, _ in lines],
        reference=number,
        ttl=timedelta(minutes=30),
        now=placed,
    )
    paid = placed + timedelta(hours=2)
    await inventory_service.consume(db, number, now=paid)
    order.payment_status = "paid"
    order.paid_at = paid
    steps = ["confirmed", "processing", "shipped", "delivered"] if delivered else ["confirmed"]
    current, moment = "pending", paid
    for status in steps:
        db.add(
            OrderEvent(
                order_id=order.id,
                kind="status",
                from_status=current,
                to_status=status,
                created_at=moment,
                message="Payment received." if status == "confirmed" else "",
            )
        )
        current, moment = status, moment + timedelta(days=1)
    order.status = current
    if delivered:
        order.shipped_at = paid + timedelta(days=2)
        order.delivered_at = paid + timedelta(days=3)
    await db.flush()
    await service.record_sale(db, order, store_currency=ctx.config.currency)

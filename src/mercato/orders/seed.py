"""Demo orders from ``stores/<slug>/seed/orders.yaml`` (idempotent: an existing number is
left alone). Units go through the inventory service (reserved, then sold), so the ledger
adds up; the history follows the state machine. No emails are queued for demo data, and
the seeder gets no store runtime, so the events are written here rather than through the
transition service (which sends them)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import service as inventory_service
from mercato.kit.money import allocate, half_up
from mercato.kit.time import utcnow
from mercato.models.catalog import Product
from mercato.models.inventory import Inventory, MovementKind
from mercato.models.orders import Order, OrderEvent, OrderLine, PaymentAttempt
from mercato.orders import states

LIFECYCLE = ["confirmed", "processing", "shipped", "delivered"]
GIFT_WRAP_PRICE = 1200


async def seed_orders(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / "orders.yaml"
    if not path.is_file():
        return "no orders.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    made, skipped = 0, []
    for spec in data.get("orders", []):
        number = str(spec["number"])
        if await db.scalar(select(Order.id).where(Order.number == number)):
            continue
        user = ctx.users.get(spec["customer"])
        skus = [str(line["sku"]) for line in spec["lines"]]
        products = {
            p.sku: p
            for p in await db.scalars(
                select(Product).where(Product.sku.in_(skus), Product.deleted_at.is_(None))
            )
        }
        missing = [s for s in skus if s not in products]
        if user is None or missing:
            skipped.append(f"{number} (missing {', '.join(missing) or spec['customer']})")
            continue
        await _make(db, ctx, spec, number, user, products)
        made += 1
    summary = f"{made} demo orders"
    if skipped:
        summary += "; skipped " + "; ".join(skipped) + " (seed the catalogue first)"
    return summary


async def _make(db, ctx, spec: dict, number: str, user, products: dict[str, Product]) -> None:
    placed = utcnow() - timedelta(days=int(spec.get("placed_days_ago", 10)))
    lines = [(products[str(ln["sku"])], int(ln["quantity"])) for ln in spec["lines"]]
    subtotal = sum(p.price * q for p, q in lines)
    shipping = int(spec.get("shipping", 0))
    gift_wrap = GIFT_WRAP_PRICE if spec.get("gift_wrap") else 0
    tax_spec = spec.get("tax") or {}
    rate_bp = int(tax_spec.get("rate_bp", 0))
    tax = half_up(Decimal(subtotal) * rate_bp / 10_000) if rate_bp else 0
    line_taxes = allocate(tax, [p.price * q for p, q in lines]) if tax else [0] * len(lines)
    address = dict(spec.get("address") or {})
    order = Order(
        number=number,
        user_id=user.id,
        email=user.email,
        customer_name=user.name,
        currency=ctx.config.currency,
        store_currency=ctx.config.currency,
        subtotal=subtotal,
        shipping_total=shipping,
        gift_wrap_total=gift_wrap,
        tax_total=tax,
        total=subtotal + shipping + gift_wrap + tax,
        tax_lines=[{"name": tax_spec.get("name", "Tax"), "rate_bp": rate_bp, "amount": tax}]
        if tax
        else [],
        shipping_method=str(spec.get("shipping_method", "")),
        shipping_address=address,
        billing_address=address,
        gift_message=str(spec.get("gift_message", "")),
        gift_wrap=bool(gift_wrap),
        payment_provider="sandbox",
        payment_reference=f"sbx_cs_seed_{number}",
        payment_id=f"sbx_pay_seed_{number}",
        reservation_expires_at=placed + timedelta(minutes=30),
        created_at=placed,
        updated_at=placed,
    )
    db.add(order)
    await db.flush()
    for (product, qty), line_tax in zip(lines, line_taxes, strict=True):
        db.add(
            OrderLine(
                order_id=order.id,
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                quantity=qty,
                unit_price=product.price,
                line_total=product.price * qty,
                tax_amount=line_tax,
                snapshot={
                    "slug": product.slug,
                    "latin_name": product.latin_name or "",
                    "store_unit_price": product.price,
                },
            )
        )
    # Demo stock must cover the order: top it up through the ledger if it would not.
    for product, qty in lines:
        inventory = await db.scalar(select(Inventory).where(Inventory.product_id == product.id))
        if inventory is None:
            await inventory_service.create_inventory(db, product.id, quantity=qty)
        elif inventory.available < qty:
            await inventory_service.adjust(
                db,
                product.id,
                qty - inventory.available,
                reason="Demo order stock",
                kind=MovementKind.RESTOCK,
            )
    await inventory_service.reserve(
        db, [(p.id, q) for p, q in lines], reference=number, ttl=timedelta(minutes=30), now=placed
    )
    await inventory_service.consume(db, number, now=placed + timedelta(minutes=3))
    db.add(
        PaymentAttempt(
            order_id=order.id,
            provider="sandbox",
            reference=order.payment_reference or "",
            status="succeeded",
            amount=order.total,
            currency=order.currency,
            payment_id=order.payment_id,
        )
    )
    target = str(spec.get("status", "delivered"))
    current, moment = "pending", placed + timedelta(minutes=3)
    order.paid_at = moment
    order.payment_status = "paid"
    for status in LIFECYCLE[: LIFECYCLE.index(target) + 1]:
        via = "payment" if status == "confirmed" else "staff"
        assert states.allowed(current, status, via), (current, status)
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
        if status == "shipped":
            order.shipped_at = moment
            order.tracking_number = str(spec.get("tracking_number", ""))
            order.tracking_url = str(spec.get("tracking_url", ""))
        if status == "delivered":
            order.delivered_at = moment
        current, moment = status, moment + timedelta(days=1 if status != "shipped" else 3)
    order.status = current
    await db.flush()

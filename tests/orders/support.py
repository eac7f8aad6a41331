"""Orders for tests, made the way checkout makes them (stock reserved under the order
number, a hold expiry, a guest key), without waiting for the checkout module."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import service as inventory_service
from mercato.kit.security import hash_token
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.catalog import Product
from mercato.models.orders import Order, OrderLine
from mercato.orders import access

_numbers = itertools.count(1)


async def make_product(db: AsyncSession, *, stock: int = 10, price: int = 4200) -> Product:
    n = next(_numbers)
    product = Product(
        name=f"Néroli Essence {n}", slug=f"ord-essence-{n}", sku=f"ORD-{n:05d}", price=price
    )
    db.add(product)
    await db.flush()
    await inventory_service.create_inventory(db, product.id, quantity=stock)
    return product


async def make_user(db: AsyncSession, email: str = "", name: str = "Clara Test") -> User:
    n = next(_numbers)
    user = User(email=email or f"customer{n}@example.test", name=name, password_hash="x")
    db.add(user)
    await db.flush()
    return user


async def make_order(
    db: AsyncSession,
    runtime,
    *,
    user: User | None = None,
    email: str = "guest@example.test",
    items: list[tuple[Product, int]] | None = None,
    shipping: int = 1500,
    hold: timedelta = timedelta(minutes=30),
    now: datetime | None = None,
    currency: str = "USD",
    gift_message: str = "",
) -> tuple[Order, str]:
    """A pending order with its stock held; returns (order, guest key)."""
    now = now or utcnow()
    if items is None:
        items = [(await make_product(db), 2)]
    number = f"T{next(_numbers):06d}"
    subtotal = sum(p.price * q for p, q in items)
    order = Order(
        number=number,
        user_id=user.id if user else None,
        email=user.email if user else email,
        customer_name=user.name if user else "Guest Shopper",
        currency=currency,
        store_currency="USD",
        subtotal=subtotal,
        shipping_total=shipping,
        total=subtotal + shipping,
        shipping_method="Standard",
        shipping_address={
            "name": "Clara Test",
            "line1": "12 Rue de l'Arôme",
            "city": "Grasse",
            "postal_code": "06130",
            "country": "FR",
        },
        billing_address={
            "name": "Clara Test",
            "line1": "12 Rue de l'Arôme",
            "city": "Grasse",
            "postal_code": "06130",
            "country": "FR",
        },
        gift_message=gift_message,
        reservation_expires_at=now + hold,
        created_at=now,
    )
    key = access.guest_key(runtime, number)
    order.access_token_hash = hash_token(key)
    db.add(order)
    await db.flush()
    for product, qty in items:
        db.add(
            OrderLine(
                order_id=order.id,
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                quantity=qty,
                unit_price=product.price,
                line_total=product.price * qty,
                snapshot={"slug": product.slug},
            )
        )
    await inventory_service.reserve(
        db, [(p.id, q) for p, q in items], reference=number, ttl=hold, now=now
    )
    await db.flush()
    return order, key


async def stock(db: AsyncSession, product: Product) -> tuple[int, int]:
    inventory = await inventory_service.stock_of(db, product.id)
    await db.refresh(inventory)
    return inventory.quantity, inventory.reserved

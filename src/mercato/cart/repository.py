"""Every select() of the cart domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from mercato.models.catalog import Product, ProductImage
from mercato.models.commerce import Cart, CartItem
from mercato.models.inventory import Inventory
from mercato.models.orders import Order, OrderLine, OrderStatus

# Orders whose units count against a per-customer limit: paid and on their way.
COUNTED_STATUSES = (
    OrderStatus.CONFIRMED.value,
    OrderStatus.PROCESSING.value,
    OrderStatus.SHIPPED.value,
    OrderStatus.DELIVERED.value,
)


async def cart_by_user(db: AsyncSession, user_id: int) -> Cart | None:
    return await db.scalar(select(Cart).where(Cart.user_id == user_id))


async def cart_by_token_hash(db: AsyncSession, token_hash: str, now: datetime) -> Cart | None:
    return await db.scalar(
        select(Cart).where(
            Cart.token_hash == token_hash,
            Cart.user_id.is_(None),
            (Cart.expires_at.is_(None)) | (Cart.expires_at > now),
        )
    )


async def item_count(
    db: AsyncSession, *, user_id: int | None, token_hash: str | None, now: datetime
) -> int:
    """Units in the visitor's cart, in one query on the carts' unique keys."""
    query = select(func.coalesce(func.sum(CartItem.quantity), 0)).join(
        Cart, Cart.id == CartItem.cart_id
    )
    if user_id is not None:
        query = query.where(Cart.user_id == user_id)
    elif token_hash:
        query = query.where(
            Cart.token_hash == token_hash,
            Cart.user_id.is_(None),
            (Cart.expires_at.is_(None)) | (Cart.expires_at > now),
        )
    else:
        return 0
    return int(await db.scalar(query) or 0)


async def items_with_products(db: AsyncSession, cart_id: int) -> list[tuple[CartItem, Product]]:
    """The cart's items, oldest first, each with its product and the product's stock
    (``product.inventory``) in one query."""
    rows = await db.execute(
        select(CartItem, Product)
        .join(Product, Product.id == CartItem.product_id)
        .outerjoin(Inventory, Inventory.product_id == Product.id)
        .options(contains_eager(Product.inventory))
        .where(CartItem.cart_id == cart_id)
        .order_by(CartItem.id)
    )
    return [(item, product) for item, product in rows.all()]


async def primary_images(db: AsyncSession, product_ids: list[int]) -> dict[int, ProductImage]:
    if not product_ids:
        return {}
    rows = await db.scalars(
        select(ProductImage)
        .where(ProductImage.product_id.in_(product_ids))
        .order_by(ProductImage.product_id, ProductImage.is_primary.desc(), ProductImage.position)
    )
    found: dict[int, ProductImage] = {}
    for image in rows:
        found.setdefault(image.product_id, image)
    return found


async def get_item(db: AsyncSession, cart_id: int, product_id: int) -> CartItem | None:
    return await db.scalar(
        select(CartItem).where(CartItem.cart_id == cart_id, CartItem.product_id == product_id)
    )


async def product_with_stock(db: AsyncSession, product_id: int) -> Product | None:
    return await db.scalar(
        select(Product)
        .outerjoin(Inventory, Inventory.product_id == Product.id)
        .options(contains_eager(Product.inventory))
        .where(Product.id == product_id)
    )


async def units_bought(
    db: AsyncSession, product_id: int, *, user_id: int | None, email: str = ""
) -> int:
    """Units of a product in this customer's (or email's) paid orders."""
    who = []
    if user_id is not None:
        who.append(Order.user_id == user_id)
    if email:
        who.append(func.lower(Order.email) == email.strip().lower())
    if not who:
        return 0
    condition = who[0] if len(who) == 1 else (who[0] | who[1])
    total = await db.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id == product_id, Order.status.in_(COUNTED_STATUSES), condition)
    )
    return int(total or 0)


async def delete_expired_guest_carts(db: AsyncSession, now: datetime, limit: int) -> int:
    ids = list(
        await db.scalars(
            select(Cart.id)
            .where(Cart.user_id.is_(None), Cart.expires_at.is_not(None), Cart.expires_at <= now)
            .limit(limit)
        )
    )
    if not ids:
        return 0
    await db.execute(delete(CartItem).where(CartItem.cart_id.in_(ids)))
    await db.execute(delete(Cart).where(Cart.id.in_(ids)))
    return len(ids)

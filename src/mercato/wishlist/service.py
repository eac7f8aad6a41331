"""Wishlist rules: a signed-in customer's saved products. Every query names the owner, so one
customer can never read or change another's list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.kit.errors import NotFound, ValidationFailed
from mercato.models import Product, ProductImage, WishlistItem

MAX_ITEMS = 200  # keeps one list's page and API answer bounded


@dataclass
class SavedProduct:
    item: WishlistItem
    product: Product
    image: ProductImage | None

    @property
    def available(self) -> int:
        inventory = self.product.inventory
        return max(inventory.available, 0) if inventory is not None else 0


def _sellable():
    return (Product.is_active.is_(True), Product.deleted_at.is_(None))


async def find_product(
    db: AsyncSession, *, product_id: int | None = None, slug: str | None = None
) -> Product:
    """A product a customer may save (live, not deleted), by id or slug."""
    if product_id is None and not slug:
        raise ValidationFailed("Name a product by product_id or slug.", field="product_id")
    query = select(Product).where(*_sellable())
    query = (
        query.where(Product.id == product_id)
        if product_id is not None
        else query.where(Product.slug == slug)
    )
    product = await db.scalar(query)
    if product is None:
        raise NotFound("This essence is not in the catalogue.")
    return product


async def add(db: AsyncSession, user_id: int, product_id: int) -> bool:
    """Save a product; True if it was added, False if it was already saved (idempotent)."""
    product = await find_product(db, product_id=product_id)
    exists = await db.scalar(
        select(WishlistItem.id).where(
            WishlistItem.user_id == user_id, WishlistItem.product_id == product.id
        )
    )
    if exists is not None:
        return False
    if await count(db, user_id) >= MAX_ITEMS:
        raise ValidationFailed(
            f"A wishlist holds at most {MAX_ITEMS} essences; remove one first.",
            field="product_id",
        )
    try:
        # A double click races two inserts; the unique (user, product) keeps one, the other
        # rolls back only its savepoint.
        async with db.begin_nested():
            db.add(WishlistItem(user_id=user_id, product_id=product.id))
    except IntegrityError:
        return False
    return True


async def remove(db: AsyncSession, user_id: int, product_id: int) -> bool:
    result = await db.execute(
        delete(WishlistItem).where(
            WishlistItem.user_id == user_id, WishlistItem.product_id == product_id
        )
    )
    return bool(result.rowcount)


async def count(db: AsyncSession, user_id: int) -> int:
    return int(await db.scalar(select(func.count()).where(WishlistItem.user_id == user_id)) or 0)


async def contains(db: AsyncSession, user_id: int, product_id: int) -> bool:
    found = await db.scalar(
        select(WishlistItem.id).where(
            WishlistItem.user_id == user_id, WishlistItem.product_id == product_id
        )
    )
    return found is not None


async def list_saved(db: AsyncSession, user_id: int) -> list[SavedProduct]:
    """The list, newest first, with stock and the primary image: three queries in all.
    Products deleted or withdrawn since are left out (the row stays, harmless)."""
    rows = (
        await db.execute(
            select(WishlistItem, Product)
            .join(Product, Product.id == WishlistItem.product_id)
            .where(WishlistItem.user_id == user_id, *_sellable())
            .options(selectinload(Product.inventory))
            .order_by(WishlistItem.added_at.desc(), WishlistItem.id.desc())
            .limit(MAX_ITEMS)
        )
    ).all()
    ids = [product.id for _, product in rows]
    images: dict[int, ProductImage] = {}
    if ids:
        for image in await db.scalars(
            select(ProductImage).where(
                ProductImage.product_id.in_(ids), ProductImage.is_primary.is_(True)
            )
        ):
            images[image.product_id] = image
    return [SavedProduct(item, product, images.get(product.id)) for item, product in rows]

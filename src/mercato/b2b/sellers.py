"""What a seller may change on their own products: the words and whether it is on sale.

Prices, tiers and stock belong to the pricing and inventory modules and to the admin. A
product of another seller is "not found" (404), never "forbidden", so ids reveal nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.b2b import access
from mercato.kit.errors import NotFound
from mercato.models import Inventory, Product

EDITABLE_FIELDS = ("name", "short_description", "description", "is_active")


class SellerProductIn(BaseModel):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    short_description: str | None = Field(default=None, max_length=255)
    description: str | None = Field(default=None, max_length=20_000)
    is_active: bool | None = None

    @field_validator("name", "short_description", "description")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if isinstance(value, str) else value


async def rows(db: AsyncSession, found: access.Abilities, seller_id: int | None = None) -> list:
    """(product, inventory, seller id) rows a seller may manage: their own; an admin sees all,
    optionally one seller's."""
    from mercato.models.b2b import ProductSeller

    query = (
        select(Product, Inventory, ProductSeller.seller_id)
        .outerjoin(Inventory, Inventory.product_id == Product.id)
        .outerjoin(ProductSeller, ProductSeller.product_id == Product.id)
        .where(Product.deleted_at.is_(None))
        .order_by(Product.name, Product.id)
    )
    if found.products == "own":
        query = query.where(ProductSeller.seller_id == (found.seller_id or 0))
    elif seller_id is not None:
        query = query.where(ProductSeller.seller_id == seller_id)
    return list((await db.execute(query)).all())


async def own_product(db: AsyncSession, found: access.Abilities, product_id: int) -> Product:
    product = await db.get(Product, product_id)
    if product is None or product.deleted_at is not None:
        raise NotFound("We could not find that product.", field="product_id")
    if found.products == "all":
        return product
    if found.products == "own" and product_id in await access.product_ids_of_seller(
        db, found.seller_id or 0
    ):
        return product
    raise NotFound("We could not find that product.", field="product_id")


async def update(
    db: AsyncSession, found: access.Abilities, product_id: int, data: SellerProductIn
) -> tuple[Product, dict[str, Any], dict[str, Any]]:
    product = await own_product(db, found, product_id)
    changes = data.model_dump(exclude_none=True)
    before = {k: getattr(product, k) for k in changes}
    for key, value in changes.items():
        setattr(product, key, value)
    await db.flush()
    return product, before, changes

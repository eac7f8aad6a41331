"""Products with stock for inventory tests (the catalogue service is not needed for these)."""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import service as inventory_service
from mercato.models.catalog import Product

_numbers = itertools.count(1)


async def make_product(db: AsyncSession, *, stock: int = 0, name: str = "") -> Product:
    n = next(_numbers)
    product = Product(
        name=name or f"Essence {n}",
        slug=f"inv-essence-{n}",
        sku=f"INV-{n:05d}",
        price=4200,
    )
    db.add(product)
    await db.flush()
    await inventory_service.create_inventory(db, product.id, quantity=stock)
    return product

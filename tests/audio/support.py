"""Small audio products for tests (no pictures: fast)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.audio import search, specs
from mercato.catalog import attributes
from mercato.catalog import repository as catalog_repo
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import CategoryIn, ProductIn
from mercato.models.audio import product_categories
from mercato.models.catalog import Category, Product
from mercato.seo.text import slugify


async def category(db: AsyncSession, name: str) -> Category:
    slug = slugify(name)
    found = await catalog_repo.category_by_slug(db, slug)
    return found or await catalog_service.create_category(db, CategoryIn(name=name, slug=slug))


async def product(
    db: AsyncSession,
    name: str,
    *,
    price: int = 1_000_000,
    stock: int = 10,
    categories: tuple[str, ...] = ("Loa karaoke",),
    spec: dict[str, Any] | None = None,
    sku: str | None = None,
    description: str = "",
) -> Product:
    await specs.ensure_definitions(db)
    cats = [await category(db, c) for c in categories]
    made = await catalog_service.create_product(
        db,
        ProductIn(
            name=name,
            sku=sku or slugify(name).upper()[:60],
            slug=slugify(name),
            price=price,
            category_id=cats[0].id,
            description=description,
        ),
        stock=stock,
    )
    if len(cats) > 1:
        await db.execute(
            product_categories.insert(),
            [{"product_id": made.id, "category_id": c.id} for c in cats[1:]],
        )
    if spec:
        await attributes.set_attributes(db, made.id, spec)
    await search.index_products(db, [made.id])
    return made

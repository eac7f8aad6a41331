"""Loads stores/<slug>/seed/catalog.yaml: categories, tags, products with their stock and a
drawn image each. Idempotent: a category, tag or product that exists (by slug) is left as
it is, so running the seed again (or after staff edited a product) changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import artwork, media
from mercato.catalog import repository as repo
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import CategoryIn, ProductIn
from mercato.models.catalog import Category, Product, Tag

SEED_FILE = "catalog.yaml"
_PRODUCT_FIELDS = set(ProductIn.model_fields)


async def seed_catalog(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / SEED_FILE
    if not path.is_file():
        return "no catalog.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    new = {"categories": 0, "tags": 0, "products": 0, "images": 0}

    categories: dict[str, Category] = {}
    for row in data.get("categories", []):
        category = await repo.category_by_slug(db, row["slug"])
        if category is None:
            category = await catalog_service.create_category(db, CategoryIn(**row))
            new["categories"] += 1
        categories[category.slug] = category

    tags: dict[str, Tag] = {}
    for name in data.get("tags", []):
        slug = catalog_service.slugify(name)
        tag = await db.scalar(select(Tag).where(Tag.slug == slug))
        if tag is None:
            tag = await media.create_tag(db, name, slug)
            new["tags"] += 1
        tags[name] = tag

    for row in data.get("products", []):
        if await repo.product_taken(db, "slug", row["slug"]):
            continue
        category = categories.get(row.get("category", ""))
        values = {k: v for k, v in row.items() if k in _PRODUCT_FIELDS}
        values["category_id"] = category.id if category else None
        if "volume_ml" in row:
            values["volume_ul"] = int(Decimal(str(row["volume_ml"])) * 1000)
        product = await catalog_service.create_product(
            db,
            ProductIn(**values),
            stock=int(row.get("stock", 0)),
            low_stock_threshold=int(row.get("low_stock_threshold", 5)),
        )
        if row.get("max_per_customer"):
            product.max_per_customer = int(row["max_per_customer"])
        if row.get("tags"):
            await media.set_product_tags(db, product.id, [tags[t].id for t in row["tags"]])
        new["products"] += 1
        new["images"] += await _draw_image(db, ctx, product, category)
    await db.flush()
    return ", ".join(f"{n} new {what}" for what, n in new.items())


async def _draw_image(
    db: AsyncSession, ctx: Any, product: Product, category: Category | None
) -> int:
    picture = artwork.draw_phial(
        seed=product.sku,
        colour=category.colour if category else "",
        numeral=product.folio_number,
        symbol=category.humour_symbol if category else "",
    )
    alt = f"A sealed apothecary phial of {product.name}" + (
        f", folio {product.folio_number}" if product.folio_number else ""
    )
    await media.store_image(
        db,
        ctx.storage,
        product.id,
        picture,
        max_bytes=ctx.settings.upload_max_bytes,
        alt_text=alt,
        primary=True,
    )
    return 1

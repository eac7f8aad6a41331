"""Loads stores/<slug>/seed/audio.yaml: categories, specification attributes, products with
stock, extra category links, specifications and a drawn picture each, then builds the search
index. Idempotent: an existing category (by slug) or product (by SKU) is left as it is."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.audio import artwork, search, specs
from mercato.catalog import attributes, media
from mercato.catalog import repository as catalog_repo
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import CategoryIn, ProductIn
from mercato.models.audio import product_categories
from mercato.models.catalog import Category, Product
from mercato.seo.text import slugify

SEED_FILE = "audio.yaml"


async def seed_audio(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / SEED_FILE
    if not path.is_file():
        return "no audio.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    await specs.ensure_definitions(db)
    categories: dict[str, Category] = {}
    new_categories = 0
    for row in data.get("categories", []):
        category = await catalog_repo.category_by_slug(db, row["slug"])
        if category is None:
            category = await catalog_service.create_category(db, CategoryIn(**row))
            new_categories += 1
        categories[category.slug] = category

    skus = [str(row["sku"]) for row in data.get("products", [])]
    existing = set(await db.scalars(select(Product.sku).where(Product.sku.in_(skus))))
    made: list[int] = []
    for row in data.get("products", []):
        if str(row["sku"]) in existing:
            continue
        main = categories[row["category"]]
        product = await catalog_service.create_product(
            db,
            ProductIn(
                name=row["name"],
                sku=row["sku"],
                slug=slugify(row["name"]),
                price=int(row["price"]),
                category_id=main.id,
                short_description=row.get("short_description", ""),
                description=row.get("description", ""),
                is_featured=bool(row.get("featured")),
                meta_description=row.get("short_description", ""),
            ),
            stock=int(row.get("stock", 0)),
            low_stock_threshold=3,
        )
        links = [main.id] + [categories[s].id for s in row.get("categories", [])]
        await db.execute(
            product_categories.insert(),
            [{"product_id": product.id, "category_id": cid} for cid in dict.fromkeys(links)],
        )
        await attributes.set_attributes(db, product.id, dict(row.get("specs") or {}))
        brand = str((row.get("specs") or {}).get("brand", ""))
        await media.store_image(
            db,
            ctx.storage,
            product.id,
            artwork.draw(product.sku, main.slug, brand or "Tài Lộc"),
            max_bytes=ctx.settings.upload_max_bytes,
            alt_text=f"Ảnh minh hoạ {product.name}",
            primary=True,
        )
        made.append(product.id)
    indexed = await search.index_products(db, None)
    await db.flush()
    # The orders module seeds before this one (it comes first in store.toml), when these
    # products did not exist yet: run its idempotent seed again now that they do.
    orders = ""
    if "orders" in ctx.config.modules:
        from mercato.orders.seed import seed_orders

        orders = "; " + await seed_orders(db, ctx)
    return f"{new_categories} new categories, {len(made)} new products, {indexed} indexed{orders}"

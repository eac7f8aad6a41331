"""Loads stores/<slug>/seed/brands.yaml: categories, brands with their users, logos,
collections with lookbook plates, press, products with size runs, images and try-on
cut-outs, and boutiques. Idempotent: whatever exists (a brand, collection or product by
slug, a membership, a boutique by user) is left as it is, so a second run adds nothing.

Pictures are drawn by mercato.brands.artwork and stored as they are (no WebP variants) to
keep the seed fast; uploads through the dashboard get variants like any catalogue image.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.brands import artwork, service
from mercato.brands.schemas import BrandIn, BrandProductIn, CollectionIn, SizeIn
from mercato.catalog import media
from mercato.catalog import repository as catalog_repo
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import CategoryIn
from mercato.kit.time import utcnow
from mercato.models import Category, Product
from mercato.models.brands import (
    Boutique,
    Brand,
    BrandCollection,
    BrandProduct,
    LookbookImage,
    PressFeature,
)
from mercato.platform.files import new_key

SEED_FILE = "brands.yaml"
# Each size's stock state, picked deterministically from the product and size so the demo
# shows every state without randomness between runs.
_STATES = ("in_stock", "in_stock", "in_stock", "low_stock", "made_to_order", "sold_out")


def _pick(text: str, n: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:6], 16) % n


async def seed_brands(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / SEED_FILE
    if not path.is_file():
        return "no brands.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    new = {"brands": 0, "collections": 0, "products": 0, "images": 0, "boutiques": 0}
    categories = await _categories(db, data.get("categories", []))
    for row in data.get("brands", []):
        await _brand(db, ctx, row, categories, data.get("size_runs", {}), new)
    for row in data.get("boutiques", []):
        new["boutiques"] += await _boutique(db, ctx, row)
    await db.flush()
    return ", ".join(f"{n} new {what}" for what, n in new.items())


async def _categories(db: AsyncSession, rows: list[dict]) -> dict[str, Category]:
    found: dict[str, Category] = {}
    for row in rows:
        category = await catalog_repo.category_by_slug(db, row["slug"])
        if category is None:
            category = await catalog_service.create_category(db, CategoryIn(**row))
        found[category.slug] = category
    return found


async def _save(ctx: Any, prefix: str, data: bytes, extension: str) -> str:
    key = new_key(prefix, extension)
    await ctx.storage.save(key, data)
    return key


async def _brand(
    db: AsyncSession,
    ctx: Any,
    row: dict,
    categories: dict[str, Category],
    size_runs: dict[str, list[str]],
    new: dict[str, int],
) -> None:
    brand = await db.scalar(select(Brand).where(Brand.slug == row["slug"]))
    if brand is None:
        brand = await service.create_brand(
            db,
            BrandIn(
                name=row["name"],
                slug=row["slug"],
                tagline=row.get("tagline", ""),
                description=row.get("description", ""),
                story=row.get("story", ""),
                location_city=row.get("city", ""),
                location_country=row.get("country", ""),
                founded_year=row.get("founded"),
                accent_colour=row.get("colour", ""),
                min_units_per_style=row.get("minimum"),
                instagram=row.get("instagram", ""),
                website=row.get("website", ""),
                category_ids=[categories[c].id for c in row.get("categories", [])],
            ),
        )
        brand.is_featured = bool(row.get("featured", False))
        key = await _save(
            ctx, f"brands/{brand.id}", artwork.logo(brand.name, brand.accent_colour), "png"
        )
        brand.logo_key, brand.logo_width, brand.logo_height = key, artwork.LOGO, artwork.LOGO
        for press in row.get("press", []):
            published = press["date"]
            db.add(
                PressFeature(
                    brand_id=brand.id,
                    publication=press["publication"],
                    title=press["title"],
                    published_on=published
                    if isinstance(published, date)
                    else date.fromisoformat(published),
                    url=press.get("url", ""),
                )
            )
        new["brands"] += 1
    user = ctx.users.get(row.get("user", ""))
    if user is not None:
        await service.add_member(db, brand, user)

    products = [p for p in row.get("products", [])]
    collections: dict[str, BrandCollection] = {}
    for c in row.get("collections", []):
        collection = await db.scalar(
            select(BrandCollection).where(
                BrandCollection.brand_id == brand.id, BrandCollection.slug == c["slug"]
            )
        )
        if collection is None:
            collection = await service.save_collection(
                db,
                brand,
                CollectionIn(
                    name=c["name"],
                    slug=c["slug"],
                    season=c["season"],
                    year=c["year"],
                    description=c.get("description", ""),
                ),
            )
            new["collections"] += 1
        collections[collection.slug] = collection
        has_plates = await db.scalar(
            select(func.count()).where(LookbookImage.collection_id == collection.id)
        )
        if not has_plates:
            own = [p for p in products if p[5] == collection.slug] or products
            for n in range(int(c.get("plates", 3))):
                name, category, *_rest = own[n % len(own)]
                colours = own[n % len(own)][4]
                plate = artwork.lookbook_plate(
                    brand.accent_colour,
                    artwork.CATEGORY_SHAPES.get(category, "top"),
                    colours[n % len(colours)],
                    n,
                )
                key = await _save(ctx, f"lookbooks/{collection.id}", plate, "jpg")
                await service._append_lookbook(
                    db,
                    collection,
                    key,
                    artwork.PHOTO[0],
                    artwork.PHOTO[1],
                    f"{brand.name}, {collection.name} {collection.season_label}: look {n + 1}",
                )
                new["images"] += 1

    for index, (name, category, price, srp, colours, collection_slug, lead) in enumerate(products):
        slug = service.slugify(f"{brand.slug}-{name}")
        if await db.scalar(select(Product.id).where(Product.slug == slug)):
            continue
        run = size_runs.get("numbers" if category == "trousers" else "letters", ["S", "M", "L"])
        sizes = [
            SizeIn(
                label=label,
                stock_state=(state := _STATES[_pick(f"{slug}:{label}", len(_STATES))]),
                quantity=None
                if state in ("made_to_order", "sold_out")
                else (
                    3 + _pick(label + slug, 4)
                    if state == "low_stock"
                    else 20 + _pick(slug + label, 60)
                ),
            )
            for label in run
        ]
        collection = collections.get(collection_slug)
        product = await service.create_product(
            db,
            brand,
            BrandProductIn(
                name=name,
                slug=slug,
                price=price,
                suggested_retail_price=srp,
                category_id=categories[category].id,
                collection_id=collection.id if collection else None,
                short_description=f"{name} in {' or '.join(colours).lower()}, from {brand.name}.",
                description=(
                    f"{name} from the {collection.name} collection ({collection.season_label}). "
                    if collection
                    else f"{name} from {brand.name}. "
                )
                + row.get("description", ""),
                fabric=row.get("fabric", ""),
                colours=colours,
                lead_time_days=lead,
                customisation_options=row.get("customisations", []),
                sizes=sizes,
            ),
            sku=f"{brand.slug[:10].upper()}-{index + 1:02d}",
        )
        shape = artwork.CATEGORY_SHAPES.get(category, "top")
        views = ("front", "back", "fabric detail")
        for view, label in enumerate(views):
            key = await _save(
                ctx, f"products/{product.id}", artwork.product_shot(shape, colours[0], view), "jpg"
            )
            await media.add_image(
                db,
                product.id,
                storage_key=key,
                alt_text=f"{name} in {colours[0].lower()}, {label}",
                width=artwork.PHOTO[0],
                height=artwork.PHOTO[1],
                primary=view == 0,
            )
            new["images"] += 1
        link = await db.get(BrandProduct, product.id)
        assert link is not None
        link.cutout_key = await _save(
            ctx, f"cutouts/{product.id}", artwork.cutout(shape, colours[0]), "png"
        )
        new["products"] += 1


async def _boutique(db: AsyncSession, ctx: Any, row: dict) -> int:
    user = ctx.users.get(row["user"])
    if user is None or await db.scalar(select(Boutique.id).where(Boutique.user_id == user.id)):
        return 0
    status = row.get("status", "pending")
    db.add(
        Boutique(
            user_id=user.id,
            name=row["name"],
            city=row["city"],
            country=row["country"],
            website=row.get("website", ""),
            instagram=row.get("instagram", ""),
            about=row.get("about", ""),
            status=status,
            reviewed_at=utcnow() if status != "pending" else None,
        )
    )
    await db.flush()
    return 1

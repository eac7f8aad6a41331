"""Seeds products' wholesale terms from the store's catalogue file (``seed/catalog.yaml``,
the format agreed in docs/decisions.md): ``moq``, ``multiple`` (case pack), ``tiers``
(``min_qty`` → ``unit_price`` in minor units) and ``reorder_level`` per product, found by
``sku`` once the catalogue seeder has created it. Products that already have terms are left
alone, so seeding twice changes nothing and an admin's edits survive a re-seed.

The catalogue seeder draws every new product as an apothecary phial (Atelier Arôme's
artwork); for the store's own products that picture is replaced by the package the goods
ship in (``wholesale.artwork``). Only the seeder's phial is replaced, found by its alt text,
so a photo staff uploaded stays and a second run draws nothing."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import ValidationFailed
from mercato.models.catalog import Category, Product, ProductImage
from mercato.models.wholesale import WholesaleTerms
from mercato.wholesale import artwork, service
from mercato.wholesale.pricing import Tier

KEYS = ("moq", "multiple", "tiers", "reorder_level")
# How the catalogue seeder's phial pictures begin their alt text (mercato.catalog.seed).
PHIAL_ALT = "A sealed apothecary phial"


def terms_in(entry: dict[str, Any], price: int) -> service.TermsIn:
    return service.TermsIn(
        price=int(entry.get("price", price)),
        moq=int(entry.get("moq", 1)),
        order_multiple=int(entry.get("multiple", 1)),
        reorder_level=int(entry.get("reorder_level", 0)),
        tiers=tuple(
            Tier(int(t["min_qty"]), int(t["unit_price"])) for t in entry.get("tiers") or ()
        ),
    )


async def seed_wholesale(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / "catalog.yaml"
    if not path.is_file():
        return "no catalog.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = [p for p in data.get("products", []) if any(k in p for k in KEYS)]
    if not entries:
        return "no wholesale terms in catalog.yaml"
    skus = [str(p["sku"]) for p in entries]
    products = {p.sku: p for p in await db.scalars(select(Product).where(Product.sku.in_(skus)))}
    having = set(
        await db.scalars(
            select(WholesaleTerms.product_id).where(
                WholesaleTerms.product_id.in_([p.id for p in products.values()])
            )
        )
    )
    pictures = await _draw_packages(db, ctx, list(products.values()))
    created = 0
    for entry in entries:
        product = products.get(str(entry["sku"]))
        if product is None or product.id in having:
            continue
        try:
            await service.save_terms(db, product, terms_in(entry, product.price))
        except ValidationFailed as exc:
            raise ValueError(f"catalog.yaml {entry['sku']}: {exc.field}: {exc.message}") from exc
        created += 1
    return (
        f"{created} products given wholesale terms ({len(entries) - created} already had them), "
        f"{pictures} package pictures"
    )


async def _draw_packages(db: AsyncSession, ctx: Any, products: list[Product]) -> int:
    """Replace the catalogue seeder's phial of each product by its package picture."""
    from mercato.catalog import media

    if not products or getattr(ctx, "storage", None) is None:
        return 0
    phials = list(
        await db.scalars(
            select(ProductImage).where(
                ProductImage.product_id.in_([p.id for p in products]),
                ProductImage.alt_text.startswith(PHIAL_ALT),
            )
        )
    )
    if not phials:
        return 0
    slugs = dict((await db.execute(select(Category.id, Category.slug))).tuples().all())
    colours = dict((await db.execute(select(Category.id, Category.colour))).tuples().all())
    by_id = {p.id: p for p in products}
    for image in phials:
        product = by_id[image.product_id]
        picture = artwork.draw_package(
            name=product.name,
            sku=product.sku,
            category=slugs.get(product.category_id, ""),
            colour=colours.get(product.category_id, ""),
        )
        primary = image.is_primary
        await media.remove_image(db, product.id, image.id)
        await media.store_image(
            db,
            ctx.storage,
            product.id,
            picture,
            max_bytes=ctx.settings.upload_max_bytes,
            alt_text=f"{product.name} packed for delivery, labelled {product.sku}",
            primary=primary,
        )
    return len(phials)

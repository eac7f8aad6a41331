"""Seeds products' wholesale terms from the store's catalogue file (``seed/catalog.yaml``,
the format agreed in docs/decisions.md): ``moq``, ``multiple`` (case pack), ``tiers``
(``min_qty`` → ``unit_price`` in minor units) and ``reorder_level`` per product, found by
``sku`` once the catalogue seeder has created it. Products that already have terms are left
alone, so seeding twice changes nothing and an admin's edits survive a re-seed."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import ValidationFailed
from mercato.models.catalog import Product
from mercato.models.wholesale import WholesaleTerms
from mercato.wholesale import service
from mercato.wholesale.pricing import Tier

KEYS = ("moq", "multiple", "tiers", "reorder_level")


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
    return f"{created} products given wholesale terms ({len(entries) - created} already had them)"

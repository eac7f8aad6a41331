"""Loads stores/<slug>/seed/promotions.yaml: catalogue promotions and vouchers. Scopes name
category slugs and product SKUs; periods are days relative to today. Idempotent by
promotion name and voucher code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.time import utcnow
from mercato.models.catalog import Category, Product
from mercato.models.promotions import Promotion, Voucher

SEED_FILE = "promotions.yaml"


async def _scope(db: AsyncSession, row: dict[str, Any]) -> tuple[list[int], list[int]]:
    skus = row.get("products") or []
    slugs = row.get("categories") or []
    products = (
        list(await db.scalars(select(Product.id).where(Product.sku.in_(skus)))) if skus else []
    )
    categories = (
        list(await db.scalars(select(Category.id).where(Category.slug.in_(slugs)))) if slugs else []
    )
    return products, categories


def _period(row: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    starts = row.get("starts_in_days")
    ends = row.get("ends_in_days")
    return {
        "starts_at": now + timedelta(days=int(starts)) if starts is not None else None,
        "ends_at": now + timedelta(days=int(ends)) if ends is not None else None,
    }


async def seed_promotions(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / SEED_FILE
    if not path.is_file():
        return "no promotions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    made = {"promotions": 0, "vouchers": 0}
    for row in data.get("promotions", []):
        if await db.scalar(select(Promotion.id).where(Promotion.name == row["name"])):
            continue
        products, categories = await _scope(db, row)
        db.add(
            Promotion(
                name=row["name"],
                kind=row["kind"],
                value=int(row["value"]),
                product_ids=products,
                category_ids=categories,
                **_period(row),
            )
        )
        made["promotions"] += 1
    for row in data.get("vouchers", []):
        code = str(row["code"]).upper()
        if await db.scalar(select(Voucher.id).where(Voucher.code == code)):
            continue
        products, categories = await _scope(db, row)
        db.add(
            Voucher(
                code=code,
                description=row.get("description", ""),
                kind=row["kind"],
                value=int(row.get("value", 0)),
                max_discount=row.get("max_discount"),
                min_order=int(row.get("min_order", 0)),
                product_ids=products,
                category_ids=categories,
                usage_limit=row.get("usage_limit"),
                per_customer_limit=row.get("per_customer_limit"),
                **_period(row),
            )
        )
        made["vouchers"] += 1
    await db.flush()
    return ", ".join(f"{n} new {what}" for what, n in made.items())

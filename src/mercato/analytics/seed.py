"""Demo product views for the last two weeks, so the conversion table has figures. Drawn
from the product id (the same numbers every run); idempotent: skipped once any view exists."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from mercato.analytics import service
from mercato.bookings import slots
from mercato.kit.time import utcnow
from mercato.models import Product
from mercato.models.analytics import ProductViewDaily

DAYS = 14


async def seed_views(db, ctx) -> str:  # noqa: ANN001 - (AsyncSession, SeedContext)
    if await db.scalar(select(ProductViewDaily.product_id).limit(1)) is not None:
        return "already seeded"
    ids = list(
        await db.scalars(
            select(Product.id).where(Product.deleted_at.is_(None)).order_by(Product.id)
        )
    )
    today = slots.local_day(utcnow(), ctx.config.timezone)
    counts = {}
    for pid in ids:
        for back in range(DAYS):
            digest = hashlib.sha256(f"{pid}:{back}".encode()).digest()
            counts[(pid, today - timedelta(days=back))] = 1 + digest[0] % 6
    await service.add_views(db, counts)
    return f"{len(counts)} product-day view counts"

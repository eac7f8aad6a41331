"""Waiting lists for sold-out and limited products (seed 004 §2.1).

When units come back, people are told in the order they asked (oldest first), and never more
of them than there are units to sell: the budget is the available stock minus the people
already told in the last HEAD_START (they have had their turn and may be buying now). The
stock row is locked while a product's list is worked, so two deliveries of the event (or the
event and the sweep) queue instead of both spending the same units; re-running is harmless.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity.service import normalize_email
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.time import as_utc, utcnow
from mercato.models import Inventory, Product, StockAlert
from mercato.platform.email import queue_email

BATCH = 50
HEAD_START = timedelta(hours=24)


async def _product(db: AsyncSession, product_id: int) -> Product:
    product = await db.scalar(
        select(Product).where(
            Product.id == product_id, Product.is_active.is_(True), Product.deleted_at.is_(None)
        )
    )
    if product is None:
        raise NotFound("This essence is not in the catalogue.")
    return product


async def available(db: AsyncSession, product_id: int) -> int:
    value = await db.scalar(
        select(Inventory.quantity - Inventory.reserved).where(Inventory.product_id == product_id)
    )
    return max(int(value or 0), 0)


async def has_open_alert(db: AsyncSession, product_id: int, email: str) -> bool:
    found = await db.scalar(
        select(StockAlert.id).where(
            StockAlert.product_id == product_id,
            StockAlert.email == email.strip().lower(),
            StockAlert.notified_at.is_(None),
            StockAlert.cancelled_at.is_(None),
        )
    )
    return found is not None


async def request_alert(
    db: AsyncSession, product_id: int, email: str, *, user_id: int | None = None
) -> bool:
    """Ask to be told when a sold-out product returns. True if a new request was recorded;
    False if this address already waits (one open request per address and product)."""
    product = await _product(db, product_id)
    address = normalize_email(email)
    if await available(db, product.id) > 0:
        raise ValidationFailed("This essence is in stock: you can order it now.", field="email")
    if await has_open_alert(db, product.id, address):
        return False
    from sqlalchemy.exc import IntegrityError

    try:
        # The partial unique index settles a race between two identical requests.
        async with db.begin_nested():
            db.add(StockAlert(product_id=product.id, email=address, user_id=user_id))
    except IntegrityError:
        return False
    return True


async def _recently_notified(db: AsyncSession, product_id: int, now, restocked_at) -> int:
    """People told about the units now on sale: since this restock, within the head start."""
    since = now - HEAD_START
    if restocked_at is not None and as_utc(restocked_at) > since:
        since = as_utc(restocked_at)
    return int(
        await db.scalar(
            select(func.count()).where(
                StockAlert.product_id == product_id,
                StockAlert.notified_at.is_not(None),
                StockAlert.notified_at >= since,
            )
        )
        or 0
    )


async def notify_returned(db: AsyncSession, runtime: Any, product_id: int, *, now=None) -> int:
    """Tell waiting people, oldest first, that units are back; returns how many were told."""
    now = now or utcnow()
    # Lock this product's stock row: concurrent runs for the product wait here.
    locked = (
        await db.execute(
            select(Inventory.product_id, Inventory.last_restocked_at)
            .where(Inventory.product_id == product_id)
            .with_for_update()
        )
    ).first()
    product = await db.scalar(
        select(Product).where(
            Product.id == product_id, Product.is_active.is_(True), Product.deleted_at.is_(None)
        )
    )
    if locked is None or product is None:
        return 0
    told = 0
    while True:
        # Re-read stock before each batch: orders may have taken units meanwhile.
        budget = await available(db, product_id) - await _recently_notified(
            db, product_id, now, locked.last_restocked_at
        )
        if budget <= 0:
            break
        batch = list(
            await db.scalars(
                select(StockAlert)
                .where(
                    StockAlert.product_id == product_id,
                    StockAlert.notified_at.is_(None),
                    StockAlert.cancelled_at.is_(None),
                )
                .order_by(StockAlert.created_at, StockAlert.id)
                .limit(min(budget, BATCH))
            )
        )
        if not batch:
            break
        for alert in batch:
            claimed = await db.execute(
                update(StockAlert)
                .where(StockAlert.id == alert.id, StockAlert.notified_at.is_(None))
                .values(notified_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                continue  # someone else told them
            told += 1
            await queue_email(
                db,
                runtime,
                to=alert.email,
                subject=f"{product.name} is back at {runtime.config.name}",
                template="waitlist/emails/back_in_stock",
                context={
                    "product": product,
                    "link": runtime.absolute_url(f"essences/{product.slug}"),
                    "limit": product.max_per_customer,
                },
            )
    return told


async def products_to_sweep(db: AsyncSession) -> list[int]:
    """Products with people waiting and units to sell (a missed event, or more stock)."""
    rows = await db.scalars(
        select(StockAlert.product_id)
        .join(Inventory, Inventory.product_id == StockAlert.product_id)
        .where(
            StockAlert.notified_at.is_(None),
            StockAlert.cancelled_at.is_(None),
            Inventory.quantity - Inventory.reserved > 0,
        )
        .distinct()
        .order_by(StockAlert.product_id)
    )
    return list(rows)

"""Every query of the inventory domain. Stock counters change only through the conditional
UPDATEs here: the WHERE clause is the rule, and the row coming back (RETURNING) is the proof
that it held, so two transactions can never both take the last unit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Row, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.models.catalog import Product
from mercato.models.inventory import Inventory, StockMovement, StockReservation

_inventory = cast(Table, Inventory.__table__)
_holds = cast(Table, StockReservation.__table__)


async def get_inventory(db: AsyncSession, product_id: int) -> Inventory | None:
    """Fresh from the database: the counters change behind the ORM's back (Core UPDATEs)."""
    stmt = (
        select(Inventory)
        .where(Inventory.product_id == product_id)
        .execution_options(populate_existing=True)
    )
    return await db.scalar(stmt)


async def inventories_for(db: AsyncSession, product_ids: Sequence[int]) -> dict[int, Inventory]:
    if not product_ids:
        return {}
    stmt = (
        select(Inventory)
        .where(Inventory.product_id.in_(list(product_ids)))
        .execution_options(populate_existing=True)
    )
    return {inv.product_id: inv for inv in await db.scalars(stmt)}


async def product_name(db: AsyncSession, product_id: int) -> str | None:
    return await db.scalar(select(Product.name).where(Product.id == product_id))


async def add_reserved(db: AsyncSession, product_id: int, qty: int) -> Row[tuple[int, int]] | None:
    """Hold ``qty`` units if that many are free; returns (quantity, reserved) after, or None."""
    stmt = (
        update(_inventory)
        .where(
            _inventory.c.product_id == product_id,
            _inventory.c.quantity - _inventory.c.reserved >= qty,
        )
        .values(reserved=_inventory.c.reserved + qty)
        .returning(_inventory.c.quantity, _inventory.c.reserved)
    )
    return (await db.execute(stmt)).first()


async def remove_reserved(
    db: AsyncSession, product_id: int, qty: int, *, sold: bool
) -> Row[tuple[int, int]] | None:
    """Give back a hold (``sold=False``) or turn it into a sale (``sold=True``: the units leave
    the shelf too). Returns (quantity, reserved) after, or None if the counters disagree."""
    values = {"reserved": _inventory.c.reserved - qty}
    if sold:
        values["quantity"] = _inventory.c.quantity - qty
    stmt = (
        update(_inventory)
        .where(
            _inventory.c.product_id == product_id,
            _inventory.c.reserved >= qty,
            _inventory.c.quantity >= qty,
        )
        .values(**values)
        .returning(_inventory.c.quantity, _inventory.c.reserved)
    )
    return (await db.execute(stmt)).first()


async def add_quantity(
    db: AsyncSession, product_id: int, delta: int, *, restocked_at: datetime | None
) -> Row[tuple[int, int]] | None:
    """Change the quantity on hand unless it would fall below the reserved units."""
    values: dict[str, object] = {"quantity": _inventory.c.quantity + delta}
    if restocked_at is not None:
        values["last_restocked_at"] = restocked_at
    stmt = (
        update(_inventory)
        .where(
            _inventory.c.product_id == product_id,
            _inventory.c.quantity + delta >= _inventory.c.reserved,
        )
        .values(**values)
        .returning(_inventory.c.quantity, _inventory.c.reserved)
    )
    return (await db.execute(stmt)).first()


async def open_holds(db: AsyncSession, reference: str) -> list[StockReservation]:
    stmt = (
        select(StockReservation)
        .where(
            StockReservation.reference == reference,
            StockReservation.released_at.is_(None),
            StockReservation.consumed_at.is_(None),
        )
        .order_by(StockReservation.product_id, StockReservation.id)
        .execution_options(populate_existing=True)
    )
    return list(await db.scalars(stmt))


async def expired_holds(db: AsyncSession, now: datetime, limit: int) -> list[StockReservation]:
    stmt = (
        select(StockReservation)
        .where(
            StockReservation.expires_at <= now,
            StockReservation.released_at.is_(None),
            StockReservation.consumed_at.is_(None),
        )
        .order_by(StockReservation.product_id, StockReservation.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list(await db.scalars(stmt))


async def close_hold(db: AsyncSession, hold_id: int, *, now: datetime, sold: bool) -> bool:
    """Mark a hold released or consumed, once: False when another transaction got there first."""
    column = "consumed_at" if sold else "released_at"
    stmt = (
        update(_holds)
        .where(
            _holds.c.id == hold_id,
            _holds.c.released_at.is_(None),
            _holds.c.consumed_at.is_(None),
        )
        .values({column: now})
    )
    result = await db.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def movements(db: AsyncSession, product_id: int) -> list[StockMovement]:
    stmt = (
        select(StockMovement)
        .where(StockMovement.product_id == product_id)
        .order_by(StockMovement.id)
    )
    return list(await db.scalars(stmt))


async def holds_for(db: AsyncSession, reference: str) -> list[StockReservation]:
    stmt = (
        select(StockReservation)
        .where(StockReservation.reference == reference)
        .order_by(StockReservation.product_id, StockReservation.id)
        .execution_options(populate_existing=True)
    )
    return list(await db.scalars(stmt))

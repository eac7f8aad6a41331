"""The stock rules (DESIGN.md §4 "No oversell"): reserve at checkout, release or consume the
hold, adjust by hand with a reason, expire forgotten holds. Every change writes a
StockMovement with the counters before and after. Services flush, never commit.

Import as ``from mercato.inventory import service as inventory_service``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import repository as repo
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models.inventory import Inventory, MovementKind, StockMovement, StockReservation
from mercato.platform.outbox import emit

EXPIRY_BATCH = 500
# Outbox event when a product that could not be bought can be again (waiting lists listen).
RESTOCKED_EVENT = "inventory.restocked"


class OutOfStock(Conflict):
    """Fewer units are free than asked for; nothing was reserved."""

    def __init__(
        self, *, product_id: int, name: str, requested: int, available: int, field: str
    ) -> None:
        if available <= 0:
            message = f"{name} is out of stock."
        else:
            unit = "unit" if available == 1 else "units"
            message = f"Only {available} {unit} of {name} left; you asked for {requested}."
        super().__init__(message, field=field, code="out_of_stock")
        self.product_id = product_id
        self.product_name = name
        self.requested = requested
        self.available = max(0, available)


@dataclass(frozen=True)
class _Counters:
    quantity: int
    reserved: int


def _movement(
    product_id: int,
    kind: MovementKind,
    after: _Counters,
    *,
    quantity_delta: int = 0,
    reserved_delta: int = 0,
    reason: str = "",
    reference: str = "",
    actor_id: int | None = None,
    now: datetime,
) -> StockMovement:
    return StockMovement(
        product_id=product_id,
        kind=kind.value,
        quantity_delta=quantity_delta,
        quantity_before=after.quantity - quantity_delta,
        quantity_after=after.quantity,
        reserved_delta=reserved_delta,
        reserved_before=after.reserved - reserved_delta,
        reserved_after=after.reserved,
        reason=reason,
        reference=reference,
        actor_id=actor_id,
        created_at=now,
    )


def _merge_lines(items: Iterable[tuple[int, int]]) -> tuple[dict[int, int], dict[int, int]]:
    """Quantities per product (a product on two lines is one hold) and each product's first
    line index, for the error's field path."""
    wanted: dict[int, int] = {}
    first_line: dict[int, int] = {}
    for index, (product_id, qty) in enumerate(items):
        if not isinstance(qty, int) or qty <= 0:
            raise ValidationFailed(
                "Quantity must be a whole number of at least 1.", field=f"items.{index}.quantity"
            )
        wanted[product_id] = wanted.get(product_id, 0) + qty
        first_line.setdefault(product_id, index)
    if not wanted:
        raise ValidationFailed("Nothing to reserve.", field="items")
    return wanted, first_line


async def create_inventory(
    db: AsyncSession,
    product_id: int,
    *,
    quantity: int = 0,
    low_stock_threshold: int = 5,
    actor_id: int | None = None,
) -> Inventory:
    """The stock row of a new product; opening stock goes through the ledger as a restock."""
    if quantity < 0:
        raise ValidationFailed("Stock cannot be negative.", field="quantity")
    if low_stock_threshold < 0:
        raise ValidationFailed("The low-stock threshold cannot be negative.", field="low_stock")
    inventory = Inventory(product_id=product_id, low_stock_threshold=low_stock_threshold)
    db.add(inventory)
    await db.flush()
    if quantity:
        await adjust(
            db,
            product_id,
            quantity,
            reason="Opening stock",
            actor_id=actor_id,
            kind=MovementKind.RESTOCK,
        )
    refreshed = await repo.get_inventory(db, product_id)
    assert refreshed is not None
    return refreshed


async def reserve(
    db: AsyncSession,
    items: Iterable[tuple[int, int]],
    *,
    reference: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> list[StockReservation]:
    """Hold stock for ``reference`` (an order number or cart token), all lines or none.

    Lines are taken in product-id order, so two multi-line checkouts lock the same rows in
    the same order and cannot deadlock. They run in a savepoint: on OutOfStock nothing stays
    reserved, even when the caller catches the error and commits other work.
    """
    reference = reference.strip()
    if not reference:
        raise ValidationFailed("A reservation needs a reference.", field="reference")
    if ttl <= timedelta(0):
        raise ValidationFailed("A reservation must last some time.", field="ttl")
    wanted, first_line = _merge_lines(items)
    now = now or utcnow()
    holds: list[StockReservation] = []
    async with db.begin_nested():
        for product_id in sorted(wanted):
            qty = wanted[product_id]
            row = await repo.add_reserved(db, product_id, qty)
            if row is None:
                raise await _out_of_stock(db, product_id, qty, f"items.{first_line[product_id]}")
            after = _Counters(row.quantity, row.reserved)
            db.add(
                _movement(
                    product_id,
                    MovementKind.RESERVE,
                    after,
                    reserved_delta=qty,
                    reference=reference,
                    now=now,
                )
            )
            hold = StockReservation(
                product_id=product_id,
                quantity=qty,
                reference=reference,
                expires_at=now + ttl,
                created_at=now,
            )
            db.add(hold)
            holds.append(hold)
        await db.flush()
    return holds


async def _out_of_stock(db: AsyncSession, product_id: int, qty: int, line: str) -> OutOfStock:
    inventory = await repo.get_inventory(db, product_id)
    name = await repo.product_name(db, product_id)
    if inventory is None or name is None:
        raise NotFound("This product is not sold here.", field=f"{line}.product_id")
    return OutOfStock(
        product_id=product_id,
        name=name,
        requested=qty,
        available=inventory.available,
        field=f"{line}.quantity",
    )


async def _close_holds(
    db: AsyncSession, holds: list[StockReservation], *, sold: bool, now: datetime, reason: str
) -> int:
    closed = 0
    for hold in sorted(holds, key=lambda h: (h.product_id, h.id)):
        # Claim the hold first: only the transaction that closes it gives its units back.
        if not await repo.close_hold(db, hold.id, now=now, sold=sold):
            continue
        row = await repo.remove_reserved(db, hold.product_id, hold.quantity, sold=sold)
        if row is None:  # the CHECK and the rules make this unreachable; never hide it
            raise RuntimeError(f"inventory of product {hold.product_id} lost its reserved units")
        db.add(
            _movement(
                hold.product_id,
                MovementKind.SALE if sold else MovementKind.RELEASE,
                _Counters(row.quantity, row.reserved),
                quantity_delta=-hold.quantity if sold else 0,
                reserved_delta=-hold.quantity,
                reason=reason,
                reference=hold.reference,
                now=now,
            )
        )
        closed += 1
    await db.flush()
    return closed


async def release(
    db: AsyncSession, reference: str, *, reason: str = "released", now: datetime | None = None
) -> int:
    """Give back every open hold of ``reference``; safe to call twice. Returns holds released."""
    holds = await repo.open_holds(db, reference)
    return await _close_holds(db, holds, sold=False, now=now or utcnow(), reason=reason)


async def consume(db: AsyncSession, reference: str, *, now: datetime | None = None) -> int:
    """Turn the open holds of ``reference`` into a sale: the units leave the shelf. Returns the
    number of holds consumed (0 when there were none, e.g. already consumed or released)."""
    holds = await repo.open_holds(db, reference)
    return await _close_holds(db, holds, sold=True, now=now or utcnow(), reason="sold")


async def release_expired(db: AsyncSession, now: datetime | None = None) -> int:
    """For the scheduled job: release holds past their expiry, in batches. Returns the count."""
    now = now or utcnow()
    total = 0
    while True:
        holds = await repo.expired_holds(db, now, EXPIRY_BATCH)
        if not holds:
            return total
        total += await _close_holds(db, holds, sold=False, now=now, reason="expired")


async def adjust(
    db: AsyncSession,
    product_id: int,
    delta: int,
    *,
    reason: str,
    actor_id: int | None = None,
    kind: MovementKind = MovementKind.ADJUSTMENT,
    reference: str = "",
    now: datetime | None = None,
) -> Inventory:
    """Change the quantity on hand by ``delta`` (a count, damage, a delivery, a return). Never
    below the units reserved for orders, so a hold is never left without stock behind it."""
    if kind not in (MovementKind.ADJUSTMENT, MovementKind.RESTOCK, MovementKind.RETURN):
        raise ValueError(f"adjust() does not make {kind} movements")
    if not isinstance(delta, int) or delta == 0:
        raise ValidationFailed("Enter a change other than zero.", field="delta")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Say why the stock changes.", field="reason")
    now = now or utcnow()
    restocked = now if delta > 0 and kind is MovementKind.RESTOCK else None
    row = await repo.add_quantity(db, product_id, delta, restocked_at=restocked)
    if row is None:
        inventory = await repo.get_inventory(db, product_id)
        if inventory is None:
            raise NotFound("This product has no stock record.", field="product_id")
        raise ValidationFailed(
            f"Cannot remove {-delta}: {inventory.quantity} on hand, of which "
            f"{inventory.reserved} reserved for orders; at most {inventory.available} "
            "can be removed.",
            field="delta",
        )
    db.add(
        _movement(
            product_id,
            kind,
            _Counters(row.quantity, row.reserved),
            quantity_delta=delta,
            reason=reason,
            reference=reference,
            actor_id=actor_id,
            now=now,
        )
    )
    available_after = row.quantity - row.reserved
    if delta > 0 and available_after - delta <= 0 < available_after:
        # Any increase that makes a sold-out product buyable again (a delivery, a recount,
        # a return), not only restocks: the waiting list cares about the units, not the why.
        await emit(db, RESTOCKED_EVENT, {"product_id": product_id, "available": available_after})
    await db.flush()
    inventory = await repo.get_inventory(db, product_id)
    assert inventory is not None
    return inventory


async def stock_of(db: AsyncSession, product_id: int) -> Inventory:
    inventory = await repo.get_inventory(db, product_id)
    if inventory is None:
        raise NotFound("This product has no stock record.", field="product_id")
    return inventory

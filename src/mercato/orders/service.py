"""Order rules: status changes through the state machine (states.py), payment received,
cancellation with stock given back, refunds through the provider, expiry of unpaid orders.

Every change writes an OrderEvent; customer-visible ones queue an email and emit an outbox
event ``order.<status>`` (``order.paid`` when paid). Services flush, never commit.

Import as ``from mercato.orders import service as orders_service``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import service as inventory_service
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.money import format_money
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.inventory import MovementKind, StockMovement
from mercato.models.orders import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentStatus,
    Refund,
)
from mercato.orders import emails, states
from mercato.platform import outbox

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

S = OrderStatus
EXPIRED_REASON = "Payment not received in time."
EXPIRY_BATCH = 200
TRACKING_URL_MAX = 500


async def get_by_number(db: AsyncSession, number: str, *, for_update: bool = False) -> Order:
    stmt = select(Order).where(Order.number == number[:32])
    if for_update:
        # Payment events, the expiry job and staff may act on one order at once: on
        # PostgreSQL they queue on the row; SQLite's BEGIN IMMEDIATE serialises them anyway.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    order = await db.scalar(stmt)
    if order is None:
        raise NotFound("We could not find that order.", field="number")
    return order


async def lock(db: AsyncSession, order: Order) -> Order:
    """Re-read ``order`` under a row lock, so the checks that follow see the latest state."""
    locked = await db.scalar(
        select(Order)
        .where(Order.id == order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


async def lines_of(db: AsyncSession, order: Order) -> list[OrderLine]:
    return list(
        await db.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
        )
    )


def add_event(
    db: AsyncSession,
    order: Order,
    kind: str,
    message: str = "",
    *,
    from_status: str = "",
    to_status: str = "",
    internal: bool = False,
    actor: User | None = None,
) -> OrderEvent:
    event = OrderEvent(
        order_id=order.id,
        kind=kind,
        message=message,
        from_status=from_status,
        to_status=to_status,
        is_internal=internal,
        actor_id=actor.id if actor else None,
        created_at=utcnow(),
    )
    db.add(event)
    return event


async def _set_status(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    target: str,
    *,
    via: str,
    actor: User | None = None,
    message: str = "",
    email: bool = True,
) -> None:
    current = order.status
    if not states.allowed(current, target, via):
        raise Conflict(
            f"An order that is {states.label(current).lower()} cannot become "
            f"{states.label(target).lower()} this way.",
            field="status",
            code="invalid_transition",
        )
    now = utcnow()
    order.status = target
    stamp = {
        S.SHIPPED: "shipped_at",
        S.DELIVERED: "delivered_at",
        S.CANCELLED: "cancelled_at",
        S.REFUNDED: "refunded_at",
    }.get(S(target))
    if stamp:
        setattr(order, stamp, now)
    add_event(db, order, "status", message, from_status=current, to_status=target, actor=actor)
    await db.flush()
    await outbox.emit(
        db, f"order.{target}", {"order_id": order.id, "number": order.number, "from": current}
    )
    if email and target in states.CUSTOMER_VISIBLE:
        await emails.send_status_email(db, runtime, order, target, note=message)


async def transition(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    target: str,
    *,
    actor: User | None = None,
    message: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
) -> Order:
    """A staff move along the lifecycle (processing, shipped, delivered). Cancelling goes
    through ``cancel`` and refunds through ``refund``: they move money and stock too."""
    order = await lock(db, order)
    if target == S.CANCELLED:
        return await cancel(db, runtime, order, via="staff", actor=actor, reason=message)
    if target == S.SHIPPED:
        tracking_number = " ".join(tracking_number.split())[:100]
        tracking_url = tracking_url.strip()
        if tracking_url and not tracking_url.startswith(("https://", "http://")):
            raise ValidationFailed(
                "The tracking link must start with https://.", field="tracking_url"
            )
        if len(tracking_url) > TRACKING_URL_MAX:
            raise ValidationFailed("The tracking link is too long.", field="tracking_url")
        if states.allowed(order.status, target, "staff"):  # else _set_status explains
            order.tracking_number = tracking_number
            order.tracking_url = tracking_url
    await _set_status(db, runtime, order, target, via="staff", actor=actor, message=message)
    return order


async def mark_paid(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    *,
    provider: str,
    reference: str,
    payment_id: str,
) -> None:
    """Record a verified payment of the whole order: stock held for it becomes sold.

    The order must be locked by the caller and pending, or cancelled by the expiry job (a
    late payment: its stock is reserved again first). Raises ``inventory.OutOfStock`` when
    the units are gone; nothing is changed then and the caller refunds the payment.
    """
    late = order.status == S.CANCELLED
    if late and not await cancelled_for_expiry(db, order):
        raise Conflict("This order was cancelled.", code="cancelled")
    if not late and order.status != S.PENDING:
        raise Conflict("This order is not awaiting payment.", code="not_pending")
    consumed = await inventory_service.consume(db, order.number)
    if not consumed:
        # The hold expired (or the order was cancelled) before the money arrived: take the
        # units again if they are still free, all or nothing.
        lines = [(ln.product_id, ln.quantity) for ln in await lines_of(db, order) if ln.product_id]
        if lines:
            await inventory_service.reserve(
                db, lines, reference=order.number, ttl=timedelta(minutes=5)
            )
            await inventory_service.consume(db, order.number)
    now = utcnow()
    previous = order.status
    order.payment_status = PaymentStatus.PAID.value
    order.payment_provider = provider
    order.payment_reference = reference
    order.payment_id = payment_id
    order.paid_at = now
    order.status = S.CONFIRMED.value
    if late:
        order.cancelled_at = None
    message = "Payment received." + (
        " It arrived after the order had expired; the items "
        "were still available and are reserved again."
        if late
        else ""
    )
    add_event(db, order, "payment", message, from_status=previous, to_status=S.CONFIRMED.value)
    await db.flush()
    await outbox.emit(db, "order.paid", {"order_id": order.id, "number": order.number})
    await emails.send_status_email(db, runtime, order, S.CONFIRMED.value)


async def cancelled_for_expiry(db: AsyncSession, order: Order) -> bool:
    """True when the expiry job, not a person, cancelled this order."""
    last = await db.scalar(
        select(OrderEvent)
        .where(
            OrderEvent.order_id == order.id,
            OrderEvent.kind == "status",
            OrderEvent.to_status == S.CANCELLED.value,
        )
        .order_by(OrderEvent.id.desc())
        .limit(1)
    )
    return last is not None and last.actor_id is None and last.message == EXPIRED_REASON


def refundable(order: Order) -> int:
    if order.payment_status not in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
        return 0
    return order.total - order.refunded_total


async def cancel(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    *,
    via: str,
    actor: User | None = None,
    reason: str = "",
) -> Order:
    """Cancel an order. Unpaid: its stock hold is released. Paid (confirmed or being
    prepared): what is left to refund goes back through the provider and the sold units
    return to the shelf. Customers may cancel only while the order awaits payment."""
    order = await lock(db, order)
    reason = " ".join(reason.split())[:500]
    if via == "customer" and order.status != S.PENDING:
        raise Conflict(
            "This order is already paid; contact us to cancel it.",
            field="status",
            code="not_cancellable",
        )
    if not states.allowed(order.status, S.CANCELLED, via):
        raise Conflict(
            f"An order that is {states.label(order.status).lower()} cannot be cancelled.",
            field="status",
            code="invalid_transition",
        )
    if order.status == S.PENDING:
        await inventory_service.release(db, order.number, reason="order cancelled")
        await _set_status(
            db,
            runtime,
            order,
            S.CANCELLED.value,
            via=via,
            actor=actor,
            message=reason or "Cancelled.",
        )
        return order
    amount = refundable(order)
    if amount:
        await refund(
            db,
            runtime,
            order,
            amount=amount,
            reason=reason or "Order cancelled.",
            restock=True,
            actor=actor,
            cancelling=True,
        )
    else:
        await return_units(db, order, actor=actor)
        await _set_status(
            db,
            runtime,
            order,
            S.CANCELLED.value,
            via=via,
            actor=actor,
            message=reason or "Cancelled.",
        )
    return order


async def return_units(db: AsyncSession, order: Order, *, actor: User | None = None) -> int:
    """Put the order's sold units back on the shelf, those not returned already (a RETURN
    movement with the order number as reference counts as returned). Returns units."""
    returned = dict(
        (
            await db.execute(
                select(StockMovement.product_id, func.sum(StockMovement.quantity_delta))
                .where(
                    StockMovement.reference == order.number,
                    StockMovement.kind == MovementKind.RETURN.value,
                )
                .group_by(StockMovement.product_id)
            )
        ).all()
    )
    sold = dict(
        (
            await db.execute(
                select(StockMovement.product_id, -func.sum(StockMovement.quantity_delta))
                .where(
                    StockMovement.reference == order.number,
                    StockMovement.kind == MovementKind.SALE.value,
                )
                .group_by(StockMovement.product_id)
            )
        ).all()
    )
    total = 0
    for product_id in sorted(sold):
        units = int(sold[product_id] or 0) - int(returned.get(product_id) or 0)
        if units > 0:
            await inventory_service.adjust(
                db,
                product_id,
                units,
                reason=f"Order {order.number} returned to stock",
                actor_id=actor.id if actor else None,
                kind=MovementKind.RETURN,
                reference=order.number,
            )
            total += units
    return total


async def refund(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    *,
    amount: int,
    reason: str = "",
    restock: bool = False,
    actor: User | None = None,
    cancelling: bool = False,
) -> Refund:
    """Give back ``amount`` (minor units of the order's currency) through the provider that
    took the payment, at most what is left to refund. A refund of everything that is left
    ends the order: cancelled if it had not shipped, refunded if it had; a partial one
    keeps the status and marks the payment partially refunded. ``restock`` puts the sold
    units not yet returned back on the shelf."""
    from mercato.payments import service as payments_service  # payments depends on orders

    order = await lock(db, order)
    left = refundable(order)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationFailed("Enter an amount greater than zero.", field="amount")
    if left <= 0:
        raise Conflict(
            "Nothing is left to refund on this order.", field="amount", code="nothing_to_refund"
        )
    if amount > left:
        raise ValidationFailed(
            f"At most {format_money(left, order.currency, runtime.config.locale)} can be refunded.",
            field="amount",
        )
    reason = " ".join(reason.split())[:500]
    full = amount == left
    if full and not cancelling and order.status in (S.CONFIRMED, S.PROCESSING):
        cancelling = True  # a paid order refunded in full before shipping is cancelled
    row = await payments_service.refund_payment(
        db, runtime, order, amount=amount, reason=reason, restock=restock, actor=actor
    )
    order.refunded_total += amount
    order.payment_status = (
        PaymentStatus.REFUNDED.value if full else PaymentStatus.PARTIALLY_REFUNDED.value
    )
    money = format_money(amount, order.currency, runtime.config.locale)
    add_event(
        db, order, "refund", f"Refunded {money}." + (f" {reason}" if reason else ""), actor=actor
    )
    if restock:
        await return_units(db, order, actor=actor)
    await db.flush()
    if full and cancelling:
        await _set_status(
            db,
            runtime,
            order,
            S.CANCELLED.value,
            via="refund",
            actor=actor,
            message=reason or "Cancelled and refunded.",
            email=False,
        )
        await emails.send_status_email(db, runtime, order, S.CANCELLED.value, refund=row)
    elif full and order.status in (S.SHIPPED, S.DELIVERED):
        await _set_status(
            db,
            runtime,
            order,
            S.REFUNDED.value,
            via="refund",
            actor=actor,
            message=reason,
            email=False,
        )
        await emails.send_status_email(db, runtime, order, S.REFUNDED.value, refund=row)
    else:
        await outbox.emit(
            db,
            "order.refunded_partially",
            {"order_id": order.id, "number": order.number, "amount": amount},
        )
        await emails.send_status_email(db, runtime, order, S.REFUNDED.value, refund=row)
    return row


async def add_note(db: AsyncSession, order: Order, text: str, *, actor: User) -> OrderEvent:
    text = text.strip()
    if not text:
        raise ValidationFailed("Write the note first.", field="note")
    if len(text) > 2000:
        raise ValidationFailed("Keep notes under 2000 characters.", field="note")
    event = add_event(db, order, "note", text, internal=True, actor=actor)
    await db.flush()
    return event


async def expire_unpaid(db: AsyncSession, runtime: StoreRuntime, now: Any = None) -> int:
    """Cancel pending orders whose stock hold has run out (the shopper never paid) and give
    their stock back. Runs every minute; each order is re-checked under its lock, so an
    order paid meanwhile is left alone. Returns the number cancelled."""
    now = now or utcnow()
    cancelled = 0
    while True:
        due = list(
            await db.scalars(
                select(Order)
                .where(Order.status == S.PENDING.value, Order.reservation_expires_at < now)
                .order_by(Order.reservation_expires_at, Order.id)
                .limit(EXPIRY_BATCH)
            )
        )
        if not due:
            return cancelled
        for order in due:
            locked = await lock(db, order)
            if locked.status != S.PENDING or locked.payment_status == PaymentStatus.PAID:
                continue
            await cancel(db, runtime, locked, via="system", reason=EXPIRED_REASON)
            cancelled += 1

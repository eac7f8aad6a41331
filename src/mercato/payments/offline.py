"""Orders paid offline (bank transfer, cash on delivery, net terms): accepted at once and
marked paid when staff record the money (docs/decisions.md, "Offline payments").

``accept`` turns a just-placed pending order into a confirmed, unpaid one: its stock holds
become a sale (so the expiry job neither releases nor cancels it) and the method is recorded.
``record_payment`` marks it paid for exactly its total, once, with an audit row and the
``order.paid`` event every paid order emits.

Import as ``from mercato.payments import offline as offline_payments``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import service as inventory_service
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models.orders import Order, OrderStatus, PaymentStatus
from mercato.orders import service as orders_service
from mercato.payments.providers.offline import OFFLINE, is_offline
from mercato.platform import audit, outbox

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

REFERENCE_MAX = 120


async def accept(db: AsyncSession, runtime: StoreRuntime, order: Order, method: str) -> Order:
    """A pending order paid by ``method`` later: confirmed now, payment unpaid."""
    if not is_offline(method):
        raise ValidationFailed("Choose a payment method.", field="payment_method")
    order = await orders_service.lock(db, order)
    if order.status != OrderStatus.PENDING.value:
        raise Conflict("This order is not awaiting payment.", code="not_pending")
    await inventory_service.consume(db, order.number)
    provider = OFFLINE[method]
    order.payment_provider = method
    order.payment_reference = f"{method}:{order.number}"
    order.reservation_expires_at = None
    previous = order.status
    order.status = OrderStatus.CONFIRMED.value
    orders_service.add_event(
        db,
        order,
        "status",
        f"Order accepted; payment by {provider.label.lower()} to be recorded.",
        from_status=previous,
        to_status=order.status,
    )
    await db.flush()
    await outbox.emit(
        db, "order.confirmed", {"order_id": order.id, "number": order.number, "from": previous}
    )
    return order


def awaiting_payment(order: Order) -> bool:
    return (
        is_offline(order.payment_provider)
        and order.payment_status == PaymentStatus.UNPAID.value
        and order.status not in (OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value)
    )


async def record_payment(
    db: AsyncSession,
    order: Order,
    *,
    amount: int,
    reference: str,
    actor: Any,
    request: Any = None,
) -> Order:
    """Staff record the money of an offline order: the whole total, once."""
    order = await orders_service.lock(db, order)
    if not awaiting_payment(order):
        raise Conflict("This order is not awaiting an offline payment.", field="order")
    if amount != order.total:
        raise ValidationFailed(
            "Record the whole order total; part payments are not supported.", field="amount"
        )
    reference = " ".join((reference or "").split())[:REFERENCE_MAX]
    if not reference:
        raise ValidationFailed("Enter the bank reference or receipt number.", field="reference")
    order.payment_status = PaymentStatus.PAID.value
    order.payment_id = reference
    order.paid_at = utcnow()
    label = OFFLINE[order.payment_provider].label
    orders_service.add_event(db, order, "payment", f"{label} received ({reference}).", actor=actor)
    await db.flush()
    await outbox.emit(db, "order.paid", {"order_id": order.id, "number": order.number})
    await audit.record(
        db,
        actor=actor,
        action="order.payment_recorded",
        entity_type="order",
        entity_id=order.number,
        before={"payment_status": PaymentStatus.UNPAID.value},
        after={"payment_status": order.payment_status, "reference": reference, "amount": amount},
        request=request,
    )
    return order

"""Taking payment for an order: start a provider checkout, then let only verified provider
events change the order (DESIGN.md §4 "Payments are confirmed by the provider").

Import as ``from mercato.payments import service as payments_service``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.time import as_utc, utcnow
from mercato.models.orders import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentAttempt,
    PaymentStatus,
)
from mercato.payments.providers import get_provider
from mercato.payments.providers.base import CheckoutRequest, ProviderError

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

PAYABLE = frozenset({PaymentStatus.UNPAID.value, PaymentStatus.FAILED.value})


def absolute_local_url(runtime: StoreRuntime, url: str, *, field: str) -> str:
    """``url`` as an absolute URL of this store, or ValidationFailed: a provider sends the
    shopper back there, so it must never point at another site (no open redirect)."""
    url = (url or "").strip()
    origin = runtime.absolute_url("").rstrip("/")
    base = origin.removesuffix(runtime.mount_path)
    if url.startswith("/") and not url.startswith("//"):
        url = base + url
    if not (url == origin or url.startswith(origin + "/") or url.startswith(origin + "?")):
        raise ValidationFailed("The return address must be a page of this store.", field=field)
    if any(c in url for c in "\r\n\\"):
        raise ValidationFailed("The return address is not valid.", field=field)
    return url


def hold_is_live(order: Order, now: datetime | None = None) -> bool:
    expires = order.reservation_expires_at
    return expires is not None and as_utc(expires) > (now or utcnow())


def can_pay(order: Order, now: datetime | None = None) -> bool:
    """Pending, not paid, and its stock still held: a checkout may (still) be started."""
    return (
        order.status == OrderStatus.PENDING.value
        and order.payment_status in PAYABLE
        and hold_is_live(order, now)
    )


async def start_payment(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    *,
    provider: str,
    return_url: str,
    cancel_url: str,
) -> str:
    """Open a checkout at ``provider`` for the whole order and return the URL to send the
    shopper to. Records a PaymentAttempt; the order itself changes only when the provider's
    signed event arrives. ``return_url``/``cancel_url`` are pages of this store (a path
    such as ``/atelier-arome/orders/AA-1001?key=…`` or an absolute URL on this origin).

    Raises NotFound for a provider this store does not offer, Conflict when the order
    cannot be paid (not pending, already paid, or its stock hold has expired).
    """
    chosen = get_provider(runtime, provider)
    success = absolute_local_url(runtime, return_url, field="return_url")
    cancel = absolute_local_url(runtime, cancel_url, field="cancel_url")
    if order.payment_status not in PAYABLE:
        raise Conflict("This order is already paid.", field="order", code="already_paid")
    if order.status != OrderStatus.PENDING.value:
        raise Conflict("This order can no longer be paid.", field="order", code="not_payable")
    if not hold_is_live(order):
        raise Conflict(
            "The items of this order are no longer held for you; please place a new order.",
            field="order",
            code="hold_expired",
        )
    lines = list(
        await db.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
        )
    )
    try:
        session = await chosen.create_checkout(
            runtime,
            CheckoutRequest(
                order=order,
                lines=lines,
                return_url=success,
                cancel_url=cancel,
                expires_at=as_utc(order.reservation_expires_at)
                if order.reservation_expires_at
                else None,
            ),
        )
    except ProviderError as exc:
        raise Conflict(
            "The payment service could not be reached. Please try again in a moment.",
            field="provider",
            code="provider_unavailable",
        ) from exc
    db.add(
        PaymentAttempt(
            order_id=order.id,
            provider=chosen.name,
            reference=session.reference,
            amount=order.total,
            currency=order.currency,
        )
    )
    order.payment_provider = chosen.name
    db.add(
        OrderEvent(
            order_id=order.id,
            kind="payment",
            message=f"Checkout opened with {chosen.name}.",
            is_internal=True,
        )
    )
    await db.flush()
    return session.url

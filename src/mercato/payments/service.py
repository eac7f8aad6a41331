"""Taking payment for an order: start a provider checkout, then let only verified provider
events change the order (DESIGN.md §4 "Payments are confirmed by the provider").

Import as ``from mercato.payments import service as payments_service``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory.service import OutOfStock
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.time import as_utc, utcnow
from mercato.models import OutboxEvent, User
from mercato.models.identity import Role, UserRole
from mercato.models.orders import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentAttempt,
    PaymentStatus,
    Refund,
    WebhookEvent,
)
from mercato.orders import service as orders_service
from mercato.payments.providers import get_provider, sandbox
from mercato.payments.providers.base import (
    CheckoutRequest,
    ParsedEvent,
    ProviderError,
    SignatureInvalid,
)
from mercato.platform import notifications, outbox

if TYPE_CHECKING:
    from mercato.platform.outbox import HandlerContext
    from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.payments")
PAYABLE = frozenset({PaymentStatus.UNPAID.value, PaymentStatus.FAILED.value})


def absolute_local_url(runtime: StoreRuntime, url: str, *, field: str) -> str:
    """``url`` as an absolute URL of this store, or ValidationFailed: a provider sends the
    shopper back there, so it must never point at another site (no open redirect)."""
    url = (url or "").strip()
    origin = runtime.absolute_url("").rstrip("/")
    base = origin.removesuffix(runtime.mount_path)
    if url.startswith("/") and not url.startswith("//"):
        url = base + url
    elif url and not url.startswith("/") and "://" not in url and ":" not in url.split("/")[0]:
        url = runtime.absolute_url(url)  # store-relative, e.g. "orders/AA-1001?key=…"
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


# --- provider events ---------------------------------------------------------------------


class WebhookRejected(Exception):
    """The event's signature did not verify: answer 400 and store nothing."""


async def handle_webhook(
    db: AsyncSession,
    runtime: StoreRuntime,
    provider: str,
    payload: bytes,
    headers: Mapping[str, str],
) -> str:
    """Verify, store once, then apply a provider event. Returns a short outcome.

    The event is stored under its unique ``(provider, event_id)`` inside a savepoint: a
    redelivery hits the unique key and changes nothing ("duplicate"). Processing then runs
    with the order locked, and every rule is written so that events in any order give the
    same result (a failure after a success never un-pays an order).
    """
    chosen = get_provider(runtime, provider)
    try:
        event = chosen.verify_webhook(runtime, payload, headers)
    except SignatureInvalid as exc:
        log.warning("webhook refused", extra={"provider": provider, "reason": str(exc)})
        raise WebhookRejected(str(exc)) from None
    if not event.event_id:
        raise WebhookRejected("the event has no id")
    row = WebhookEvent(
        provider=chosen.name,
        event_id=event.event_id[:255],
        event_type=event.event_type[:100],
        payload=event.payload,
    )
    try:
        async with db.begin_nested():
            db.add(row)
            await db.flush()
    except IntegrityError:
        return "duplicate"
    outcome = await _apply(db, runtime, chosen.name, event)
    row.processed_at = utcnow()
    row.outcome = outcome[:200]
    await db.flush()
    return outcome


async def _apply(db: AsyncSession, runtime: StoreRuntime, provider: str, event: ParsedEvent) -> str:
    if event.kind == "ignored":
        return "ignored"
    attempt = await db.scalar(
        select(PaymentAttempt).where(
            PaymentAttempt.provider == provider, PaymentAttempt.reference == event.reference
        )
    )
    if attempt is None:
        log.warning("payment event for an unknown checkout", extra={"ref": event.reference})
        return "unknown checkout"
    order = await db.scalar(
        select(Order)
        .where(Order.id == attempt.order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert order is not None
    if event.payment_id and not attempt.payment_id:
        attempt.payment_id = event.payment_id[:255]
    if event.kind == "paid":
        return await _paid(db, runtime, order, attempt, event)
    if event.kind == "failed":
        if attempt.status != "succeeded":
            attempt.status = "failed"
            attempt.failure_message = (event.message or "The payment was declined.")[:500]
        if order.payment_status == PaymentStatus.UNPAID.value and order.status == "pending":
            order.payment_status = PaymentStatus.FAILED.value
            orders_service.add_event(db, order, "payment", attempt.failure_message)
            return "failed"
        return "failure ignored: order already " + order.payment_status
    if event.kind == "processing":
        if attempt.status == "created":
            attempt.status = "processing"
            orders_service.add_event(db, order, "payment", "Payment processing at the bank.")
        return "processing"
    if event.kind == "expired":
        if attempt.status in ("created", "processing"):
            attempt.status = "expired"
        return "checkout expired"
    return "ignored"


async def _paid(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    attempt: PaymentAttempt,
    event: ParsedEvent,
) -> str:
    if event.amount != order.total or event.currency != order.currency.upper():
        # Never mark paid for a sum other than the order's: keep it for staff to resolve.
        got = f"{event.amount} {event.currency}"
        message = (
            f"Payment {event.payment_id or attempt.reference} of {got} does not match the "
            f"order total {order.total} {order.currency}; the order was not marked paid."
        )
        orders_service.add_event(db, order, "payment", message, internal=True)
        await alert_staff(db, runtime, order, "Payment amount mismatch", message)
        return "amount mismatch"
    if order.payment_status != PaymentStatus.UNPAID and order.payment_status != "failed":
        if order.payment_reference == attempt.reference:
            attempt.status = "succeeded"
            return "already paid"
        # A second checkout of the same order was paid too: give that money back.
        attempt.status = "succeeded"
        await _refund_stray(db, runtime, order, attempt, event, "The order was already paid.")
        return "duplicate payment refunded"
    try:
        await orders_service.mark_paid(
            db,
            runtime,
            order,
            provider=attempt.provider,
            reference=attempt.reference,
            payment_id=event.payment_id or attempt.payment_id,
        )
    except (OutOfStock, Conflict) as exc:
        attempt.status = "succeeded"
        await _refund_stray(db, runtime, order, attempt, event, exc.message)
        return "late payment refunded"
    attempt.status = "succeeded"
    return "paid"


async def _refund_stray(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    attempt: PaymentAttempt,
    event: ParsedEvent,
    why: str,
) -> None:
    """Money arrived that the order cannot keep (cancelled and the stock is gone, or paid
    twice): refund it in full at once, record it, and tell staff."""
    provider = get_provider(runtime, attempt.provider)
    amount = int(event.amount or attempt.amount)
    refund = Refund(
        order_id=order.id,
        provider=attempt.provider,
        amount=amount,
        reason=f"Automatic refund: {why}"[:500],
        status="pending",
    )
    try:
        result = await provider.refund(
            runtime,
            payment_id=event.payment_id or attempt.payment_id,
            amount=amount,
            currency=order.currency,
            idempotency_key=f"stray-{attempt.reference}",
        )
        refund.provider_refund_id = result.refund_id
        refund.status = result.status
    except ProviderError as exc:
        refund.status = "failed"
        refund.reason = f"{refund.reason} Refund failed: {exc}"[:500]
    db.add(refund)
    if order.payment_status in (PaymentStatus.UNPAID, PaymentStatus.FAILED):
        # Our books never held this money: the order shows it came and went back.
        order.payment_status = PaymentStatus.REFUNDED.value
        order.payment_provider = attempt.provider
        order.payment_id = event.payment_id or attempt.payment_id
    message = (
        f"A payment of {amount} {order.currency} arrived ({why}) and was refunded "
        f"automatically ({refund.status})."
    )
    orders_service.add_event(db, order, "refund", message, internal=True)
    await db.flush()
    await alert_staff(db, runtime, order, "Payment refunded automatically", message)


async def alert_staff(
    db: AsyncSession, runtime: StoreRuntime, order: Order, title: str, body: str
) -> None:
    """Notify every staff account (in-app); the order's timeline keeps the details."""
    staff_ids = list(
        await db.scalars(
            select(UserRole.user_id)
            .join(Role, Role.id == UserRole.role_id)
            .where(Role.is_staff.is_(True))
            .distinct()
        )
    )
    for user_id in staff_ids:
        await notifications.notify(
            db,
            user_id=user_id,
            title=f"{title}: order {order.number}",
            body=body,
            link=runtime.path(f"admin/orders/{order.number}"),
            kind="warning",
        )


async def refund_payment(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    *,
    amount: int,
    reason: str,
    restock: bool,
    actor: User | None,
) -> Refund:
    """Ask the provider that took the order's payment to refund ``amount``; the Refund row
    says what it answered. A refusal raises Conflict and records nothing, so staff can
    retry; the idempotency key makes a retried request refund once."""
    provider = get_provider(runtime, order.payment_provider or "sandbox")
    try:
        result = await provider.refund(
            runtime,
            payment_id=order.payment_id,
            amount=amount,
            currency=order.currency,
            idempotency_key=f"refund-{order.number}-{order.refunded_total}-{amount}",
        )
    except ProviderError as exc:
        raise Conflict(str(exc), field="amount", code="refund_refused") from exc
    if result.status == "failed":
        raise Conflict(
            "The payment provider refused the refund.", field="amount", code="refund_refused"
        )
    row = Refund(
        order_id=order.id,
        provider=provider.name,
        provider_refund_id=result.refund_id,
        amount=amount,
        reason=reason,
        status=result.status,
        restock=restock,
        created_by=actor.id if actor else None,
    )
    db.add(row)
    await db.flush()
    return row


# --- the sandbox's hosted page -------------------------------------------------------------


SANDBOX_EVENT = "payments.sandbox_event"


async def sandbox_attempt(db: AsyncSession, reference: str) -> tuple[PaymentAttempt, Order]:
    attempt = await db.scalar(
        select(PaymentAttempt).where(
            PaymentAttempt.provider == "sandbox", PaymentAttempt.reference == reference[:255]
        )
    )
    order = await db.get(Order, attempt.order_id) if attempt else None
    if attempt is None or order is None:
        raise NotFound("This payment page does not exist or has expired.")
    return attempt, order


async def sandbox_submit(
    db: AsyncSession, runtime: StoreRuntime, reference: str, card_number: str
) -> str:
    """The shopper submitted the sandbox card form. Like a real provider, this decides the
    outcome from the card and sends a signed event; it never changes the order itself.
    Returns "succeeded", "declined" or "processing"."""
    attempt, order = await sandbox_attempt(db, reference)
    if attempt.status != "created":
        raise Conflict("This payment was already submitted.", code="already_submitted")
    digits = "".join(c for c in card_number if c.isdigit())
    outcomes = {
        sandbox.CARD_SUCCEEDS: ("succeeded", [("payment.succeeded", 0)]),
        sandbox.CARD_DECLINED: ("declined", [("payment.failed", 0)]),
        sandbox.CARD_DELAYED: (
            "processing",
            [("payment.processing", 0), ("payment.succeeded", sandbox.DELAYED_SECONDS)],
        ),
    }
    if digits not in outcomes:
        raise ValidationFailed(
            "Use one of the test card numbers listed on this page.", field="card_number"
        )
    result, events = outcomes[digits]
    now = utcnow()
    for event_type, delay in events:
        body = sandbox.event_body(
            event_type=event_type,
            reference=attempt.reference,
            order_number=order.number,
            amount=attempt.amount,
            currency=attempt.currency,
            message="Your card was declined." if event_type == "payment.failed" else "",
        )
        queued = await outbox.emit(db, SANDBOX_EVENT, {"body": body.decode()})
        if delay:  # the bank answers later: the worker delivers it once due
            queued.next_attempt_at = now + timedelta(seconds=delay)
    await db.flush()
    return result


async def deliver_sandbox_event(ctx: HandlerContext, event: OutboxEvent) -> None:
    """Outbox handler: sign the sandbox event now (as a provider signs at send time) and
    hand the signed bytes to the webhook code path, verification included."""
    body = str(event.payload["body"]).encode()
    header = sandbox.signature_header(sandbox.webhook_secret(ctx.runtime), body)
    outcome = await handle_webhook(
        ctx.db, ctx.runtime, "sandbox", body, {sandbox.SIGNATURE_HEADER: header}
    )
    log.info("sandbox payment event", extra={"outcome": outcome, "store": ctx.runtime.slug})

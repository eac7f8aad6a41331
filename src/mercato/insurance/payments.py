"""Premium payments. A PolicyPayment records each trip to a provider; only a verified
Razorpay Checkout signature (the verify call) or a signed webhook credits it, and each
payment is credited once whichever arrives first: both paths lock the payment row and
check its status under the lock (DESIGN.md §4)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mercato.insurance import gateways, notices, states
from mercato.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mercato.kit.security import new_token
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.insurance import PaymentState, Policy, PolicyPayment, PolicyStatus
from mercato.models.orders import WebhookEvent
from mercato.payments.providers.base import ProviderError, SignatureInvalid
from mercato.platform import outbox

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.outbox import HandlerContext
    from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.insurance.payments")
SANDBOX_EVENT = "insurance.sandbox_event"
CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"


class WebhookRejected(Exception):
    """Bad or missing signature: answer 400 and store nothing."""


async def start(
    db: AsyncSession, runtime: StoreRuntime, user: User, policy: Policy, provider: str
) -> PolicyPayment:
    """Open an order at ``provider`` for the policy's premium."""
    if policy.customer_id != user.id:
        raise NotFound("We could not find that policy.", field="policy_id")
    if provider not in gateways.offered(runtime):
        raise ValidationFailed("This payment method is not available.", field="provider")
    if policy.status != PolicyStatus.PENDING or policy.payment_status == PaymentState.PAID:
        raise Conflict("This policy has nothing to pay.", field="policy_id", code="not_payable")
    try:
        order_ref = await gateways.create_order(
            runtime,
            provider,
            amount=policy.premium_minor,
            currency=policy.currency,
            receipt=f"policy-{policy.id}-{new_token(4)}",
        )
    except ProviderError as exc:
        raise Conflict(
            "The payment service could not be reached. Please try again in a moment.",
            field="provider",
            code="provider_unavailable",
        ) from exc
    payment = PolicyPayment(
        policy_id=policy.id,
        customer_id=policy.customer_id,
        provider=provider,
        order_ref=order_ref,
        amount=policy.premium_minor,
        currency=policy.currency,
    )
    db.add(payment)
    await db.flush()
    return payment


async def payments_of(db: AsyncSession, user_id: int) -> list[PolicyPayment]:
    return list(
        await db.scalars(
            select(PolicyPayment)
            .where(PolicyPayment.customer_id == user_id)
            .order_by(PolicyPayment.created_at.desc(), PolicyPayment.id.desc())
        )
    )


async def payments_for_policy(db: AsyncSession, policy_id: int) -> list[PolicyPayment]:
    return list(
        await db.scalars(
            select(PolicyPayment)
            .where(PolicyPayment.policy_id == policy_id)
            .order_by(PolicyPayment.id)
        )
    )


async def _locked_payment(db: AsyncSession, provider: str, order_ref: str) -> PolicyPayment | None:
    return await db.scalar(
        select(PolicyPayment)
        .where(PolicyPayment.provider == provider, PolicyPayment.order_ref == order_ref)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def credit(
    db: AsyncSession,
    runtime: StoreRuntime,
    *,
    provider: str,
    order_ref: str,
    payment_id: str,
    amount: int | None,
    currency: str,
    method: str = "",
) -> str:
    """Record that the provider took the money. Idempotent: the payment row is locked and a
    succeeded payment is never credited again. Returns a short outcome."""
    payment = await _locked_payment(db, provider, order_ref)
    if payment is None:
        log.warning("payment for an unknown order", extra={"order_ref": order_ref})
        return "unknown order"
    if payment.status in ("succeeded", "refunded"):
        return "already credited"
    policy = await db.scalar(
        select(Policy)
        .where(Policy.id == payment.policy_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert policy is not None
    if amount != payment.amount or currency != payment.currency:
        message = (
            f"Payment {payment_id} of {amount} {currency} does not match the premium "
            f"{payment.amount} {payment.currency} of policy application #{policy.id}."
        )
        await notices.notify_staff(
            db, runtime, "Premium amount mismatch", message, f"admin/insurance/policies/{policy.id}"
        )
        return "amount mismatch"
    payment.status = "succeeded"
    payment.payment_id = payment_id[:100] or None
    payment.method = method[:30]
    payment.paid_at = utcnow()
    await db.flush()
    if policy.payment_status == PaymentState.PAID:
        # A second checkout of the same policy was paid too: give this money back.
        await _refund_payment(db, runtime, payment, "A second payment for the same policy.")
        return "duplicate payment refunded"
    if policy.status != PolicyStatus.PENDING:
        # The application was withdrawn or cancelled before the money arrived.
        await _refund_payment(db, runtime, payment, "The application was no longer open.")
        return "late payment refunded"
    policy.payment_status = PaymentState.PAID.value
    policy.paid_at = payment.paid_at
    states.move_policy(policy, PolicyStatus.PENDING_APPROVAL)
    await db.flush()
    await notices.notify_staff(
        db,
        runtime,
        "Policy awaiting approval",
        f"{policy.owner_name}: {policy.cattle_type}, tag {policy.ear_tag}, paid.",
        f"admin/insurance/policies/{policy.id}",
    )
    await notices.notify_user(
        db,
        runtime,
        policy.customer_id,
        "Payment received",
        "Your application is with our underwriters; we will tell you when it is approved.",
        f"account/policies/{policy.id}",
        "success",
    )
    return "paid"


async def fail(db: AsyncSession, provider: str, order_ref: str, message: str) -> str:
    payment = await _locked_payment(db, provider, order_ref)
    if payment is None:
        return "unknown order"
    if payment.status != "created":
        return "failure ignored: payment " + payment.status
    payment.status = "failed"
    payment.failure_message = (message or "The payment was declined.")[:500]
    policy = await db.get(Policy, payment.policy_id)
    if policy is not None and policy.payment_status == PaymentState.PENDING:
        policy.payment_status = PaymentState.FAILED.value
    await db.flush()
    return "failed"


async def verify_checkout(
    db: AsyncSession,
    runtime: StoreRuntime,
    user: User,
    order_ref: str,
    payment_id: str,
    signature: str,
) -> tuple[PolicyPayment, str]:
    """Razorpay Checkout's success handler posts these three values; the signature proves
    Razorpay made them with our key secret. Only then is the payment credited."""
    payment = await db.scalar(
        select(PolicyPayment).where(
            PolicyPayment.provider == gateways.RAZORPAY, PolicyPayment.order_ref == order_ref
        )
    )
    if payment is None or payment.customer_id != user.id:
        raise NotFound("We could not find that payment.", field="razorpay_order_id")
    if not gateways.verify_checkout_signature(order_ref, payment_id, signature):
        raise PermissionDenied("The payment signature does not verify.", field="razorpay_signature")
    outcome = await credit(
        db,
        runtime,
        provider=gateways.RAZORPAY,
        order_ref=order_ref,
        payment_id=payment_id,
        amount=payment.amount,  # a verified Checkout payment is for its order's amount
        currency=payment.currency,
    )
    return payment, outcome


async def handle_webhook(
    db: AsyncSession, runtime: StoreRuntime, provider: str, body: bytes, headers: Mapping[str, str]
) -> str:
    """Verify, store once under (provider, event id), then apply."""
    try:
        event = gateways.verify_webhook(runtime, provider, body, headers)
    except SignatureInvalid as exc:
        log.warning("insurance webhook refused", extra={"provider": provider, "why": str(exc)})
        raise WebhookRejected(str(exc)) from None
    row = WebhookEvent(
        provider=gateways.EVENT_SOURCES[provider],
        event_id=event.event_id,
        event_type=event.event,
        payload=event.payload,
    )
    try:
        async with db.begin_nested():
            db.add(row)
            await db.flush()
    except IntegrityError:
        return "duplicate"
    if event.kind == "paid":
        outcome = await credit(
            db,
            runtime,
            provider=provider,
            order_ref=event.order_ref,
            payment_id=event.payment_id,
            amount=event.amount,
            currency=event.currency,
            method=event.method,
        )
    elif event.kind == "failed":
        outcome = await fail(db, provider, event.order_ref, event.message)
    else:
        outcome = "ignored"
    row.processed_at = utcnow()
    row.outcome = outcome[:200]
    await db.flush()
    return outcome


async def _refund_payment(
    db: AsyncSession, runtime: StoreRuntime, payment: PolicyPayment, why: str
) -> None:
    try:
        result = await gateways.refund(
            runtime,
            payment.provider,
            payment_id=payment.payment_id or "",
            amount=payment.amount,
            receipt=f"refund-{payment.id}",
        )
    except ProviderError as exc:
        await notices.notify_staff(
            db,
            runtime,
            "Premium refund failed",
            f"{why} Payment {payment.payment_id}: {exc}",
            f"admin/insurance/policies/{payment.policy_id}",
            "error",
        )
        raise Conflict(str(exc), field="refund", code="refund_refused") from exc
    payment.status = "refunded"
    payment.refund_id = result.refund_id[:100]
    payment.refunded_at = utcnow()
    await db.flush()


async def refund_policy(db: AsyncSession, runtime: StoreRuntime, policy: Policy, why: str) -> None:
    """Refund the policy's succeeded payment in full (rejection, cancellation)."""
    paid = await db.scalar(
        select(PolicyPayment)
        .where(PolicyPayment.policy_id == policy.id, PolicyPayment.status == "succeeded")
        .with_for_update()
    )
    if paid is None:
        return
    await _refund_payment(db, runtime, paid, why)
    policy.payment_status = PaymentState.REFUNDED.value
    await db.flush()


# --- the sandbox's hosted page -------------------------------------------------------------


async def sandbox_payment(db: AsyncSession, user: User, order_ref: str) -> PolicyPayment:
    payment = await db.scalar(
        select(PolicyPayment).where(
            PolicyPayment.provider == gateways.SANDBOX, PolicyPayment.order_ref == order_ref[:100]
        )
    )
    if payment is None or payment.customer_id != user.id:
        raise NotFound("This payment page does not exist.")
    return payment


async def sandbox_submit(
    db: AsyncSession, runtime: StoreRuntime, user: User, order_ref: str, card_number: str
) -> str:
    """Like a provider, decide from the test card and queue a signed event; the policy is
    changed only when the worker delivers that event through the webhook code."""
    payment = await sandbox_payment(db, user, order_ref)
    if payment.status != "created":
        raise Conflict("This payment was already submitted.", code="already_submitted")
    digits = "".join(c for c in card_number if c.isdigit())
    events = {CARD_SUCCEEDS: "payment.captured", CARD_DECLINED: "payment.failed"}
    if digits not in events:
        raise ValidationFailed(
            "Use one of the test card numbers listed on this page.", field="card_number"
        )
    body = gateways.sandbox_event(
        event=events[digits],
        order_ref=payment.order_ref,
        payment_id="sbx_pay_" + new_token(10),
        amount=payment.amount,
        currency=payment.currency,
        message="Your card was declined." if digits == CARD_DECLINED else "",
    )
    await outbox.emit(db, SANDBOX_EVENT, {"body": body.decode()})
    return "succeeded" if digits == CARD_SUCCEEDS else "declined"


async def deliver_sandbox_event(ctx: HandlerContext, event) -> None:
    """Outbox handler: sign now, as a provider signs at send time, and hand the signed bytes
    to the webhook code, verification included."""
    body = str(event.payload["body"]).encode()
    signature = gateways.hmac_hex(gateways.sandbox_secret(ctx.runtime), body)
    outcome = await handle_webhook(
        ctx.db, ctx.runtime, gateways.SANDBOX, body, {gateways.SIGNATURE_HEADER: signature}
    )
    log.info("insurance sandbox event", extra={"outcome": outcome, "store": ctx.runtime.slug})

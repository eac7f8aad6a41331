"""Order rules through the services: paying, shipping, cancelling, refunding, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import EmailMessage, OutboxEvent
from mercato.models.orders import Order, OrderEvent, Refund
from mercato.orders import jobs
from mercato.orders import service as orders_service
from mercato.orders.module import orders_module
from mercato.payments import service as payments_service
from mercato.payments.providers import sandbox
from mercato.platform.scheduler import JobContext
from tests.orders.support import make_order, make_product, stock


async def _reload(db, order: Order) -> Order:
    return await db.scalar(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
    )


async def _pay(db, runtime, order: Order) -> Order:
    """Pay through the sandbox the way the worker does: a signed event, verified."""
    await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url="/atelier-arome/",
        cancel_url="/atelier-arome/",
    )
    attempt = (await orders_repository_attempts(db, order))[-1]
    body = sandbox.event_body(
        event_type="payment.succeeded",
        reference=attempt.reference,
        order_number=order.number,
        amount=order.total,
        currency=order.currency,
    )
    header = sandbox.signature_header(sandbox.webhook_secret(runtime), body)
    outcome = await payments_service.handle_webhook(
        db, runtime, "sandbox", body, {sandbox.SIGNATURE_HEADER: header}
    )
    assert outcome == "paid"
    return await _reload(db, order)


async def orders_repository_attempts(db, order):
    from mercato.orders import repository

    return await repository.attempts(db, order.id)


async def _emails(db, template: str) -> int:
    return int(
        await db.scalar(
            select(func.count()).select_from(EmailMessage).where(EmailMessage.template == template)
        )
        or 0
    )


async def test_abandoned_checkout_is_cancelled_and_its_stock_released(db, runtime):
    # Given an order whose 30-minute hold ended 5 minutes ago, and one still held
    product = await make_product(db, stock=5)
    abandoned, _ = await make_order(
        db, runtime, items=[(product, 3)], now=utcnow() - timedelta(minutes=35)
    )
    waiting, _ = await make_order(db, runtime, items=[(product, 1)])
    assert await stock(db, product) == (5, 4)
    # When the per-minute expiry job runs
    await jobs.expire_unpaid_orders(JobContext(runtime=runtime, db=db, slot=utcnow()))
    # Then the abandoned order is cancelled with the reason, its units are free again
    abandoned = await _reload(db, abandoned)
    assert abandoned.status == "cancelled"
    assert abandoned.cancelled_at is not None
    assert (await _reload(db, waiting)).status == "pending"
    assert await stock(db, product) == (5, 1)
    event = await db.scalar(
        select(OrderEvent).where(
            OrderEvent.order_id == abandoned.id, OrderEvent.to_status == "cancelled"
        )
    )
    assert event.message == orders_service.EXPIRED_REASON
    assert await _emails(db, "emails/order_cancelled") == 1
    # And running it again changes nothing
    assert await orders_service.expire_unpaid(db, runtime) == 0


def test_expiry_is_scheduled_every_minute():
    [schedule] = orders_module.schedules
    assert (schedule.cron, schedule.job) == ("* * * * *", jobs.expire_unpaid_orders)


async def test_lifecycle_to_delivered_with_tracking_and_emails(db, runtime):
    order, _ = await make_order(db, runtime)
    order = await _pay(db, runtime, order)
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    # Staff cannot skip preparing
    with pytest.raises(Conflict):
        await orders_service.transition(db, runtime, order, "shipped")
    await orders_service.transition(db, runtime, order, "processing")
    with pytest.raises(ValidationFailed):
        await orders_service.transition(
            db, runtime, order, "shipped", tracking_url="javascript:alert(1)"
        )
    await orders_service.transition(
        db,
        runtime,
        order,
        "shipped",
        tracking_number="LP123456789FR",
        tracking_url="https://tracking.example/LP123456789FR",
    )
    await orders_service.transition(db, runtime, order, "delivered")
    order = await _reload(db, order)
    assert order.status == "delivered"
    assert order.tracking_number == "LP123456789FR"
    assert order.shipped_at and order.delivered_at
    for template in ("order_confirmed", "order_shipped", "order_delivered"):
        assert await _emails(db, f"emails/{template}") == 1
    shipped = await db.scalar(
        select(EmailMessage).where(EmailMessage.template == "emails/order_shipped")
    )
    assert "LP123456789FR" in shipped.text_body
    # Only a payment confirms; nothing goes back
    with pytest.raises(Conflict):
        await orders_service.transition(db, runtime, order, "processing")
    paid_events = await db.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.event_type == "order.paid")
    )
    assert paid_events == 1


async def test_customer_cancels_a_pending_order_and_the_stock_is_released(db, runtime):
    product = await make_product(db, stock=4)
    order, _ = await make_order(db, runtime, items=[(product, 3)])
    await orders_service.cancel(db, runtime, order, via="customer")
    assert (await _reload(db, order)).status == "cancelled"
    assert await stock(db, product) == (4, 0)


async def test_customer_cannot_cancel_a_paid_order(db, runtime):
    order, _ = await make_order(db, runtime)
    order = await _pay(db, runtime, order)
    with pytest.raises(Conflict):
        await orders_service.cancel(db, runtime, order, via="customer")


async def test_staff_cancel_of_a_paid_order_refunds_and_restocks(db, runtime):
    product = await make_product(db, stock=5)
    order, _ = await make_order(db, runtime, items=[(product, 2)])
    order = await _pay(db, runtime, order)
    assert await stock(db, product) == (3, 0)
    await orders_service.cancel(db, runtime, order, via="staff", reason="Customer asked")
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("cancelled", "refunded")
    assert order.refunded_total == order.total
    assert await stock(db, product) == (5, 0)
    [refund] = await db.scalars(select(Refund).where(Refund.order_id == order.id))
    assert (refund.amount, refund.status, refund.provider) == (order.total, "succeeded", "sandbox")


async def test_partial_then_full_refund_of_a_delivered_order(db, runtime):
    product = await make_product(db, stock=5)
    order, _ = await make_order(db, runtime, items=[(product, 2)])
    order = await _pay(db, runtime, order)
    for target in ("processing", "shipped", "delivered"):
        await orders_service.transition(db, runtime, order, target)
    # A partial refund keeps the status
    await orders_service.refund(db, runtime, order, amount=1000, reason="Scratched box")
    order = await _reload(db, order)
    assert (order.status, order.payment_status, order.refunded_total) == (
        "delivered",
        "partially_refunded",
        1000,
    )
    # More than what is left is refused, and nothing changes
    with pytest.raises(ValidationFailed):
        await orders_service.refund(db, runtime, order, amount=order.total)
    with pytest.raises(ValidationFailed):
        await orders_service.refund(db, runtime, order, amount=0)
    # The rest, with restock, ends the order as refunded and returns the units once
    await orders_service.refund(db, runtime, order, amount=order.total - 1000, restock=True)
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert order.refunded_at is not None
    assert await stock(db, product) == (5, 0)
    with pytest.raises(Conflict):
        await orders_service.refund(db, runtime, order, amount=1)
    assert await _emails(db, "emails/order_refunded") == 2


async def test_late_payment_after_expiry_reopens_the_order_when_stock_is_free(db, runtime):
    product = await make_product(db, stock=3)
    order, _ = await make_order(db, runtime, items=[(product, 2)])
    await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url="/atelier-arome/",
        cancel_url="/atelier-arome/",
    )
    attempt = (await orders_repository_attempts(db, order))[-1]
    # The hold ends and the job cancels the order
    order.reservation_expires_at = utcnow() - timedelta(minutes=1)
    await orders_service.expire_unpaid(db, runtime)
    assert await stock(db, product) == (3, 0)
    # When the payment arrives anyway
    body = sandbox.event_body(
        event_type="payment.succeeded",
        reference=attempt.reference,
        order_number=order.number,
        amount=order.total,
        currency="USD",
    )
    header = sandbox.signature_header(sandbox.webhook_secret(runtime), body)
    outcome = await payments_service.handle_webhook(
        db, runtime, "sandbox", body, {sandbox.SIGNATURE_HEADER: header}
    )
    # Then the units are taken again and the order is confirmed
    assert outcome == "paid"
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    assert await stock(db, product) == (1, 0)


async def test_late_payment_is_refunded_when_the_stock_is_gone(db, runtime):
    product = await make_product(db, stock=2)
    order, _ = await make_order(db, runtime, items=[(product, 2)])
    await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url="/atelier-arome/",
        cancel_url="/atelier-arome/",
    )
    attempt = (await orders_repository_attempts(db, order))[-1]
    order.reservation_expires_at = utcnow() - timedelta(minutes=1)
    await orders_service.expire_unpaid(db, runtime)
    other, _ = await make_order(db, runtime, items=[(product, 2)])  # someone else took them
    body = sandbox.event_body(
        event_type="payment.succeeded",
        reference=attempt.reference,
        order_number=order.number,
        amount=order.total,
        currency="USD",
    )
    header = sandbox.signature_header(sandbox.webhook_secret(runtime), body)
    outcome = await payments_service.handle_webhook(
        db, runtime, "sandbox", body, {sandbox.SIGNATURE_HEADER: header}
    )
    assert outcome == "late payment refunded"
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("cancelled", "refunded")
    [refund] = await db.scalars(select(Refund).where(Refund.order_id == order.id))
    assert (refund.amount, refund.status) == (order.total, "succeeded")
    assert await stock(db, product) == (2, 2)  # the other order keeps its hold
    assert (await _reload(db, other)).status == "pending"


async def test_customer_cancelled_order_paid_later_is_refunded_not_reopened(db, runtime):
    order, _ = await make_order(db, runtime)
    await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url="/atelier-arome/",
        cancel_url="/atelier-arome/",
    )
    attempt = (await orders_repository_attempts(db, order))[-1]
    await orders_service.cancel(db, runtime, order, via="customer")
    body = sandbox.event_body(
        event_type="payment.succeeded",
        reference=attempt.reference,
        order_number=order.number,
        amount=order.total,
        currency="USD",
    )
    header = sandbox.signature_header(sandbox.webhook_secret(runtime), body)
    outcome = await payments_service.handle_webhook(
        db, runtime, "sandbox", body, {sandbox.SIGNATURE_HEADER: header}
    )
    assert outcome == "late payment refunded"
    assert (await _reload(db, order)).status == "cancelled"

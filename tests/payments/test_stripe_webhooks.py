"""Stripe webhooks (MUST-HOLD): forged events are refused, redelivered and out-of-order
events change the order once, a paid order never becomes unpaid."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mercato.models import EmailMessage, Notification
from mercato.models.orders import Order, OrderEvent, PaymentAttempt, WebhookEvent
from mercato.payments import service as payments_service
from tests.orders.support import make_order, make_product, make_user, stock
from tests.payments.support import (
    STRIPE_WEBHOOK_SECRET,
    stripe_attempt,
    stripe_event,
    stripe_signature,
    with_stripe,
)

URL = "/atelier-arome/payments/webhooks/stripe"


@pytest.fixture
def stripe_on(runtime, monkeypatch):
    with_stripe(runtime, monkeypatch)


async def _post(client, body: bytes, secret: str = STRIPE_WEBHOOK_SECRET):
    return await client.post(
        URL,
        content=body,
        headers={
            "Stripe-Signature": stripe_signature(body, secret),
            "content-type": "application/json",
        },
    )


async def _reload(db, order: Order) -> Order:
    return await db.scalar(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
    )


async def _count(db, model, *where) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_event_signed_with_the_wrong_secret_is_refused_and_nothing_stored(
    client, db, runtime, stripe_on
):
    # Given a pending order with a Stripe checkout
    order, _ = await make_order(db, runtime)
    attempt = await stripe_attempt(db, order)
    body = stripe_event("checkout.session.completed", attempt.reference, order)
    # When the "paid" event arrives signed with another secret, or unsigned
    forged = await _post(client, body, secret="whsec_attacker")
    unsigned = await client.post(URL, content=body)
    # Then both are refused with 400 and nothing changed
    assert (forged.status_code, unsigned.status_code) == (400, 400)
    assert await _count(db, WebhookEvent) == 0
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("pending", "unpaid")


async def test_the_same_event_twice_pays_once(client, db, runtime, stripe_on):
    # Given a pending order holding 2 of 5 units
    product = await make_product(db, stock=5)
    order, _ = await make_order(db, runtime, items=[(product, 2)])
    attempt = await stripe_attempt(db, order)
    body = stripe_event("checkout.session.completed", attempt.reference, order)
    # When Stripe delivers the completed session twice
    first = await _post(client, body)
    second = await _post(client, body)
    # Then both are acknowledged; the second changes nothing
    assert first.status_code == second.status_code == 200
    assert (first.json()["outcome"], second.json()["outcome"]) == ("paid", "duplicate")
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    assert order.payment_id == f"pi_test_{attempt.reference}"
    assert order.paid_at is not None
    assert await stock(db, product) == (3, 0)  # sold once
    assert (
        await _count(
            db,
            OrderEvent,
            OrderEvent.order_id == order.id,
            OrderEvent.kind == "payment",
            OrderEvent.to_status == "confirmed",
        )
        == 1
    )
    assert await _count(db, EmailMessage, EmailMessage.template == "emails/order_confirmed") == 1
    assert await _count(db, WebhookEvent) == 1


async def test_a_failure_after_success_never_unpays(client, db, runtime, stripe_on):
    # Given a paid order
    order, _ = await make_order(db, runtime)
    attempt = await stripe_attempt(db, order)
    await _post(client, stripe_event("checkout.session.completed", attempt.reference, order))
    # When a late failure and an expiry of the same session arrive
    failed = await _post(
        client, stripe_event("checkout.session.async_payment_failed", attempt.reference, order)
    )
    expired = await _post(
        client, stripe_event("checkout.session.expired", attempt.reference, order)
    )
    # Then the order stays paid
    assert failed.status_code == expired.status_code == 200
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    attempt = await db.get(PaymentAttempt, attempt.id, populate_existing=True)
    assert attempt.status == "succeeded"


async def test_async_payment_is_paid_only_when_the_money_arrives(client, db, runtime, stripe_on):
    # Given a checkout completed with a bank debit that has not cleared yet
    order, _ = await make_order(db, runtime)
    attempt = await stripe_attempt(db, order)
    completed = stripe_event(
        "checkout.session.completed", attempt.reference, order, payment_status="unpaid"
    )
    response = await _post(client, completed)
    # Then the order is not paid yet
    assert response.json()["outcome"] == "processing"
    assert (await _reload(db, order)).payment_status == "unpaid"
    # When the async payment succeeds
    await _post(
        client, stripe_event("checkout.session.async_payment_succeeded", attempt.reference, order)
    )
    # Then it is paid
    assert (await _reload(db, order)).payment_status == "paid"


async def test_a_failure_before_success_lets_the_shopper_retry(client, db, runtime, stripe_on):
    order, _ = await make_order(db, runtime)
    first = await stripe_attempt(db, order)
    await _post(
        client, stripe_event("checkout.session.async_payment_failed", first.reference, order)
    )
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("pending", "failed")
    # When a second checkout succeeds
    second = await stripe_attempt(db, order)
    await _post(client, stripe_event("checkout.session.completed", second.reference, order))
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    assert order.payment_reference == second.reference


async def test_amount_mismatch_is_not_paid_and_staff_are_told(client, db, runtime, stripe_on):
    # Given a staff member and a pending order
    from mercato.models.identity import Role, UserRole

    staff = await make_user(db)
    role = await db.scalar(select(Role).where(Role.name == "staff"))
    if role is None:
        role = Role(name="staff", permissions=["orders.read"], is_staff=True)
        db.add(role)
        await db.flush()
    db.add(UserRole(user_id=staff.id, role_id=role.id))
    order, _ = await make_order(db, runtime)
    attempt = await stripe_attempt(db, order)
    # When Stripe reports a smaller amount, then another currency
    short = stripe_event("checkout.session.completed", attempt.reference, order, amount=100)
    euros = stripe_event("checkout.session.completed", attempt.reference, order, currency="eur")
    assert (await _post(client, short)).json()["outcome"] == "amount mismatch"
    assert (await _post(client, euros)).json()["outcome"] == "amount mismatch"
    # Then the order is not paid and the staff member was notified
    assert (await _reload(db, order)).payment_status == "unpaid"
    assert await _count(db, Notification, Notification.user_id == staff.id) == 2


async def test_unknown_provider_webhook_is_404(client):
    response = await client.post("/atelier-arome/payments/webhooks/paypal", content=b"{}")
    assert response.status_code == 404


async def test_handle_webhook_direct_duplicate_is_harmless(db, runtime, stripe_on):
    order, _ = await make_order(db, runtime)
    attempt = await stripe_attempt(db, order)
    body = stripe_event("checkout.session.completed", attempt.reference, order, event_id="evt_1")
    headers = {"stripe-signature": stripe_signature(body, STRIPE_WEBHOOK_SECRET)}
    outcomes = [
        await payments_service.handle_webhook(db, runtime, "stripe", body, headers)
        for _ in range(3)
    ]
    assert outcomes == ["paid", "duplicate", "duplicate"]

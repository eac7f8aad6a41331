"""The Stripe adapter against a fake Stripe API (respx): what we send, what we keep."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import respx
from sqlalchemy import select

from mercato.models.orders import Order, PaymentAttempt, Refund
from mercato.orders import service as orders_service
from tests.orders.support import make_order
from tests.payments.support import (
    STRIPE_WEBHOOK_SECRET,
    stripe_attempt,
    stripe_event,
    stripe_signature,
    with_stripe,
)

API = "http://stripe.test"


async def test_checkout_session_sent_to_stripe(db, runtime, monkeypatch):
    with_stripe(runtime, monkeypatch, api_base=API)
    order, key = await make_order(db, runtime)
    with respx.mock(assert_all_called=True) as fake:
        route = fake.post(f"{API}/v1/checkout/sessions").mock(
            return_value=httpx.Response(
                200,
                json={
                    "id": "cs_test_abc",
                    "object": "checkout.session",
                    "url": "https://checkout.stripe.test/c/pay/cs_test_abc",
                },
            )
        )
        from mercato.payments import service as payments_service

        url = await payments_service.start_payment(
            db,
            runtime,
            order,
            provider="stripe",
            return_url=f"/atelier-arome/orders/{order.number}?key={key}&paid=1",
            cancel_url=f"/atelier-arome/orders/{order.number}?key={key}",
        )
    assert url == "https://checkout.stripe.test/c/pay/cs_test_abc"
    sent = parse_qs(route.calls[0].request.content.decode())
    assert sent["client_reference_id"] == [order.number]
    assert sent["metadata[order_number]"] == [order.number]
    assert sent["line_items[0][price_data][currency]"] == ["usd"]
    line_amounts = sum(
        int(sent[f"line_items[{i}][price_data][unit_amount]"][0])
        * int(sent[f"line_items[{i}][quantity]"][0])
        for i in range(2)
    )
    assert line_amounts == order.total  # the product line and shipping add up to the total
    assert sent["success_url"][0].startswith("http://testserver/atelier-arome/orders/")
    assert int(sent["expires_at"][0]) > 0
    assert route.calls[0].request.headers["authorization"] == "Bearer sk_test_fake"
    [attempt] = await db.scalars(select(PaymentAttempt).where(PaymentAttempt.order_id == order.id))
    assert (attempt.provider, attempt.reference) == ("stripe", "cs_test_abc")


async def test_refund_goes_to_stripe_with_the_payment_intent(client, db, runtime, monkeypatch):
    with_stripe(runtime, monkeypatch, api_base=API)
    order, _ = await make_order(db, runtime)
    attempt = await stripe_attempt(db, order)
    body = stripe_event("checkout.session.completed", attempt.reference, order)
    response = await client.post(
        "/atelier-arome/payments/webhooks/stripe",
        content=body,
        headers={"Stripe-Signature": stripe_signature(body, STRIPE_WEBHOOK_SECRET)},
    )
    assert response.json()["outcome"] == "paid"
    order = await db.scalar(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
    )
    with respx.mock(assert_all_called=True) as fake:
        route = fake.post(f"{API}/v1/refunds").mock(
            return_value=httpx.Response(
                200, json={"id": "re_123", "object": "refund", "status": "succeeded", "amount": 500}
            )
        )
        await orders_service.refund(db, runtime, order, amount=500, reason="Scratched label")
    sent = parse_qs(route.calls[0].request.content.decode())
    assert sent == {"payment_intent": [f"pi_test_{attempt.reference}"], "amount": ["500"]}
    assert route.calls[0].request.headers["idempotency-key"]
    [refund] = await db.scalars(select(Refund).where(Refund.order_id == order.id))
    assert (refund.provider_refund_id, refund.amount) == ("re_123", 500)


async def test_stripe_refusing_a_refund_changes_nothing(db, runtime, monkeypatch):
    import pytest

    from mercato.kit.errors import Conflict

    with_stripe(runtime, monkeypatch, api_base=API)
    order, _ = await make_order(db, runtime)
    order.payment_status, order.status = "paid", "confirmed"
    order.payment_provider, order.payment_id = "stripe", "pi_x"
    with respx.mock() as fake:
        fake.post(f"{API}/v1/refunds").mock(
            return_value=httpx.Response(
                400, json={"error": {"type": "invalid_request_error", "message": "Charge refunded"}}
            )
        )
        with pytest.raises(Conflict):
            await orders_service.refund(db, runtime, order, amount=100)
    assert order.refunded_total == 0
    assert not list(await db.scalars(select(Refund)))

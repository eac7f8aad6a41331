"""start_payment: a PaymentAttempt and a URL to the provider; the order stays unpaid."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models.orders import PaymentAttempt
from mercato.payments import service as payments_service
from tests.orders.support import make_order


async def test_sandbox_checkout_records_an_attempt_and_returns_its_page(db, runtime):
    # Given a pending order with its stock held
    order, key = await make_order(db, runtime)
    # When checkout starts a sandbox payment
    url = await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url=f"/atelier-arome/orders/{order.number}?key={key}",
        cancel_url=f"/atelier-arome/orders/{order.number}?key={key}",
    )
    # Then one attempt for the order's total exists and the URL is the sandbox page
    [attempt] = await db.scalars(select(PaymentAttempt).where(PaymentAttempt.order_id == order.id))
    assert (attempt.provider, attempt.status, attempt.amount, attempt.currency) == (
        "sandbox",
        "created",
        order.total,
        "USD",
    )
    parts = urlsplit(url)
    assert parts.path == f"/atelier-arome/payments/sandbox/{attempt.reference}"
    assert parse_qs(parts.query)["return"] == [
        f"http://testserver/atelier-arome/orders/{order.number}?key={key}"
    ]
    # And the order is still awaiting payment
    assert (order.status, order.payment_status) == ("pending", "unpaid")


async def test_unknown_or_unconfigured_provider_is_not_found(db, runtime):
    order, _ = await make_order(db, runtime)
    for provider in ("paypal", "stripe"):  # stripe: no secret key in the test settings
        with pytest.raises(NotFound):
            await payments_service.start_payment(
                db,
                runtime,
                order,
                provider=provider,
                return_url="/atelier-arome/",
                cancel_url="/atelier-arome/",
            )


@pytest.mark.parametrize("url", ["https://evil.example/x", "//evil.example/x", "javascript:x"])
async def test_return_url_must_stay_on_the_store(db, runtime, url):
    order, _ = await make_order(db, runtime)
    with pytest.raises(ValidationFailed) as caught:
        await payments_service.start_payment(
            db, runtime, order, provider="sandbox", return_url=url, cancel_url="/atelier-arome/"
        )
    assert caught.value.field == "return_url"


async def test_an_expired_hold_or_a_paid_order_cannot_start_a_payment(db, runtime):
    # Given an order whose hold expired, and one already paid
    expired, _ = await make_order(db, runtime, now=utcnow() - timedelta(hours=1))
    paid, _ = await make_order(db, runtime)
    paid.payment_status = "paid"
    paid.status = "confirmed"
    for order, code in ((expired, "hold_expired"), (paid, "already_paid")):
        with pytest.raises(Conflict) as caught:
            await payments_service.start_payment(
                db,
                runtime,
                order,
                provider="sandbox",
                return_url="/atelier-arome/",
                cancel_url="/atelier-arome/",
            )
        assert caught.value.code == code
    # Then no attempt was recorded
    assert not list(await db.scalars(select(PaymentAttempt)))


async def test_store_relative_return_urls_are_accepted(db, runtime):
    order, key = await make_order(db, runtime)
    url = await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url=f"orders/{order.number}?key={key}&paid=1",
        cancel_url=f"orders/{order.number}?key={key}",
    )
    assert parse_qs(urlsplit(url).query)["cancel"] == [
        f"http://testserver/atelier-arome/orders/{order.number}?key={key}"
    ]


async def test_forged_sandbox_webhook_is_refused(client, db, runtime):
    from mercato.models.orders import WebhookEvent
    from mercato.payments.providers import sandbox

    order, _ = await make_order(db, runtime)
    await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url="/atelier-arome/",
        cancel_url="/atelier-arome/",
    )
    [attempt] = await db.scalars(select(PaymentAttempt).where(PaymentAttempt.order_id == order.id))
    body = sandbox.event_body(
        event_type="payment.succeeded",
        reference=attempt.reference,
        order_number=order.number,
        amount=order.total,
        currency="USD",
    )
    forged = sandbox.signature_header("a-guessed-secret", body)
    old = sandbox.signature_header(sandbox.webhook_secret(runtime), body, timestamp=1_000_000)
    for header in (forged, old):
        response = await client.post(
            "/atelier-arome/payments/webhooks/sandbox",
            content=body,
            headers={"Mercato-Signature": header},
        )
        assert response.status_code == 400
    assert not list(await db.scalars(select(WebhookEvent)))
    assert order.payment_status == "unpaid"

"""Outbound webhooks: the HMAC-SHA256 signature a receiver verifies, fan-out of domain
events to matching subscriptions (once, even when the event is delivered twice), delivery
through the real worker to a local receiver (httpx MockTransport), retries with
exponential backoff and the attempt log, giving up, manual redelivery, and the admin API."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from mercato.kit.errors import ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import OutboxEvent
from mercato.models.webhooks import WebhookAttempt, WebhookDelivery
from mercato.platform import outbox
from mercato.platform.seeding import ensure_user, sync_roles
from mercato.platform.worker import process_batch
from mercato.webhooks import service
from tests.bookings.support import PASSWORD, make_user

STORE = "audio-tai-loc"


class Receiver:
    """A local endpoint: records what it got and answers with the next status in line."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses) or [200]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return httpx.Response(status, json={"ok": status < 300})


@pytest.fixture
def receiver(runtime):
    def install(*statuses: int) -> Receiver:
        r = Receiver(*statuses)
        runtime.extras[service.TRANSPORT_KEY] = httpx.MockTransport(r)
        return r

    yield install
    runtime.extras.pop(service.TRANSPORT_KEY, None)


async def _subscribe(db, runtime, events=("booking.confirmed",)):
    return await service.create_subscription(
        db,
        service.cipher_for(runtime.secret),
        url="https://erp.example.vn/hooks",
        event_types=list(events),
    )


async def _due_now(db) -> None:
    """Let scheduled retries run now instead of waiting for their backoff."""
    await db.execute(
        update(OutboxEvent)
        .where(OutboxEvent.status == "pending")
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )
    await db.commit()


# --- signature ------------------------------------------------------------------


def test_a_receiver_verifies_the_signature_and_refuses_tampering_and_replays():
    body = b'{"type":"order.created"}'
    now = int(time.time())
    header = service.sign("whsec_abc", body, now)
    assert service.verify("whsec_abc", body, header, now=now)
    assert not service.verify("whsec_abc", body + b" ", header, now=now)
    assert not service.verify("whsec_other", body, header, now=now)
    assert not service.verify("whsec_abc", body, header, now=now + 301)
    assert not service.verify("whsec_abc", body, "t=x,v1=00", now=now)


@given(
    st.binary(max_size=300),
    st.text(min_size=1, max_size=40),
    st.integers(min_value=0, max_value=2**33),
)
def test_any_signed_body_verifies_with_its_secret_only(body, secret, timestamp):
    header = service.sign(secret, body, timestamp)
    assert service.verify(secret, body, header, now=timestamp)
    assert not service.verify(secret + "x", body, header, now=timestamp)


@given(st.integers(min_value=1, max_value=service.MAX_ATTEMPTS))
def test_backoff_doubles(attempts):
    assert service.backoff_seconds(attempts) == 30 * 2 ** (attempts - 1)


# --- subscriptions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("ftp://x.example/h", ["order.created"], "url"),
        ("https://user:pw@x.example/h", ["order.created"], "url"),
        ("https://x.example/h", [], "event_types"),
        ("https://x.example/h", ["order.created", "nope"], "event_types"),
    ],
)
async def test_bad_subscriptions_are_refused_on_their_field(db, runtime, url, events, field):
    with pytest.raises(ValidationFailed) as refused:
        await service.create_subscription(
            db, service.cipher_for(runtime.secret), url=url, event_types=events
        )
    assert refused.value.field == field


async def test_the_secret_is_stored_encrypted(db, runtime):
    sub, secret = await _subscribe(db, runtime)
    assert secret.startswith("whsec_") and secret not in sub.secret_cipher
    assert service.cipher_for(runtime.secret).decrypt(sub.secret_cipher) == secret


# --- delivery through the worker ------------------------------------------------------------------


async def test_an_event_is_delivered_signed_to_its_subscribers_once(db, runtime, receiver):
    got = receiver(200)
    sub, secret = await _subscribe(db, runtime, ("booking.confirmed",))
    other, _ = await _subscribe(db, runtime, ("order.created",))
    await outbox.emit(db, "booking.confirmed", {"number": "DV-123456", "total": 860000})
    await db.commit()
    await process_batch(runtime)  # fan-out
    await process_batch(runtime)  # delivery
    assert len(got.requests) == 1
    sent = got.requests[0]
    assert str(sent.url) == "https://erp.example.vn/hooks"
    assert service.verify(secret, sent.content, sent.headers[service.SIGNATURE_HEADER])
    document = json.loads(sent.content)
    assert document["type"] == "booking.confirmed" and document["data"]["number"] == "DV-123456"
    assert sent.headers["mercato-event"] == "booking.confirmed"
    delivery = await db.scalar(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)
    )
    await db.refresh(delivery)
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert (
        await db.scalar(select(WebhookDelivery).where(WebhookDelivery.subscription_id == other.id))
        is None
    )
    # The same domain event handled again (at-least-once delivery) makes no second delivery
    source = await db.scalar(
        select(OutboxEvent).where(OutboxEvent.event_type == "booking.confirmed")
    )
    from mercato.platform.outbox import HandlerContext

    await service.fan_out(HandlerContext(runtime=runtime, db=db, event=source), source)
    count = len(
        list(
            await db.scalars(
                select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == sub.id)
            )
        )
    )
    assert count == 1


async def test_failures_retry_with_backoff_then_succeed(db, runtime, receiver):
    got = receiver(500, 503, 200)
    await _subscribe(db, runtime)
    await outbox.emit(db, "booking.confirmed", {"number": "DV-222222"})
    await db.commit()
    await process_batch(runtime)
    before = utcnow()
    await process_batch(runtime)  # first try: 500
    delivery = await db.scalar(select(WebhookDelivery))
    await db.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=29) <= wait <= timedelta(seconds=40)
    assert await process_batch(runtime) == 0  # nothing due before the backoff
    await _due_now(db)
    await process_batch(runtime)  # second try: 503
    await db.refresh(delivery)
    assert delivery.attempts == 2
    assert timedelta(seconds=59) <= delivery.next_attempt_at - utcnow() <= timedelta(seconds=61)
    await _due_now(db)
    await process_batch(runtime)  # third try: 200
    await db.refresh(delivery)
    assert delivery.status == "delivered" and delivery.attempts == 3 and len(got.requests) == 3
    log = list(
        await db.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.id)
        )
    )
    assert [a.status_code for a in log] == [500, 503, 200]
    # Each try was signed afresh and carried the same event id
    assert len({r.headers["mercato-delivery"] for r in got.requests}) == 1


async def test_after_the_last_attempt_it_fails_and_can_be_redelivered_by_hand(
    db, runtime, receiver
):
    receiver(500)
    await _subscribe(db, runtime)
    await outbox.emit(db, "booking.confirmed", {"number": "DV-333333"})
    await db.commit()
    await process_batch(runtime)
    for _ in range(service.MAX_ATTEMPTS):
        await process_batch(runtime)
        await _due_now(db)
    delivery = await db.scalar(select(WebhookDelivery))
    await db.refresh(delivery)
    assert delivery.status == "failed" and delivery.attempts == service.MAX_ATTEMPTS
    assert await process_batch(runtime) == 0  # given up: nothing more queued
    # The receiver is fixed; the admin redelivers
    got = receiver(200)
    await service.redeliver(db, delivery.id)
    await db.commit()
    await process_batch(runtime)
    await db.refresh(delivery)
    assert delivery.status == "delivered" and len(got.requests) == 1


async def test_a_network_error_is_logged_and_retried(db, runtime):
    def broken(request):
        raise httpx.ConnectError("connection refused", request=request)

    runtime.extras[service.TRANSPORT_KEY] = httpx.MockTransport(broken)
    try:
        await _subscribe(db, runtime)
        await outbox.emit(db, "booking.confirmed", {"number": "DV-444444"})
        await db.commit()
        await process_batch(runtime)
        await process_batch(runtime)
    finally:
        runtime.extras.pop(service.TRANSPORT_KEY, None)
    delivery = await db.scalar(select(WebhookDelivery))
    await db.refresh(delivery)
    assert delivery.status == "pending" and "ConnectError" in delivery.last_error


# --- admin API ------------------------------------------------------------------


async def _token(client, db, runtime, roles) -> dict[str, str]:
    n = await make_user(db)
    user, _ = await ensure_user(
        db,
        await sync_roles(db, runtime.modules),
        email=f"wh-{n.id}@example.vn",
        password=PASSWORD,
        name="A",
        role_names=roles,
    )
    response = await client.post(
        f"/{STORE}/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_admin_api_manages_subscriptions_and_customers_cannot(client, db, runtime):
    admin = await _token(client, db, runtime, ["admin"])
    made = await client.post(
        f"/{STORE}/api/v1/webhooks/subscriptions",
        headers=admin,
        json={
            "url": "https://erp.example.vn/h",
            "event_types": ["order.created", "booking.cancelled"],
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["secret"].startswith("whsec_")
    listed = await client.get(f"/{STORE}/api/v1/webhooks/subscriptions", headers=admin)
    assert "secret" not in listed.json()[0] and listed.json()[0]["secret_hint"]
    bad = await client.post(
        f"/{STORE}/api/v1/webhooks/subscriptions",
        headers=admin,
        json={"url": "javascript:alert(1)", "event_types": ["order.created"]},
    )
    assert bad.status_code == 422
    assert (
        await client.get(f"/{STORE}/api/v1/webhooks/deliveries", headers=admin)
    ).status_code == 200
    assert (
        await client.post(f"/{STORE}/api/v1/webhooks/deliveries/999999/redeliver", headers=admin)
    ).status_code == 404
    customer = await _token(client, db, runtime, ["customer"])
    assert (
        await client.get(f"/{STORE}/api/v1/webhooks/subscriptions", headers=customer)
    ).status_code == 403

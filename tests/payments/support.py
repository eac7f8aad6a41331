"""Provider events signed the way the providers sign them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

from mercato.models.orders import Order, PaymentAttempt

STRIPE_WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
_ids = itertools.count(1)


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's documented scheme: HMAC-SHA256 of "<t>.<payload>" with the endpoint secret."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def stripe_event(
    event_type: str,
    session_id: str,
    order: Order,
    *,
    payment_status: str = "paid",
    amount: int | None = None,
    currency: str | None = None,
    event_id: str | None = None,
) -> bytes:
    body: dict[str, Any] = {
        "id": event_id or f"evt_test_{next(_ids)}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "api_version": "2024-06-20",
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "payment_status": payment_status,
                "status": "complete",
                "amount_total": order.total if amount is None else amount,
                "currency": (currency or order.currency).lower(),
                "payment_intent": f"pi_test_{session_id}",
                "client_reference_id": order.number,
                "metadata": {"order_number": order.number},
            }
        },
    }
    return json.dumps(body).encode()


async def stripe_attempt(db, order: Order) -> PaymentAttempt:
    attempt = PaymentAttempt(
        order_id=order.id,
        provider="stripe",
        reference=f"cs_test_{order.number}_{next(_ids)}",
        amount=order.total,
        currency=order.currency,
    )
    db.add(attempt)
    order.payment_provider = "stripe"
    await db.flush()
    return attempt


def with_stripe(runtime, monkeypatch, *, api_base: str = "http://stripe.test") -> None:
    """Turn Stripe on for this test (the session's settings are shared: copy them)."""
    settings = runtime.settings.model_copy(
        update={
            "stripe_secret_key": type(runtime.settings.stripe_secret_key)("sk_test_fake"),
            "stripe_webhook_secret": type(runtime.settings.stripe_webhook_secret)(
                STRIPE_WEBHOOK_SECRET
            ),
            "stripe_api_base": api_base,
        }
    )
    monkeypatch.setattr(runtime, "settings", settings)

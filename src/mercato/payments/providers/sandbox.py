"""The built-in sandbox provider: a hosted test card page served by the store itself, so the
demo takes payments offline.

It behaves like a real provider on purpose. The page never touches the order: submitting
it queues a provider event in the outbox, and the worker signs that event (HMAC-SHA256 over
``timestamp.payload``, header ``Mercato-Signature: t=…,v1=…``, the scheme Stripe uses) and
hands the signed bytes to the same verification and processing code as the webhook
endpoint. The signing secret is derived from the store secret, so nobody outside the
server can forge a sandbox payment.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from mercato.kit.i18n import N_
from mercato.kit.security import constant_time_equal, new_token, sign
from mercato.payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    ParsedEvent,
    ProviderRefund,
    SignatureInvalid,
)

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

SIGNATURE_HEADER = "mercato-signature"
TOLERANCE_SECONDS = 300

# Test cards, as the page explains them to the shopper.
CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_DELAYED = "4000000000003220"  # "processing" first, success a few seconds later
DELAYED_SECONDS = 4

EVENT_KINDS = {
    "payment.succeeded": "paid",
    "payment.failed": "failed",
    "payment.processing": "processing",
    "checkout.expired": "expired",
}


def webhook_secret(runtime: StoreRuntime) -> str:
    return sign(runtime.secret, runtime.slug, "sandbox-webhook")


def signature_header(secret: str, payload: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_signature(secret: str, payload: bytes, header: str, *, now: float | None = None) -> None:
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise SignatureInvalid("no timestamp in the signature header") from None
    if abs((now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        raise SignatureInvalid("the signature is too old")
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    if not any(constant_time_equal(v, expected) for v in parts.get("v1", [])):
        raise SignatureInvalid("no matching signature")


def return_signature(runtime: StoreRuntime, reference: str, return_url: str, cancel: str) -> str:
    return sign(runtime.secret, runtime.slug, "sandbox-return", reference, return_url, cancel)


def event_body(
    *,
    event_type: str,
    reference: str,
    order_number: str,
    amount: int,
    currency: str,
    message: str = "",
) -> bytes:
    body: dict[str, Any] = {
        "id": "evt_sbx_" + new_token(12),
        "type": event_type,
        "created": int(time.time()),
        "data": {
            "reference": reference,
            "order_number": order_number,
            "amount": amount,
            "currency": currency,
            "payment_id": "sbx_pay_" + reference.removeprefix("sbx_cs_"),
            "message": message,
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


class SandboxProvider:
    name = "sandbox"
    label = N_("Card (sandbox: test cards only)")

    async def create_checkout(
        self, runtime: StoreRuntime, request: CheckoutRequest
    ) -> CheckoutSession:
        reference = "sbx_cs_" + new_token(18)
        query = urlencode(
            {
                "return": request.return_url,
                "cancel": request.cancel_url,
                "sig": return_signature(runtime, reference, request.return_url, request.cancel_url),
            }
        )
        return CheckoutSession(
            reference=reference,
            url=runtime.absolute_url(f"payments/sandbox/{reference}") + "?" + query,
        )

    def verify_webhook(
        self, runtime: StoreRuntime, payload: bytes, headers: Mapping[str, str]
    ) -> ParsedEvent:
        verify_signature(webhook_secret(runtime), payload, headers.get(SIGNATURE_HEADER, ""))
        try:
            body = json.loads(payload)
            data = body["data"]
            kind = EVENT_KINDS.get(body["type"], "ignored")
            return ParsedEvent(
                event_id=str(body["id"]),
                event_type=str(body["type"]),
                kind=kind,  # type: ignore[arg-type]
                reference=str(data.get("reference", "")),
                order_number=str(data.get("order_number", "")),
                amount=int(data["amount"]) if data.get("amount") is not None else None,
                currency=str(data.get("currency", "")).upper(),
                payment_id=str(data.get("payment_id", "")),
                message=str(data.get("message", ""))[:500],
                payload=body,
            )
        except (ValueError, KeyError, TypeError) as exc:
            # Signed by us but unreadable: treat like a forgery rather than guess.
            raise SignatureInvalid(f"unreadable event: {exc}") from None

    async def refund(
        self,
        runtime: StoreRuntime,
        *,
        payment_id: str,
        amount: int,
        currency: str,
        idempotency_key: str,
    ) -> ProviderRefund:
        # Deterministic per idempotency key, like a provider that remembers the request.
        digest = hashlib.sha256(f"{runtime.slug}:{idempotency_key}".encode()).hexdigest()[:24]
        return ProviderRefund(refund_id=f"sbx_re_{digest}", status="succeeded")

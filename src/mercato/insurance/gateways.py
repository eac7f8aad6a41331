"""Payment gateways for premiums: Razorpay through its official SDK, and a sandbox that
behaves like Razorpay (same event shape, same HMAC-SHA256 signature scheme) with a secret
derived from the store secret, so the demo takes payments offline through the same code.

Razorpay is configured by ``MERCATO_RAZORPAY_KEY_ID``, ``MERCATO_RAZORPAY_KEY_SECRET`` and
``MERCATO_RAZORPAY_WEBHOOK_SECRET``; ``MERCATO_RAZORPAY_API_BASE`` points the SDK elsewhere.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from mercato.kit.security import new_token, sign
from mercato.payments.providers.base import ProviderError, ProviderRefund, SignatureInvalid

if TYPE_CHECKING:
    import razorpay

    from mercato.platform.runtime import StoreRuntime

SIGNATURE_HEADER = "x-razorpay-signature"
EVENT_ID_HEADER = "x-razorpay-event-id"
SANDBOX = "sandbox"
RAZORPAY = "razorpay"
# The provider names under which webhook events are de-duplicated (webhook_events table);
# distinct from the order checkout's own "sandbox" events.
EVENT_SOURCES = {SANDBOX: "ins-sandbox", RAZORPAY: "razorpay"}


class RazorpaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MERCATO_RAZORPAY_", extra="ignore")

    key_id: str = ""
    key_secret: SecretStr = SecretStr("")
    webhook_secret: SecretStr = SecretStr("")
    api_base: str = ""


def razorpay_settings() -> RazorpaySettings:
    return RazorpaySettings()


# Tests replace this with a fake HTTP session (the SDK's process boundary).
session_factory: Callable[[], Any] | None = None


def razorpay_configured(runtime: StoreRuntime) -> bool:
    settings = razorpay_settings()
    return (
        RAZORPAY in runtime.config.payment_providers
        and bool(settings.key_id)
        and bool(settings.key_secret.get_secret_value())
    )


def offered(runtime: StoreRuntime) -> list[str]:
    names = []
    for name in runtime.config.payment_providers:
        if name == SANDBOX or (name == RAZORPAY and razorpay_configured(runtime)):
            names.append(name)
    return names


def _client() -> razorpay.Client:
    import razorpay  # ~20 MiB with requests: loaded only by stores that take Razorpay

    settings = razorpay_settings()
    options: dict[str, Any] = {}
    if settings.api_base:
        options["base_url"] = settings.api_base.rstrip("/")
    session = session_factory() if session_factory else None
    return razorpay.Client(
        session=session, auth=(settings.key_id, settings.key_secret.get_secret_value()), **options
    )


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sandbox_secret(runtime: StoreRuntime) -> str:
    return sign(runtime.secret, runtime.slug, "insurance-sandbox-webhook")


def webhook_secret(runtime: StoreRuntime, provider: str) -> str:
    if provider == SANDBOX:
        return sandbox_secret(runtime)
    return razorpay_settings().webhook_secret.get_secret_value()


@dataclass(frozen=True)
class PaymentEvent:
    event_id: str
    event: str  # payment.captured, payment.failed, ...
    kind: str  # "paid" | "failed" | "ignored"
    order_ref: str
    payment_id: str
    amount: int | None
    currency: str
    method: str
    message: str
    payload: dict[str, Any]


KINDS = {"payment.captured": "paid", "order.paid": "paid", "payment.failed": "failed"}


def verify_webhook(runtime: StoreRuntime, provider: str, body: bytes, headers: Any) -> PaymentEvent:
    """Check ``X-Razorpay-Signature`` (HMAC-SHA256 of the raw body with the webhook secret)
    with the SDK's verifier, then read the event. Raises SignatureInvalid."""
    secret = webhook_secret(runtime, provider)
    signature = headers.get(SIGNATURE_HEADER, "")
    if not secret or not signature:
        raise SignatureInvalid("missing signature or webhook secret")
    import razorpay

    try:
        razorpay.Utility(None).verify_webhook_signature(body.decode(), signature, secret)
    except (razorpay.errors.SignatureVerificationError, UnicodeDecodeError):
        raise SignatureInvalid("signature mismatch") from None
    try:
        data = json.loads(body)
        name = str(data["event"])
        entity = ((data.get("payload") or {}).get("payment") or {}).get("entity") or {}
        # Razorpay names each delivery in a header; its body has no id of its own.
        event_id = headers.get(EVENT_ID_HEADER) or str(data.get("id") or "")
        if not event_id:
            event_id = "sha256:" + hashlib.sha256(body).hexdigest()
        amount = entity.get("amount")
        return PaymentEvent(
            event_id=event_id[:255],
            event=name[:100],
            kind=KINDS.get(name, "ignored"),
            order_ref=str(entity.get("order_id") or ""),
            payment_id=str(entity.get("id") or ""),
            amount=int(amount) if amount is not None else None,
            currency=str(entity.get("currency") or "").upper(),
            method=str(entity.get("method") or "")[:30],
            message=str(entity.get("error_description") or "")[:500],
            payload=data,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SignatureInvalid(f"unreadable event: {exc}") from None


def verify_checkout_signature(order_ref: str, payment_id: str, signature: str) -> bool:
    """Razorpay Checkout's handler signature: HMAC-SHA256(key_secret, "order|payment")."""
    secret = razorpay_settings().key_secret.get_secret_value()
    if not secret:
        return False
    import razorpay

    try:
        razorpay.Utility(None).verify_signature(f"{order_ref}|{payment_id}", signature, secret)
    except razorpay.errors.SignatureVerificationError:
        return False
    return True


async def create_order(
    runtime: StoreRuntime, provider: str, *, amount: int, currency: str, receipt: str
) -> str:
    """Open an order at the provider; returns its id."""
    if provider == SANDBOX:
        return "sbx_order_" + new_token(12)

    def call() -> dict[str, Any]:
        return _client().order.create(
            {
                "amount": amount,
                "currency": currency,
                "receipt": receipt[:40],
                "notes": {"store": runtime.slug, "receipt": receipt},
            }
        )

    try:
        answer = await asyncio.to_thread(call)
    except Exception as exc:  # the SDK raises requests and its own errors alike
        raise ProviderError(f"Razorpay refused the order: {exc}") from exc
    order_id = str(answer.get("id") or "")
    if not order_id:
        raise ProviderError("Razorpay answered without an order id.")
    return order_id


async def refund(
    runtime: StoreRuntime, provider: str, *, payment_id: str, amount: int, receipt: str
) -> ProviderRefund:
    if provider == SANDBOX:
        digest = hashlib.sha256(f"{runtime.slug}:{receipt}".encode()).hexdigest()[:24]
        return ProviderRefund(refund_id=f"sbx_rfnd_{digest}", status="succeeded")

    def call() -> dict[str, Any]:
        # The receipt makes a retried refund recognisable in Razorpay's dashboard.
        return _client().payment.refund(payment_id, {"amount": amount, "receipt": receipt[:40]})

    try:
        answer = await asyncio.to_thread(call)
    except Exception as exc:
        raise ProviderError(f"Razorpay refused the refund: {exc}") from exc
    done = answer.get("status") == "processed"
    return ProviderRefund(
        refund_id=str(answer.get("id") or ""), status="succeeded" if done else "pending"
    )


def sandbox_event(
    *, event: str, order_ref: str, payment_id: str, amount: int, currency: str, message: str = ""
) -> bytes:
    """A Razorpay-shaped event body for the sandbox."""
    entity = {
        "id": payment_id,
        "entity": "payment",
        "order_id": order_ref,
        "amount": amount,
        "currency": currency,
        "status": "captured" if event == "payment.captured" else "failed",
        "method": "card",
        "error_description": message or None,
    }
    body = {
        "entity": "event",
        "id": "evt_sbx_" + new_token(12),
        "event": event,
        "payload": {"payment": {"entity": entity}},
    }
    return json.dumps(body, separators=(",", ":")).encode()

"""Stripe Checkout through the official SDK (async calls over httpx).

Offered only when ``MERCATO_STRIPE_SECRET_KEY`` is set. ``MERCATO_STRIPE_API_BASE`` points
the SDK elsewhere (tests use a local fake); the real Stripe is never called by the tests.
Webhooks are verified with ``stripe.Webhook.construct_event`` and the endpoint secret.

The SDK (about 30 MiB once imported) is imported on first use, so a store without Stripe
never loads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from mercato.kit.time import utcnow
from mercato.payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    ParsedEvent,
    ProviderError,
    ProviderRefund,
    SignatureInvalid,
)

if TYPE_CHECKING:
    import stripe

    from mercato.platform.runtime import StoreRuntime

SIGNATURE_HEADER = "stripe-signature"
# Stripe accepts a Checkout Session expiry between 30 minutes and 24 hours from now.
MIN_SESSION = timedelta(minutes=31)
MAX_SESSION = timedelta(hours=23, minutes=50)


def _client(runtime: StoreRuntime) -> stripe.StripeClient:
    import stripe

    settings = runtime.settings
    kwargs: dict[str, Any] = {"http_client": stripe.HTTPXClient(), "max_network_retries": 1}
    if settings.stripe_api_base:
        kwargs["base_addresses"] = {"api": settings.stripe_api_base.rstrip("/")}
    return stripe.StripeClient(settings.stripe_secret_key.get_secret_value(), **kwargs)


def _line_items(request: CheckoutRequest) -> list[dict[str, Any]]:
    """Itemised when the order's parts can be charged as lines; otherwise one line for the
    total (Checkout has no negative lines, so a discounted order is charged as a whole)."""
    order = request.order
    currency = order.currency.lower()

    def item(name: str, amount: int, quantity: int = 1) -> dict[str, Any]:
        return {
            "quantity": quantity,
            "price_data": {
                "currency": currency,
                "unit_amount": amount,
                "product_data": {"name": name[:250]},
            },
        }

    if order.discount_total or order.total <= 0:
        return [item(f"Order {order.number}", order.total)]
    items = [item(line.name, line.unit_price, line.quantity) for line in request.lines]
    if order.shipping_total:
        items.append(item(order.shipping_method or "Shipping", order.shipping_total))
    if order.gift_wrap_total:
        items.append(item("Gift wrapping", order.gift_wrap_total))
    if order.tax_total and not order.tax_inclusive:
        items.append(item("Tax", order.tax_total))
    charged = sum(i["price_data"]["unit_amount"] * i["quantity"] for i in items)
    if charged != order.total:  # never charge a sum other than the order's total
        return [item(f"Order {order.number}", order.total)]
    return items


def parse_event(event: Mapping[str, Any]) -> ParsedEvent:
    """Map a verified Stripe event to what it means for an order."""
    event_type = str(event.get("type", ""))
    obj = (event.get("data") or {}).get("object") or {}
    kind = "ignored"
    if event_type == "checkout.session.completed":
        # An asynchronous method (bank debit) completes the session before the money
        # arrives: only "paid" means paid; "unpaid" waits for async_payment_succeeded.
        kind = "paid" if obj.get("payment_status") == "paid" else "processing"
    elif event_type == "checkout.session.async_payment_succeeded":
        kind = "paid"
    elif event_type == "checkout.session.async_payment_failed":
        kind = "failed"
    elif event_type == "checkout.session.expired":
        kind = "expired"
    metadata = obj.get("metadata") or {}
    payment_intent = obj.get("payment_intent") or ""
    if isinstance(payment_intent, Mapping):
        payment_intent = payment_intent.get("id", "")
    amount = obj.get("amount_total")
    return ParsedEvent(
        event_id=str(event.get("id", "")),
        event_type=event_type,
        kind=kind,  # type: ignore[arg-type]
        reference=str(obj.get("id", "")) if obj.get("object") == "checkout.session" else "",
        order_number=str(metadata.get("order_number") or obj.get("client_reference_id") or ""),
        amount=int(amount) if amount is not None else None,
        currency=str(obj.get("currency") or "").upper(),
        payment_id=str(payment_intent),
        message="The payment failed at Stripe." if kind == "failed" else "",
        payload=dict(event),
    )


class StripeProvider:
    name = "stripe"
    label = "Card (Stripe)"

    async def create_checkout(
        self, runtime: StoreRuntime, request: CheckoutRequest
    ) -> CheckoutSession:
        import stripe

        order = request.order
        now = utcnow()
        expires = request.expires_at or now + MIN_SESSION
        expires = min(max(expires, now + MIN_SESSION), now + MAX_SESSION)
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": _line_items(request),
            "success_url": request.return_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": order.number,
            "metadata": {"order_number": order.number, "store": runtime.slug},
            "payment_intent_data": {"metadata": {"order_number": order.number}},
            "expires_at": int(expires.timestamp()),
        }
        if order.email:
            params["customer_email"] = order.email
        try:
            session = await _client(runtime).v1.checkout.sessions.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"checkout-{order.number}-{int(now.timestamp())}"},
            )
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe refused the checkout: {exc.user_message or exc}") from exc
        if not session.url:
            raise ProviderError("Stripe returned a checkout session without a URL.")
        return CheckoutSession(reference=session.id, url=session.url)

    def verify_webhook(
        self, runtime: StoreRuntime, payload: bytes, headers: Mapping[str, str]
    ) -> ParsedEvent:
        import stripe

        secret = runtime.settings.stripe_webhook_secret.get_secret_value()
        if not secret:
            raise SignatureInvalid("no Stripe webhook secret is configured")
        try:
            event = stripe.Webhook.construct_event(
                payload, headers.get(SIGNATURE_HEADER, ""), secret
            )
        except stripe.SignatureVerificationError as exc:
            raise SignatureInvalid(str(exc)) from None
        except ValueError as exc:  # not JSON
            raise SignatureInvalid(f"unreadable event: {exc}") from None
        return parse_event(event.to_dict())

    async def refund(
        self,
        runtime: StoreRuntime,
        *,
        payment_id: str,
        amount: int,
        currency: str,
        idempotency_key: str,
    ) -> ProviderRefund:
        import stripe

        if not payment_id:
            raise ProviderError("This order has no Stripe payment to refund.")
        try:
            refund = await _client(runtime).v1.refunds.create_async(
                {"payment_intent": payment_id, "amount": amount},
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe refused the refund: {exc.user_message or exc}") from exc
        status = refund.status if refund.status in ("succeeded", "pending", "failed") else "pending"
        return ProviderRefund(refund_id=refund.id, status=status)  # type: ignore[arg-type]

"""Checkout API: a quote for an address, and placing the order (with Idempotency-Key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request

from mercato.cart import service as cart_service
from mercato.cart.api import Owner
from mercato.checkout import service as checkout_service
from mercato.checkout.schemas import (
    BreakdownOut,
    CheckoutIn,
    PlacedOut,
    QuoteIn,
    QuoteOut,
    ShippingOptionOut,
)
from mercato.checkout.service import CheckoutDetails
from mercato.identity.deps import client_ip, limit_attempts
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.models import User
from mercato.models.orders import Order
from mercato.payments import service as payments_service
from mercato.pricing.totals import Totals
from mercato.web.deps import Db, Runtime

router = APIRouter(prefix="/checkout", tags=["checkout"])


def breakdown(t: Totals | Order) -> BreakdownOut:
    if isinstance(t, Order):
        return BreakdownOut(
            currency=t.currency, store_currency=t.store_currency,
            exchange_rate_micros=t.exchange_rate_micros, subtotal=t.subtotal,
            shipping=t.shipping_total, gift_wrap=t.gift_wrap_total, discount=t.discount_total,
            tax=t.tax_total, tax_inclusive=t.tax_inclusive, tax_lines=t.tax_lines, total=t.total,
        )  # fmt: skip
    return BreakdownOut(
        currency=t.currency, store_currency=t.store_currency,
        exchange_rate_micros=t.exchange_rate_micros, subtotal=t.subtotal, shipping=t.shipping,
        gift_wrap=t.gift_wrap, discount=t.discount, tax=t.tax, tax_inclusive=t.tax_inclusive,
        tax_lines=t.tax_lines, total=t.total,
    )  # fmt: skip


async def _cart(db: Db, owner) -> object:
    cart = await cart_service.find_cart(db, user_id=owner.user_id, token=owner.token)
    if cart is None:
        raise NotFound("No cart has this token (it may have expired).", field="X-Cart-Token")
    return cart


@router.post("/quote", response_model=QuoteOut)
async def checkout_quote(body: QuoteIn, db: Db, runtime: Runtime, owner: Owner) -> QuoteOut:
    """Shipping options, tax and totals for the cart delivered to ``country``/``region``."""
    cart = await _cart(db, owner)
    view = await cart_service.view(db, cart, runtime=runtime)  # type: ignore[arg-type]
    q = await checkout_service.quote(
        db, runtime, view, country=body.country.upper(), region=body.region,
        rate_id=body.shipping_rate_id, currency=body.currency, gift_wrap=body.gift_wrap,
    )  # fmt: skip
    if body.shipping_rate_id is not None and q.option is None:
        raise ValidationFailed(
            "This delivery method does not serve this address.", field="shipping_rate_id"
        )
    return QuoteOut(
        breakdown=breakdown(q.totals),
        shipping_options=[ShippingOptionOut(**o.__dict__) for o in q.options],
        notice=q.notice,
    )


@router.post("", response_model=PlacedOut, status_code=201)
async def place_order(
    request: Request,
    body: CheckoutIn,
    db: Db,
    runtime: Runtime,
    owner: Owner,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=100,
            description="Retrying with the same key returns the same order",
        ),
    ] = None,
) -> PlacedOut:
    """Place the cart's order (stock held for the checkout hold time) and open the payment.
    Out of stock → 409 naming the product; nothing is written."""
    await limit_attempts(
        request, (runtime.settings.rate_limit_checkout, f"checkout-ip:{client_ip(request)}")
    )
    cart = await _cart(db, owner)
    user = await db.get(User, owner.user_id) if owner.user_id else None
    if body.address is None and not (user and body.address_id):
        raise ValidationFailed("Give the delivery address.", field="address")
    details = CheckoutDetails(
        email=body.email,
        address=body.address.model_dump() if body.address else {},
        address_id=body.address_id if user else None,
        shipping_rate_id=body.shipping_rate_id,
        currency=body.currency,
        gift_wrap=body.gift_wrap,
        gift_message=body.gift_message,
        delivery_date=body.delivery_date,
        note=body.note,
    )
    placed = await checkout_service.place_order(
        db,
        runtime,
        cart,
        details,
        user=user,
        idempotency_key=idempotency_key,  # type: ignore[arg-type]
    )
    order = placed.order
    back, cancel = checkout_service.return_paths(order, placed.access_key)
    if placed.replayed and not payments_service.can_pay(order):
        url = runtime.absolute_url(back)  # paid (or closed) since: show the order
    else:
        url = await payments_service.start_payment(
            db, runtime, order, provider=body.provider,
            return_url=runtime.absolute_url(back), cancel_url=runtime.absolute_url(cancel),
        )  # fmt: skip
    return PlacedOut(
        number=order.number,
        status=order.status,
        payment_status=order.payment_status,
        currency=order.currency,
        total=order.total,
        breakdown=breakdown(order),
        payment_url=url,
        access_key=placed.access_key,
        replayed=placed.replayed,
    )

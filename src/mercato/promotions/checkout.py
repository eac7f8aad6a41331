"""Vouchers at the cart and checkout: the code kept in the cart's checkout state, priced on
every quote through the checkout's order-discount hook, made final inside the order."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.checkout import service as checkout_service
from mercato.checkout.service import OrderAdjustment, OrderDiscounts
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.i18n import _, translate
from mercato.models.commerce import Cart
from mercato.promotions import service

STATE_KEY = "voucher"


def _lines(view: Any) -> list[tuple[int, int]]:
    return [(line.product.id, line.line_total) for line in view.lines]


def applied_code(cart: Cart | None) -> str:
    return str(checkout_service.state_of(cart).get(STATE_KEY) or "")


async def apply_code(
    db: AsyncSession,
    runtime: Any,
    cart: Cart,
    view: Any,
    raw: str,
    *,
    user: Any = None,
) -> service.VoucherQuote:
    """Check ``raw`` against this cart now and keep it on the cart; ValidationFailed with
    field "voucher" when it does not apply (nothing is kept)."""
    code = service.normalise_code(raw)
    if not code:
        raise ValidationFailed(_("Enter a voucher code."), field=service.FIELD)
    voucher = await service.voucher_by_code(db, code)
    found = await service.evaluate(
        db,
        voucher,
        _lines(view),
        user_id=user.id if user else None,
        email=user.email if user else "",
    )
    checkout_service.save_state(cart, **{STATE_KEY: found.voucher.code})
    await db.flush()
    return found


async def remove_code(db: AsyncSession, cart: Cart) -> None:
    state = checkout_service.state_of(cart)
    state.pop(STATE_KEY, None)
    cart.checkout = state
    await db.flush()


async def current(db: AsyncSession, view: Any, shipping: int = 0) -> tuple[str, Any]:
    """(code, VoucherQuote or the reason it no longer applies) for the cart's voucher."""
    code = applied_code(view.cart)
    if not code:
        return "", None
    voucher = await service.voucher_by_code(db, code)
    user_id = view.cart.user_id if view.cart is not None else None
    try:
        return code, await service.evaluate(
            db, voucher, _lines(view), shipping=shipping, user_id=user_id
        )
    except ValidationFailed as exc:
        return code, exc.message


async def compute(
    db: AsyncSession, runtime: Any, view: Any, shipping: int
) -> OrderAdjustment | None:
    code, found = await current(db, view, shipping)
    if not code:
        return None
    if not isinstance(found, service.VoucherQuote):
        # The shopper chose a voucher that no longer applies (used up, expired, the cart
        # changed): nothing off the quote, and placing the order says why instead of
        # silently charging the full price.
        return OrderAdjustment(
            label=_("Voucher %(code)s", code=code), data={"problem": str(found or "")}
        )
    return OrderAdjustment(
        discount=found.discount,
        shipping_waived=found.shipping_waived,
        label=_("Voucher %(code)s", code=code),
        data={"voucher_id": found.voucher.id, "shipping": shipping},
    )


async def commit(
    db: AsyncSession,
    runtime: Any,
    order: Any,
    adjustment: OrderAdjustment,
    user_id: int | None,
    email: str,
) -> None:
    if "problem" in adjustment.data:
        raise Conflict(
            _(
                "%(problem)s Remove the voucher or choose another one to place the order.",
                problem=translate(adjustment.data["problem"]),
            ),
            field=service.FIELD,
            code="voucher_not_applicable",
        )
    # consume() re-checks every limit with conditional UPDATEs, including the per-customer
    # one for a guest's email, which was unknown when the code was typed.
    voucher_id = int(adjustment.data["voucher_id"])
    await service.consume(
        db,
        voucher_id,
        order_id=order.id,
        user_id=user_id,
        email=email,
        discount=adjustment.discount,
        shipping_waived=int(adjustment.data.get("shipping", 0))
        if adjustment.shipping_waived
        else 0,
    )


ORDER_DISCOUNTS = OrderDiscounts(compute=compute, commit=commit)

"""The voucher form on the cart page (works without JavaScript: POST, then a redirect with
a message) and what the cart and checkout pages show about the applied voucher."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mercato.cart import service as cart_service
from mercato.cart.deps import cart_token
from mercato.kit.errors import ValidationFailed
from mercato.kit.i18n import _, current_locale
from mercato.kit.money import format_money
from mercato.promotions import checkout as voucher_checkout
from mercato.promotions import service
from mercato.web.deps import Db
from mercato.web.flash import redirect
from mercato.web.templating import add_template_context

router = APIRouter()
SHOWN_ON = ("/cart", "/checkout/review")


def _user(request: Request):
    return getattr(request.state, "user", None)


async def _cart(request: Request, db: Db):
    user = _user(request)
    return await cart_service.find_cart(
        db, user_id=user.id if user else None, token=cart_token(request)
    )


@router.post("/cart/voucher")
async def apply_voucher(request: Request, db: Db) -> Response:
    form = await request.form()
    raw = form.get("code")
    cart = await _cart(request, db)
    if cart is None:
        return redirect(request, "cart", _("Your cart is empty."), "info")
    view = await cart_service.view(db, cart, runtime=request.state.runtime)
    try:
        found = await voucher_checkout.apply_code(
            db, request.state.runtime, cart, view, str(raw or ""), user=_user(request)
        )
    except ValidationFailed as exc:
        return redirect(request, "cart", exc.message, "error")
    config = request.state.runtime.config
    if found.shipping_waived:
        message = _("Voucher %(code)s applied: free shipping.", code=found.voucher.code)
    else:
        amount = format_money(found.discount, config.currency, current_locale(config.locale))
        message = _(
            "Voucher %(code)s applied: %(amount)s off.", code=found.voucher.code, amount=amount
        )
    return redirect(request, "cart", message)


@router.post("/cart/voucher/remove")
async def remove_voucher(request: Request, db: Db) -> Response:
    cart = await _cart(request, db)
    if cart is not None:
        await voucher_checkout.remove_code(db, cart)
    return redirect(request, "cart", _("Voucher removed."), "info")


async def product_cards(db: Any, request: Request, products: list[Any]) -> dict[str, Any]:
    """Catalogue hook for product cards (search, categories, home, related products,
    recommendations): each product's best promoted price, in a fixed number of queries
    (active promotions and the products' categories) whatever the number of cards.

    A page may call the hook more than once (related products, then recommendations): the
    request keeps one dict that every call fills, so a later call adds to the prices the
    page already holds instead of replacing them."""
    known: dict[int, Any] = getattr(request.state, "card_prices", None) or {}
    request.state.card_prices = known
    missing = [p for p in products if p.id not in known]
    if missing:
        known.update(await service.best_prices(db, missing))
    return {"card_prices": known}


async def voucher_context(request: Request, db: Db) -> None:
    """Page dependency: on the cart and review pages, the applied voucher and what it takes
    off now (or why it no longer applies), and the rule of which promotions combine."""
    if not request.url.path.endswith(SHOWN_ON):
        return
    cart = await _cart(request, db)
    if cart is None:
        return
    view = await cart_service.view(db, cart, runtime=request.state.runtime)
    code, found = await voucher_checkout.current(db, view)
    add_template_context(
        request,
        voucher_code=code,
        voucher_quote=found if isinstance(found, service.VoucherQuote) else None,
        voucher_problem=found if isinstance(found, str) else "",
        combination_rule=service.COMBINATION_RULE,
    )

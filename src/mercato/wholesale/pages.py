"""Wholesale storefront pages: the product page's terms (a catalogue hook) and requests for
quotation for buyers. Forms post with a hidden ``csrf_token``; every page works without
JavaScript."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mercato.catalog import service as catalog_service
from mercato.kit.errors import DomainError
from mercato.kit.money import format_money, minor_digits
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash
from mercato.web.templating import render
from mercato.wholesale import presenters, pricing
from mercato.wholesale import quotes as quote_service
from mercato.wholesale import service as wholesale_service

router = APIRouter()

MAX_CALC_QUANTITY = 10_000_000


async def _abilities(request: Request, db: Any) -> Any:
    from mercato.b2b import access

    return await access.request_abilities(request, db)


def _qty(value: str | None) -> int | None:
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return quantity if 0 < quantity <= MAX_CALC_QUANTITY else None


async def product_page(db: Any, request: Request, product: Any) -> dict[str, Any]:
    """Catalogue hook: the terms, tiers, calculator (``?qty=``) and next-tier prompt for who
    may see wholesale prices; the MOQ for everyone; the add form's quantity bounds."""
    runtime = request.state.runtime
    terms, _ = await wholesale_service.terms_for(db, product)
    found = await _abilities(request, db)
    currency, locale = runtime.config.currency, runtime.config.locale

    def fmt(amount: int) -> str:
        return format_money(amount, currency, locale)

    see = bool(found.view_wholesale_prices)
    first = pricing.valid_quantity_at_least(terms, terms.moq)
    # The calculator answers for ?qty= (no JavaScript) or else for the minimum order, so the
    # next-tier prompt is there from the start.
    view = presenters.terms_view(
        terms,
        name=product.name,
        quantity=(_qty(request.query_params.get("qty")) or first) if see else None,
        format_price=fmt,
    )
    available = product.inventory.available if product.inventory is not None else 0
    return {
        "wholesale": {
            "terms": view,
            "can_see": see,
            "can_order": bool(found.place_orders),
            "fmt": fmt,
            "price": terms.wholesale_price if see else 0,
            "digits": minor_digits(currency),
        },
        # Bounds of the core add-to-cart form: start at the MOQ, step by the case pack.
        "add_qty": {
            "min": first,
            "step": max(terms.order_multiple, 1),
            "value": first,
            "max": min(available, pricing.MAX_WHOLESALE_LINE_QUANTITY),
        },
    }


async def product_cards(db: Any, request: Request, products: list[Any]) -> dict[str, Any]:
    """Catalogue hook for product cards (listing, related products, home): the MOQ and case
    pack for everyone, and the best tier price for who may see wholesale prices. Two
    queries for the whole page (terms and tiers), whatever the number of cards."""
    rows = await wholesale_service.terms_rows(db, [p.id for p in products])
    see = bool((await _abilities(request, db)).view_wholesale_prices)
    cards: dict[int, dict[str, Any]] = {}
    for product in products:
        row = rows.get(product.id)
        if row is None:
            continue
        terms = wholesale_service.terms_of(product, row)
        best = terms.tiers[-1] if see and len(terms.tiers) > 1 else None
        cards[product.id] = {
            "moq": terms.moq,
            "multiple": terms.order_multiple,
            "best_price": best.unit_price if best else None,
            "best_from": best.min_qty if best else None,
        }
    return {"wholesale_cards": cards}


# ---------------------------------------------------------------- quotes


def _back(request: Request, runtime: Any, to: str, message: str, kind: str = "success") -> Response:
    response = RedirectResponse(runtime.path(to), status_code=303)
    flash(request, response, message, kind)
    return response


async def _buyer(request: Request, db: Any, runtime: Any) -> Any:
    """The signed-in verified buyer, or a redirect (sign in, then verify)."""
    user = getattr(request.state, "user", None)
    if user is None:
        return RedirectResponse(runtime.path("account/signin"), status_code=303)
    found = await _abilities(request, db)
    if not found.place_orders:
        return _back(request, runtime, "verify", "Verify your business first.", "warning")
    return user


@router.get("/wholesale/quotes")
async def my_quotes(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await _buyer(request, db, runtime)
    if isinstance(user, Response):
        return user
    rows = await quote_service.list_for_buyer(db, user.id)
    products = await catalog_service_products(db, [q.product_id for q in rows])
    return render(
        request,
        "wholesale/quotes.html",
        {"quotes": rows, "products": products, "is_live": quote_service.is_live},
    )


async def catalog_service_products(db: Any, ids: list[int]) -> dict[int, Any]:
    from sqlalchemy import select

    from mercato.models.catalog import Product

    if not ids:
        return {}
    rows = await db.scalars(select(Product).where(Product.id.in_(set(ids))))
    return {p.id: p for p in rows}


@router.get("/wholesale/quotes/new")
async def new_quote(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await _buyer(request, db, runtime)
    if isinstance(user, Response):
        return user
    product = await catalog_service.product_page(db, request.query_params.get("product", ""))
    terms, _ = await wholesale_service.terms_for(db, product)
    return render(
        request,
        "wholesale/quote_new.html",
        {
            "product": product,
            "top": pricing.top_tier_min(terms) or terms.moq,
            "errors": {},
            "values": {},
        },
    )


@router.post("/wholesale/quotes")
async def create_quote(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await _buyer(request, db, runtime)
    if isinstance(user, Response):
        return user
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    product = await catalog_service.product_page(db, values.get("product", ""))
    terms, _ = await wholesale_service.terms_for(db, product)
    found = await _abilities(request, db)
    try:
        quote = await quote_service.request_quote(
            db,
            user=user,
            company_id=found.company_id,
            product=product,
            terms=terms,
            quantity=_qty(values.get("quantity")) or 0,
            message=values.get("message", ""),
            currency=runtime.config.currency,
        )
    except DomainError as exc:
        return render(
            request,
            "wholesale/quote_new.html",
            {
                "product": product,
                "top": pricing.top_tier_min(terms) or terms.moq,
                "errors": {exc.field or "__all__": exc.message},
                "values": values,
            },
            status_code=exc.status_code,
        )
    return _back(request, runtime, "wholesale/quotes", f"Quote {quote.number} requested.")


@router.post("/wholesale/quotes/{number}/accept")
async def accept_quote(request: Request, number: str, db: Db, runtime: Runtime) -> Response:
    """Accept: the quantity goes into the cart at the quoted price (checkout as usual)."""
    from mercato.cart import service as cart_service

    user = await _buyer(request, db, runtime)
    if isinstance(user, Response):
        return user
    quote = await quote_service.get_for_buyer(db, user.id, number)
    try:
        await quote_service.accept(db, quote)
    except DomainError as exc:
        return _back(request, runtime, "wholesale/quotes", exc.message, "error")
    cart, _ = await cart_service.open_cart(db, user_id=user.id)
    await cart_service.remove_item(db, cart, quote.product_id)
    await cart_service.add_item(db, cart, quote.product_id, quote.quantity, runtime=runtime)
    return _back(request, runtime, "cart", f"Quote {quote.number} accepted: it is in your cart.")


@router.post("/wholesale/quotes/{number}/decline")
async def decline_quote(request: Request, number: str, db: Db, runtime: Runtime) -> Response:
    user = await _buyer(request, db, runtime)
    if isinstance(user, Response):
        return user
    quote = await quote_service.get_for_buyer(db, user.id, number)
    try:
        await quote_service.decline(db, quote)
    except DomainError as exc:
        return _back(request, runtime, "wholesale/quotes", exc.message, "error")
    return _back(request, runtime, "wholesale/quotes", f"Quote {quote.number} closed.", "info")

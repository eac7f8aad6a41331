"""Wholesale JSON API under /<store>/api/v1: product terms with tiers (verified buyers, sellers
and staff only) and requests for quotation.

The catalogue's own ``/products`` answers are gated by b2b (prices blanked for anyone not
allowed); the terms of a product, its tiers and the price of a quantity are here, under
``/products/{slug}/terms`` and ``/wholesale/products`` (docs/decisions.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from mercato.catalog import service as catalog_service
from mercato.identity.api_deps import api_key_scheme, bearer_scheme, unauthorized
from mercato.kit.errors import NotFound, PermissionDenied
from mercato.models.catalog import Product
from mercato.models.wholesale import QuoteRequest
from mercato.web.deps import Db, Runtime
from mercato.wholesale import presenters, pricing
from mercato.wholesale import quotes as quote_service
from mercato.wholesale import service as wholesale_service

router = APIRouter(tags=["wholesale"])

Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
ApiKey = Annotated[str | None, Depends(api_key_scheme)]
REFUSAL = "Wholesale prices are shown to verified businesses only. Verify your business first."


async def _abilities(request: Request, db: Any, bearer: Any, key: Any) -> Any:
    from mercato.b2b import access

    if bearer is None and not key:
        raise unauthorized()
    return await access.api_abilities(request, db, bearer, key)


# ---------------------------------------------------------------- shapes


class TierOut(BaseModel):
    min_qty: int
    max_qty: int | None = Field(description="Last quantity of the tier; null = and more")
    unit_price: int


class NextTierOut(BaseModel):
    add_quantity: int
    target_quantity: int
    unit_price: int
    saving: int


class ProblemOut(BaseModel):
    code: str
    message: str
    fix_quantity: int | None


class QuantityOut(BaseModel):
    quantity: int
    unit_price: int
    line_total: int
    saving: int
    tier_min_qty: int | None
    next_tier: NextTierOut | None
    problem: ProblemOut | None


class TermsOut(BaseModel):
    product_id: int
    slug: str
    name: str
    currency: str
    wholesale_price: int = Field(description="Unit price at the minimum order, minor units")
    moq: int
    order_multiple: int
    tiers: list[TierOut]
    tier_rule: str
    quote_from: int | None = Field(description="Quantities from here can ask for a quote")
    calculation: QuantityOut | None = None


def _terms_out(
    runtime: Any, product: Product, terms: pricing.Terms, quantity: int | None
) -> TermsOut:
    view = presenters.terms_view(terms, name=product.name, quantity=quantity)
    return TermsOut(
        product_id=product.id,
        slug=product.slug,
        name=product.name,
        currency=runtime.config.currency,
        wholesale_price=view.headline,
        moq=view.moq,
        order_multiple=view.order_multiple,
        tiers=[
            TierOut(min_qty=r["from"], max_qty=r["to"], unit_price=r["unit_price"])
            for r in view.rows
        ],
        tier_rule=presenters.RULE,
        quote_from=view.top_tier_min,
        calculation=QuantityOut(**view.calculation) if view.calculation else None,
    )


# ---------------------------------------------------------------- products


@router.get("/products/{slug}/terms", response_model=TermsOut, summary="A product's terms")
async def product_terms(
    request: Request,
    slug: str,
    db: Db,
    runtime: Runtime,
    bearer: Bearer,
    key: ApiKey,
    quantity: Annotated[int | None, Query(ge=1, le=pricing.MAX_WHOLESALE_LINE_QUANTITY)] = None,
) -> TermsOut:
    """MOQ, case pack, tiers and, with ``quantity``, the line price and next-tier benefit."""
    found = await _abilities(request, db, bearer, key)
    if not found.view_wholesale_prices:
        raise PermissionDenied(REFUSAL, code="verify_business")
    product = await catalog_service.product_page(db, slug)
    terms, _ = await wholesale_service.terms_for(db, product)
    return _terms_out(runtime, product, terms, quantity)


class TermsListOut(BaseModel):
    items: list[TermsOut]
    next_offset: int | None


@router.get("/wholesale/products", response_model=TermsListOut, summary="Products with tiers")
async def products_with_tiers(
    request: Request,
    db: Db,
    runtime: Runtime,
    bearer: Bearer,
    key: ApiKey,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TermsListOut:
    found = await _abilities(request, db, bearer, key)
    if not found.view_wholesale_prices:
        raise PermissionDenied(REFUSAL, code="verify_business")
    products = list(
        await db.scalars(
            select(Product)
            .where(Product.is_active.is_(True), Product.deleted_at.is_(None))
            .order_by(Product.id)
            .offset(offset)
            .limit(limit + 1)
        )
    )
    more = len(products) > limit
    products = products[:limit]
    rows = await wholesale_service.terms_rows(db, [p.id for p in products])
    items = [
        _terms_out(runtime, p, wholesale_service.terms_of(p, rows.get(p.id)), None)
        for p in products
    ]
    return TermsListOut(items=items, next_offset=offset + limit if more else None)


# ---------------------------------------------------------------- quotes


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_slug: str = Field(min_length=1, max_length=220)
    quantity: int = Field(ge=1, le=pricing.MAX_WHOLESALE_LINE_QUANTITY)
    message: str = Field("", max_length=quote_service.MESSAGE_MAX)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_price: int = Field(gt=0, description="Minor units per unit")
    valid_days: int = Field(ge=1, le=quote_service.MAX_VALID_DAYS)
    note: str = Field("", max_length=quote_service.MESSAGE_MAX)


class QuoteOut(BaseModel):
    number: str
    product_id: int
    quantity: int
    status: str
    currency: str
    list_unit_price: int
    unit_price: int | None
    valid_until: datetime | None
    message: str
    answer_note: str
    order_id: int | None


def _quote_out(q: QuoteRequest) -> QuoteOut:
    return QuoteOut(
        number=q.number,
        product_id=q.product_id,
        quantity=q.quantity,
        status=q.status,
        currency=q.currency,
        list_unit_price=q.list_unit_price,
        unit_price=q.unit_price,
        valid_until=q.valid_until,
        message=q.message,
        answer_note=q.answer_note,
        order_id=q.order_id,
    )


async def _answerable(db: Any, found: Any, quote: QuoteRequest) -> None:
    """Admins answer any quote; a seller only quotes of their own products. Anyone else
    gets "not found" (a quote's existence is not revealed)."""
    from mercato.b2b import access

    if found.products == "all":
        return
    if (
        found.products == "own"
        and found.seller_id is not None
        and quote.product_id in await access.product_ids_of_seller(db, found.seller_id)
    ):
        return
    raise NotFound("No such quote.", field="number")


@router.get("/quotes", response_model=list[QuoteOut], summary="Quotes you may see")
async def list_quotes(request: Request, db: Db, bearer: Bearer, key: ApiKey) -> list[QuoteOut]:
    """A buyer's own requests; a seller's on their products; every quote for admins."""
    from mercato.b2b import access

    found = await _abilities(request, db, bearer, key)
    user = request.state.user
    if found.products == "all":
        rows = await quote_service.list_for_staff(db)
    elif found.products == "own" and found.seller_id is not None:
        owned = await access.product_ids_of_seller(db, found.seller_id)
        rows = await quote_service.list_for_staff(db, product_ids=owned)
    else:
        rows = await quote_service.list_for_buyer(db, user.id)
    return [_quote_out(q) for q in rows]


@router.post("/quotes", response_model=QuoteOut, status_code=201, summary="Ask for a quote")
async def create_quote(
    request: Request, body: QuoteIn, db: Db, runtime: Runtime, bearer: Bearer, key: ApiKey
) -> QuoteOut:
    found = await _abilities(request, db, bearer, key)
    if not found.place_orders:
        raise PermissionDenied(REFUSAL, code="verify_business")
    product = await catalog_service.product_page(db, body.product_slug)
    terms, _ = await wholesale_service.terms_for(db, product)
    quote = await quote_service.request_quote(
        db,
        user=request.state.user,
        company_id=found.company_id,
        product=product,
        terms=terms,
        quantity=body.quantity,
        message=body.message,
        currency=runtime.config.currency,
    )
    return _quote_out(quote)


@router.post("/quotes/{number}/answer", response_model=QuoteOut, summary="Answer a quote")
async def answer_quote(
    request: Request, number: str, body: AnswerIn, db: Db, bearer: Bearer, key: ApiKey
) -> QuoteOut:
    found = await _abilities(request, db, bearer, key)
    quote = await quote_service.get(db, number)
    await _answerable(db, found, quote)
    await quote_service.answer(
        db,
        quote,
        unit_price=body.unit_price,
        valid_days=body.valid_days,
        note=body.note,
        actor_id=request.state.user.id,
    )
    return _quote_out(quote)


@router.post("/quotes/{number}/accept", response_model=QuoteOut, summary="Accept a quote")
async def accept_quote(
    request: Request, number: str, db: Db, runtime: Runtime, bearer: Bearer, key: ApiKey
) -> QuoteOut:
    """The quoted quantity replaces the product's line in the buyer's cart, priced by the
    quote; checkout (``POST /checkout``) then orders it at that price."""
    from mercato.cart import service as cart_service

    found = await _abilities(request, db, bearer, key)
    if not found.place_orders:
        raise PermissionDenied(REFUSAL, code="verify_business")
    user = request.state.user
    quote = await quote_service.get_for_buyer(db, user.id, number)
    await quote_service.accept(db, quote)
    cart, _ = await cart_service.open_cart(db, user_id=user.id)
    await cart_service.remove_item(db, cart, quote.product_id)
    await cart_service.add_item(db, cart, quote.product_id, quote.quantity, runtime=runtime)
    return _quote_out(quote)


@router.post("/quotes/{number}/decline", response_model=QuoteOut, summary="Decline or withdraw")
async def decline_quote(
    request: Request, number: str, db: Db, bearer: Bearer, key: ApiKey
) -> QuoteOut:
    await _abilities(request, db, bearer, key)
    quote = await quote_service.get_for_buyer(db, request.state.user.id, number)
    await quote_service.decline(db, quote)
    return _quote_out(quote)

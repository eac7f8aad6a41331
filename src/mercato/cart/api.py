"""The cart API under /api/v1. A guest's cart is named by ``X-Cart-Token`` (from
``POST /carts``); a customer's by their bearer access token. Another token never reaches a
cart it did not create: the token's hash is the only key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.cart import fast
from mercato.cart import service as cart_service
from mercato.cart.schemas import CartItemIn, CartLineOut, CartOut, CartQuantityIn, NewCartOut
from mercato.identity import tokens
from mercato.identity.api_deps import bearer_scheme, unauthorized
from mercato.kit.errors import NotFound
from mercato.kit.i18n import current_locale
from mercato.kit.money import format_money
from mercato.models.commerce import Cart
from mercato.platform.runtime import StoreRuntime
from mercato.pricing import service as pricing_service
from mercato.web.deps import Db, Runtime, Uow, get_db, get_runtime
from mercato.web.middleware import UnitOfWork

router = APIRouter(tags=["cart"])
JSON = "application/json"

CartTokenHeader = Annotated[
    str | None,
    Header(
        alias="X-Cart-Token",
        description="A guest cart's token from POST /api/v1/carts (ignored with a bearer token)",
    ),
]
CurrencyQuery = Annotated[
    str | None, Query(max_length=3, description="Show amounts in this display currency")
]


@dataclass
class CartOwner:
    user_id: int | None
    token: str | None


async def cart_owner(
    db: Annotated[AsyncSession, Depends(get_db)],
    runtime: Annotated[StoreRuntime, Depends(get_runtime)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    x_cart_token: CartTokenHeader = None,
) -> CartOwner:
    return await owner_of(db, runtime, bearer.credentials if bearer else None, x_cart_token)


async def owner_of(
    db: AsyncSession, runtime: StoreRuntime, access_token: str | None, cart_token: str | None
) -> CartOwner:
    if access_token is not None:
        found = await tokens.user_for_access_token(db, runtime, access_token)
        if found is None:
            raise unauthorized("The access token is invalid, expired or revoked.")
        return CartOwner(found[0].id, cart_token)
    if not cart_token:
        raise unauthorized("Send a bearer access token, or X-Cart-Token from POST /carts.")
    return CartOwner(None, cart_token[:100])


Owner = Annotated[CartOwner, Depends(cart_owner)]


async def cart_out(
    db: AsyncSession,
    runtime: StoreRuntime,
    cart: Cart | None,
    currency: str | None,
    messages: list[str] | None = None,
) -> CartOut:
    choice = await pricing_service.conversion_for(db, runtime.config, currency)
    conv = choice.conversion
    view = await cart_service.view(db, cart, runtime=runtime)
    items = [
        CartLineOut(
            product_id=line.product.id,
            sku=line.product.sku,
            name=line.product.name,
            slug=line.product.slug,
            quantity=line.quantity,
            available=max(0, line.available),
            unit_price=0 if line.price_hidden else conv.convert(line.unit_price),
            line_total=0 if line.price_hidden else conv.convert(line.unit_price) * line.quantity,
            problem=line.problem,
            fix_quantity=line.fix_quantity,
            note=line.note,
            price_hidden=line.price_hidden,
        )
        for line in view.lines
    ]
    subtotal = sum(i.line_total for i in items)
    return CartOut(
        currency=conv.currency,
        count=view.count,
        subtotal=subtotal,
        subtotal_formatted=format_money(
            subtotal, conv.currency, current_locale(runtime.config.locale)
        ),
        items=items,
        problems=view.problems,
        notice=choice.notice,
        messages=messages or [],
    )


async def fast_cart_out(
    db: AsyncSession, runtime: StoreRuntime, cart: int | None, currency: str | None
) -> CartOut:
    """``cart_out`` for a store without CartRules, from the Core lines of mercato.cart.fast."""
    choice = await pricing_service.conversion_for(db, runtime.config, currency)
    return fast_answer(runtime, choice, await fast.lines(db, cart))


def fast_answer(
    runtime: StoreRuntime, choice: pricing_service.CurrencyChoice, lines: list[fast.Line]
) -> CartOut:
    """The cart's answer from what ``fast_cart_out`` reads (no query)."""
    conv = choice.conversion
    items = []
    count = 0
    problems = []
    for line in lines:
        unit = conv.convert(line.unit_price)
        count += line.quantity
        if line.problem:
            problems.append(line.problem)
        items.append(
            CartLineOut(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                slug=line.slug,
                quantity=line.quantity,
                available=max(0, line.available),
                unit_price=unit,
                line_total=unit * line.quantity,
                problem=line.problem,
            )
        )
    subtotal = sum(i.line_total for i in items)
    return CartOut(
        currency=conv.currency,
        count=count,
        subtotal=subtotal,
        subtotal_formatted=format_money(
            subtotal, conv.currency, current_locale(runtime.config.locale)
        ),
        items=items,
        problems=problems,
        notice=choice.notice,
        messages=[],
    )


def _fast_owner(owner: CartOwner) -> fast.Owner:
    return fast.Owner(owner.user_id, owner.token)


async def _existing(db: AsyncSession, owner: CartOwner) -> Cart:
    cart = await cart_service.find_cart(db, user_id=owner.user_id, token=owner.token)
    if cart is None:
        if owner.user_id is not None:
            cart, _ = await cart_service.open_cart(db, user_id=owner.user_id)
        else:
            raise NotFound("No cart has this token (it may have expired).", field="X-Cart-Token")
    return cart


@router.post("/carts", response_model=NewCartOut, status_code=201)
async def create_cart(db: Db, runtime: Runtime, currency: CurrencyQuery = None) -> NewCartOut:
    """A new guest cart; keep the token (only its hash is stored)."""
    cart, token = await cart_service.open_cart(db)
    assert token is not None
    return NewCartOut(token=token, cart=await cart_out(db, runtime, cart, currency))


@router.get("/cart", response_model=CartOut)
async def get_cart(
    db: Db, runtime: Runtime, owner: Owner, currency: CurrencyQuery = None
) -> CartOut:
    if fast.applies(runtime):
        found = await fast.cart_id(db, _fast_owner(owner))
        if found is None and owner.user_id is None:
            raise NotFound("No cart has this token (it may have expired).", field="X-Cart-Token")
        return await fast_cart_out(db, runtime, found, currency)
    cart = await cart_service.find_cart(db, user_id=owner.user_id, token=owner.token)
    if cart is None and owner.user_id is None:
        raise NotFound("No cart has this token (it may have expired).", field="X-Cart-Token")
    return await cart_out(db, runtime, cart, currency)


@router.post("/cart/items", response_model=CartOut)
async def add_cart_item(
    body: CartItemIn, uow: Uow, runtime: Runtime, owner: Owner, currency: CurrencyQuery = None
) -> CartOut:
    return await _add(uow, runtime, owner, body, currency)


async def add_cart_item_hot(request: Request, body: bytes) -> Response | None:
    """``add_cart_item`` as a hot route (mercato.web.hot_routes): the same answer to a
    well-formed request, without FastAPI's routing and dependency solving. Anything else (not
    JSON, a body or currency that does not validate, no valid credentials) gets None before
    any change, and add_cart_item answers it with FastAPI's own errors."""
    if request.headers.get("content-type", "").partition(";")[0].strip().lower() != JSON:
        return None
    currency = request.query_params.get("currency")
    if currency is not None and len(currency) > 3:
        return None
    try:
        item = CartItemIn.model_validate_json(body)
    except ValidationError:
        return None
    uow: UnitOfWork = request.state.uow
    runtime: StoreRuntime = request.state.runtime
    # Read as the FastAPI route's HTTPBearer(auto_error=False) reads it.
    scheme, credentials = get_authorization_scheme_param(request.headers.get("authorization"))
    access = credentials if scheme.lower() == "bearer" and credentials else None
    try:
        owner = await owner_of(uow.session, runtime, access, request.headers.get("x-cart-token"))
    except HTTPException:
        return None
    answer = await _add(uow, runtime, owner, item, currency)
    return Response(answer.model_dump_json(), media_type=JSON)


async def _add(
    uow: UnitOfWork, runtime: StoreRuntime, owner: CartOwner, body: CartItemIn, currency: str | None
) -> CartOut:
    db = uow.session
    if fast.applies(runtime):
        limit = cart_service.line_limit(runtime)
        added = await fast.add_item(
            db, _fast_owner(owner), body.product_id, body.quantity, limit=limit
        )
        if added is not None:
            choice = await pricing_service.conversion_for(db, runtime.config, currency)
            lines = added.lines if added.lines is not None else await fast.lines(db, added.cart)
            # The line is written, every rule held and the answer's facts are read: on
            # SQLite the database's write lock is let go before the answer is built and
            # serialised (UnitOfWork.commit_writes), and no second transaction is begun.
            await uow.commit_writes()
            return fast_answer(runtime, choice, lines)
    cart = await _existing(db, owner)
    await cart_service.add_item(db, cart, body.product_id, body.quantity, runtime=runtime)
    return await cart_out(db, runtime, cart, currency)


@router.patch("/cart/items/{product_id}", response_model=CartOut)
async def update_cart_item(
    product_id: int,
    body: CartQuantityIn,
    uow: Uow,
    runtime: Runtime,
    owner: Owner,
    currency: CurrencyQuery = None,
) -> CartOut:
    db = uow.session
    cart = await _existing(db, owner)
    await cart_service.set_quantity(db, cart, product_id, body.quantity, runtime=runtime)
    if fast.applies(runtime):
        # Stored, every rule held, and without CartRules the answer only reads: on SQLite
        # the write lock is let go first, as in add_cart_item (UnitOfWork.commit_writes).
        await uow.commit_writes()
    return await cart_out(db, runtime, cart, currency)


@router.delete("/cart/items/{product_id}", response_model=CartOut)
async def delete_cart_item(
    product_id: int, db: Db, runtime: Runtime, owner: Owner, currency: CurrencyQuery = None
) -> CartOut:
    if fast.applies(runtime):
        found = await fast.cart_id(db, _fast_owner(owner))
        if found is not None:
            if not await fast.remove_item(db, _fast_owner(owner), found, product_id):
                raise NotFound("That product is not in the cart.", field="product_id")
            return await fast_cart_out(db, runtime, found, currency)
    cart = await _existing(db, owner)
    if not await cart_service.remove_item(db, cart, product_id):
        raise NotFound("That product is not in the cart.", field="product_id")
    return await cart_out(db, runtime, cart, currency)


@router.post("/cart/merge", response_model=CartOut)
async def merge_cart(
    db: Db, runtime: Runtime, owner: Owner, currency: CurrencyQuery = None
) -> CartOut:
    """After signing in: move the guest cart of X-Cart-Token into the customer's cart."""
    if owner.user_id is None:
        raise unauthorized("Merging needs the customer's bearer access token.")
    messages = []
    if owner.token:
        messages = await cart_service.merge_guest_cart(
            db, token=owner.token, user_id=owner.user_id, runtime=runtime
        )
    cart, _ = await cart_service.open_cart(db, user_id=owner.user_id)
    return await cart_out(db, runtime, cart, currency, messages)

"""Promotions in the JSON API: the live catalogue promotions, and the voucher of a cart
(``X-Cart-Token`` for a guest, or a bearer token), the same rules as the cart page."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mercato.cart import service as cart_service
from mercato.cart.api import Owner, _existing
from mercato.kit.i18n import translate
from mercato.promotions import checkout as voucher_checkout
from mercato.promotions import service
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["promotions"])


class PromotionOut(BaseModel):
    name: str
    kind: str = Field(description="percent (value in basis points) or fixed (minor units).")
    value: int
    product_ids: list[int]
    category_ids: list[int]
    starts_at: datetime | None
    ends_at: datetime | None


class VoucherIn(BaseModel):
    code: str = Field(max_length=60)


class CartVoucherOut(BaseModel):
    code: str
    applies: bool
    discount: int = Field(description="Minor units off the goods, in the store currency.")
    shipping_waived: bool
    problem: str = ""
    # Read in the request's language when the answer is built.
    combination_rule: str = Field(default_factory=lambda: translate(service.COMBINATION_RULE))


@router.get("/promotions", response_model=list[PromotionOut])
async def list_promotions(db: Db) -> list[PromotionOut]:
    return [
        PromotionOut(
            name=p.name,
            kind=p.kind,
            value=p.value,
            product_ids=[int(i) for i in p.product_ids],
            category_ids=[int(i) for i in p.category_ids],
            starts_at=p.starts_at,
            ends_at=p.ends_at,
        )
        for p in await service.active_promotions(db)
    ]


async def _out(db: Db, runtime: Runtime, cart) -> CartVoucherOut:
    view = await cart_service.view(db, cart, runtime=runtime)
    code, found = await voucher_checkout.current(db, view)
    if isinstance(found, service.VoucherQuote):
        return CartVoucherOut(
            code=code, applies=True, discount=found.discount, shipping_waived=found.shipping_waived
        )
    return CartVoucherOut(
        code=code, applies=False, discount=0, shipping_waived=False, problem=found or ""
    )


@router.get("/cart/voucher", response_model=CartVoucherOut)
async def cart_voucher(db: Db, runtime: Runtime, owner: Owner) -> CartVoucherOut:
    return await _out(db, runtime, await _existing(db, owner))


@router.post("/cart/voucher", response_model=CartVoucherOut)
async def apply_cart_voucher(
    body: VoucherIn, db: Db, runtime: Runtime, owner: Owner
) -> CartVoucherOut:
    """Apply a voucher to the cart: 422 with field ``voucher`` when it does not apply."""
    cart = await _existing(db, owner)
    view = await cart_service.view(db, cart, runtime=runtime)
    await voucher_checkout.apply_code(db, runtime, cart, view, body.code)
    return await _out(db, runtime, cart)


@router.delete("/cart/voucher", response_model=CartVoucherOut)
async def remove_cart_voucher(db: Db, runtime: Runtime, owner: Owner) -> CartVoucherOut:
    cart = await _existing(db, owner)
    await voucher_checkout.remove_code(db, cart)
    return await _out(db, runtime, cart)

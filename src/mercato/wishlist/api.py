"""The wishlist in the JSON API, for the customer of a bearer access token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field, model_validator

from mercato.identity.api_deps import ApiPrincipal, Principal
from mercato.kit.errors import PermissionDenied
from mercato.web.deps import Db
from mercato.wishlist import service
from mercato.wishlist.deps import wishlist_enabled

router = APIRouter(prefix="/wishlist", tags=["wishlist"], dependencies=[Depends(wishlist_enabled)])


class WishlistIn(BaseModel):
    product_id: int | None = Field(None, description="The product's id, or give its slug.")
    slug: str | None = Field(None, max_length=220)

    @model_validator(mode="after")
    def _one(self) -> WishlistIn:
        if self.product_id is None and not self.slug:
            raise ValueError("give product_id or slug")
        return self


class WishlistItemOut(BaseModel):
    product_id: int
    slug: str
    name: str
    price: int = Field(description="Minor units of the store currency.")
    available: int
    added_at: datetime


class WishlistOut(BaseModel):
    items: list[WishlistItemOut]
    count: int


def _customer(principal: ApiPrincipal) -> int:
    if principal.via != "token":
        raise PermissionDenied("A wishlist is read with a customer's access token.")
    return principal.user.id


async def _listing(db, user_id: int) -> WishlistOut:
    saved = await service.list_saved(db, user_id)
    items = [
        WishlistItemOut(
            product_id=s.product.id,
            slug=s.product.slug,
            name=s.product.name,
            price=s.product.price,
            available=s.available,
            added_at=s.item.added_at,
        )
        for s in saved
    ]
    return WishlistOut(items=items, count=len(items))


@router.get("", response_model=WishlistOut)
async def get_wishlist(principal: Principal, db: Db) -> WishlistOut:
    return await _listing(db, _customer(principal))


@router.post("", response_model=WishlistOut, status_code=201)
async def add_to_wishlist(body: WishlistIn, principal: Principal, db: Db) -> WishlistOut:
    user_id = _customer(principal)
    product = await service.find_product(db, product_id=body.product_id, slug=body.slug)
    await service.add(db, user_id, product.id)
    return await _listing(db, user_id)


@router.delete("/{product_id}", status_code=204)
async def remove_from_wishlist(product_id: int, principal: Principal, db: Db) -> Response:
    await service.remove(db, _customer(principal), product_id)
    return Response(status_code=204)

"""Orders in the JSON API: a customer's own orders (bearer access token), or one order
by its guest key (``X-Order-Key`` header or ``?key=``). Anybody else's order is a 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity.api_deps import ApiPrincipal, api_key_scheme, bearer_scheme, get_principal
from mercato.kit.errors import NotFound, PermissionDenied
from mercato.models.orders import Order, OrderStatus
from mercato.orders import access, repository, service, states
from mercato.platform.runtime import StoreRuntime
from mercato.web.deps import Db, get_db, get_runtime

router = APIRouter(prefix="/orders", tags=["orders"])


class OrderLineOut(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price: int
    line_total: int


class OrderSummaryOut(BaseModel):
    number: str
    status: str
    status_label: str
    payment_status: str
    currency: str
    total: int
    created_at: datetime


class OrderOut(OrderSummaryOut):
    subtotal: int
    shipping_total: int
    gift_wrap_total: int
    discount_total: int
    tax_total: int
    tax_inclusive: bool
    tax_lines: list[dict[str, Any]]
    refunded_total: int
    shipping_method: str
    shipping_address: dict[str, Any]
    billing_address: dict[str, Any]
    gift_message: str
    delivery_date: date | None
    tracking_number: str
    tracking_url: str
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    lines: list[OrderLineOut]


class OrderListOut(BaseModel):
    items: list[OrderSummaryOut]
    page: int
    pages: int
    total: int


async def optional_principal(
    request: Request,
    db: Annotated[AsyncSession, Depends(get_db)],
    runtime: Annotated[StoreRuntime, Depends(get_runtime)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    key: Annotated[str | None, Depends(api_key_scheme)],
) -> ApiPrincipal | None:
    """The caller if they sent credentials (invalid ones are a 401), else None (a guest)."""
    if bearer is None and not key:
        return None
    return await get_principal(request, db, runtime, bearer, key)


MaybePrincipal = Annotated[ApiPrincipal | None, Depends(optional_principal)]


def _customer(principal: ApiPrincipal | None) -> int:
    if principal is None:
        raise PermissionDenied("Sign in to list your orders.")
    if principal.via != "token":
        raise PermissionDenied("Orders are listed with a customer's access token.")
    return principal.user.id


def _summary(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "status_label": states.label(order.status),
        "payment_status": order.payment_status,
        "currency": order.currency,
        "total": order.total,
        "created_at": order.created_at,
    }


def _full(order: Order) -> OrderOut:
    fields = {name: getattr(order, name) for name in OrderOut.model_fields if hasattr(order, name)}
    fields.update(_summary(order))
    fields["lines"] = [OrderLineOut.model_validate(ln, from_attributes=True) for ln in order.lines]
    return OrderOut(**fields)


async def _visible(
    db: AsyncSession, number: str, principal: ApiPrincipal | None, key: str | None
) -> Order:
    order = await repository.with_lines(db, number)
    user = principal.user if principal is not None and principal.via == "token" else None
    if order is None or not access.can_view(order, user, key):
        raise NotFound("We could not find that order.")
    return order


KeyQuery = Annotated[str | None, Query(max_length=200, description="A guest order's key")]
KeyHeader = Annotated[str | None, Header(alias="X-Order-Key", max_length=200)]


@router.get("", response_model=OrderListOut)
async def list_orders(
    principal: MaybePrincipal, db: Db, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> OrderListOut:
    """Your orders, newest first."""
    listing, _ = await repository.history(db, _customer(principal), page)
    return OrderListOut(
        items=[OrderSummaryOut(**_summary(o)) for o in listing.items],
        page=listing.page,
        pages=listing.pages,
        total=listing.total,
    )


@router.get("/{number}", response_model=OrderOut)
async def get_order(
    number: str, principal: MaybePrincipal, db: Db, key: KeyQuery = None, x_key: KeyHeader = None
) -> OrderOut:
    return _full(await _visible(db, number, principal, x_key or key))


@router.post("/{number}/cancel", response_model=OrderOut)
async def cancel_order(
    number: str,
    principal: MaybePrincipal,
    db: Db,
    runtime: Annotated[StoreRuntime, Depends(get_runtime)],
    key: KeyQuery = None,
    x_key: KeyHeader = None,
) -> OrderOut:
    """Cancel an order that awaits payment; its stock is released. Paid orders: 409."""
    order = await _visible(db, number, principal, x_key or key)
    if order.status == OrderStatus.CANCELLED:
        return _full(order)  # asked twice (a retried request): the same answer
    user = principal.user if principal else None
    await service.cancel(
        db, runtime, order, via="customer", actor=user, reason="Cancelled by the customer."
    )
    return _full(await _visible(db, number, principal, x_key or key))

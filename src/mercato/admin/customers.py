"""Customers in the admin, read-only: people with the customer role, their paid orders and
what they spent (store currency, net of refunds, as on the dashboard), their orders,
addresses and newsletter status. Blocking and roles stay on the user admin page.

Needs ``customers.read``. The list is three queries whatever the page size: COUNT, the page,
and one grouped query for the page's order figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from mercato.admin.dashboard_service import PAID, to_store_minor
from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import NotFound
from mercato.kit.pagination import Page, page_number, paginate
from mercato.models import Role, User, UserRole
from mercato.models.commerce import Address
from mercato.models.engagement import NewsletterSubscriber
from mercato.models.orders import Order
from mercato.web.deps import Db

router = APIRouter(prefix="/customers")

Reader = Annotated[User, Depends(require_permission("customers.read"))]
PER_PAGE = 25
ORDERS_SHOWN = 50
CUSTOMER_ROLE = "customer"
SORTS = {
    "-joined": (User.created_at.desc(), User.id.desc()),
    "joined": (User.created_at.asc(), User.id.asc()),
    "name": (User.name.asc(), User.email.asc(), User.id.asc()),
}


@dataclass
class CustomerRow:
    user: User
    orders: int = 0
    spent: int = 0  # store currency minor units, net of refunds


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _customers_query(q: str, sort: str) -> Select[Any]:
    is_customer = (
        select(UserRole.user_id)
        .join(Role, Role.id == UserRole.role_id)
        .where(Role.name == CUSTOMER_ROLE)
    )
    stmt = select(User).where(User.deleted_at.is_(None), User.id.in_(is_customer))
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(User.name).like(pattern, escape="\\"),
            )
        )
    return stmt.order_by(*SORTS[sort])


async def _spending(
    db: AsyncSession, user_ids: list[int], store_currency: str
) -> dict[int, tuple[int, int]]:
    """(paid orders, net spent) per user, one grouped query for the whole page."""
    if not user_ids:
        return {}
    rows = await db.execute(
        select(
            Order.user_id,
            Order.currency,
            Order.exchange_rate_micros,
            func.count(),
            func.sum(Order.total - Order.refunded_total),
        )
        .where(Order.user_id.in_(user_ids), Order.payment_status.in_(PAID))
        .group_by(Order.user_id, Order.currency, Order.exchange_rate_micros)
    )
    figures: dict[int, tuple[int, int]] = {}
    for user_id, currency, rate, count, net in rows:
        orders, spent = figures.get(user_id, (0, 0))
        figures[user_id] = (
            orders + int(count),
            spent + to_store_minor(int(net or 0), currency, rate, store_currency),
        )
    return figures


async def list_customers(
    db: AsyncSession, *, q: str, sort: str, page: int, store_currency: str
) -> Page[CustomerRow]:
    result = await paginate(db, _customers_query(q, sort), page, PER_PAGE, clamp=True)
    users: list[User] = result.items
    figures = await _spending(db, [u.id for u in users], store_currency)
    rows = [CustomerRow(u, *figures.get(u.id, (0, 0))) for u in users]
    return Page(items=rows, total=result.total, page=result.page, per_page=PER_PAGE)


@router.get("")
async def customer_list(request: Request, db: Db, _: Reader) -> Response:
    params = request.query_params
    q = " ".join(str(params.get("q", "")).split())[:100]
    sort = params.get("sort", "-joined")
    sort = sort if sort in SORTS else "-joined"
    page = await list_customers(
        db,
        q=q,
        sort=sort,
        page=page_number(params.get("page")),
        store_currency=request.state.runtime.config.currency,
    )
    return admin_render(
        request,
        "admin/customers.html",
        {"page": page, "q": q, "sort": sort},
        section="customers",
    )


@router.get("/{user_id:int}")
async def customer_detail(request: Request, db: Db, user_id: int, _: Reader) -> Response:
    user = await db.scalar(select(User).where(User.id == user_id, User.deleted_at.is_(None)))
    if user is None:
        raise NotFound("No such customer.")
    currency = request.state.runtime.config.currency
    figures = await _spending(db, [user.id], currency)
    order_count = int(
        await db.scalar(select(func.count()).select_from(Order).where(Order.user_id == user.id))
        or 0
    )
    orders = list(
        await db.scalars(
            select(Order)
            .where(Order.user_id == user.id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(ORDERS_SHOWN)
        )
    )
    addresses = list(
        await db.scalars(
            select(Address)
            .where(Address.user_id == user.id, Address.deleted_at.is_(None))
            .order_by(Address.is_default.desc(), Address.id)
        )
    )
    subscriber = await db.scalar(
        select(NewsletterSubscriber)
        .where(
            or_(
                NewsletterSubscriber.user_id == user.id,
                NewsletterSubscriber.email == user.email.lower(),
            )
        )
        .order_by(NewsletterSubscriber.id.desc())
        .limit(1)
    )
    paid_orders, spent = figures.get(user.id, (0, 0))
    return admin_render(
        request,
        "admin/customer.html",
        {
            "customer": user,
            "paid_orders": paid_orders,
            "spent": spent,
            "order_count": order_count,
            "orders": orders,
            "addresses": addresses,
            "subscriber": subscriber,
        },
        section="customers",
    )

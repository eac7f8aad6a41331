"""Every query of the orders domain, each saying what it loads (relationships are
lazy="raise")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.kit.pagination import Page, paginate
from mercato.models.orders import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentAttempt,
    Refund,
)

HISTORY_PAGE = 10
ADMIN_PAGE = 25


async def with_lines(db: AsyncSession, number: str) -> Order | None:
    return await db.scalar(
        select(Order).where(Order.number == number[:32]).options(selectinload(Order.lines))
    )


async def history(db: AsyncSession, user_id: int, page: int) -> tuple[Page[Order], dict[int, int]]:
    """A customer's orders, newest first, and the number of items in each (3 queries)."""
    stmt = (
        select(Order)
        .where(Order.user_id == user_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    listing = await paginate(db, stmt, page, HISTORY_PAGE, clamp=True)
    counts: dict[int, int] = {}
    if listing.items:
        rows = await db.execute(
            select(OrderLine.order_id, func.sum(OrderLine.quantity))
            .where(OrderLine.order_id.in_([o.id for o in listing.items]))
            .group_by(OrderLine.order_id)
        )
        counts = {order_id: int(n or 0) for order_id, n in rows.all()}
    return listing, counts


async def timeline(db: AsyncSession, order_id: int, *, internal: bool) -> list[OrderEvent]:
    stmt = select(OrderEvent).where(OrderEvent.order_id == order_id)
    if not internal:
        stmt = stmt.where(OrderEvent.is_internal.is_(False))
    return list(await db.scalars(stmt.order_by(OrderEvent.created_at, OrderEvent.id)))


async def attempts(db: AsyncSession, order_id: int) -> list[PaymentAttempt]:
    return list(
        await db.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.order_id == order_id)
            .order_by(PaymentAttempt.id)
        )
    )


async def refunds(db: AsyncSession, order_id: int) -> list[Refund]:
    return list(
        await db.scalars(select(Refund).where(Refund.order_id == order_id).order_by(Refund.id))
    )


@dataclass
class AdminFilters:
    q: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_query(cls, params: Any) -> AdminFilters:
        status = str(params.get("status") or "")
        return cls(
            q=" ".join(str(params.get("q") or "").split())[:100],
            status=status if status in {s.value for s in OrderStatus} else "",
            date_from=_date(params.get("from")),
            date_to=_date(params.get("to")),
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.date_from or self.date_to)


def _date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None  # nonsense in a filter shows everything, never a 500


def _start_of(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))


async def admin_list(
    db: AsyncSession, filters: AdminFilters, page: int, *, timezone: str
) -> Page[Order]:
    """Orders for staff: by status, by creation date (days in the store's timezone, both
    ends included), by number or email, newest first."""
    stmt = select(Order)
    if filters.status:
        stmt = stmt.where(Order.status == filters.status)
    if filters.date_from:
        stmt = stmt.where(Order.created_at >= _start_of(filters.date_from, timezone))
    if filters.date_to:
        end = _start_of(filters.date_to + timedelta(days=1), timezone)
        stmt = stmt.where(Order.created_at < end)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Order.number).like(like), func.lower(Order.email).like(like))
        )
    stmt = stmt.order_by(Order.created_at.desc(), Order.id.desc())
    return await paginate(db, stmt, page, ADMIN_PAGE, clamp=True)


async def payment_state(db: AsyncSession, order_id: int) -> tuple[str, str, bool]:
    """(status, payment status, paid) of one order: the return page's long poll reads this."""
    row = (
        await db.execute(
            select(Order.status, Order.payment_status, Order.paid_at).where(Order.id == order_id)
        )
    ).one()
    return row.status, row.payment_status, row.paid_at is not None

"""Outbox handlers of the wholesale module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mercato.models.orders import Order, OrderLine
from mercato.wholesale import quotes as quote_service


async def close_ordered_quotes(ctx: Any, event: Any) -> None:
    """order.placed: an accepted quote whose product, quantity and price the order used is
    now "ordered", so one acceptance prices one order. Idempotent (only accepted quotes
    change)."""
    order = await ctx.db.get(Order, event.payload.get("order_id"))
    if order is None or order.user_id is None:
        return
    lines = await ctx.db.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
    await quote_service.mark_ordered(
        ctx.db,
        order.user_id,
        order.id,
        [(line.product_id, line.quantity, line.unit_price) for line in lines],
        now=order.created_at,
    )

"""Realtime events of the seed, delivered through the outbox: ``order:created``,
``order:updated`` and ``inventory:updated``.

Each handler runs in the worker's delivery of an outbox row written in the transaction of
the change (DESIGN.md §4), reads the current state and publishes after that delivery
commits. Orders go to the staff role channels (the admin dashboard's live panel) and to the
customer's own user channel (their order page); stock goes to staff only. Handlers are
idempotent: a repeated push carries the same current state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mercato.kit.money import format_money
from mercato.models.inventory import Inventory
from mercato.models.orders import Order, OrderLine
from mercato.notifications.ws import role_channel
from mercato.platform.notifications import user_channel

STAFF_ROLES = ("admin", "staff")
ORDER_UPDATES = (
    "order.confirmed",
    "order.processing",
    "order.shipped",
    "order.delivered",
    "order.cancelled",
    "order.refunded",
    "order.paid",
    "order.refunded_partially",
)


def _publish_later(ctx: Any, channels: list[str], message: dict[str, Any]) -> None:
    hub = ctx.runtime.hub

    async def publish() -> None:
        for channel in channels:
            await hub.publish(channel, message)

    ctx.after_commit.append(publish)


def order_message(runtime: Any, kind: str, order: Order) -> dict[str, Any]:
    return {
        "type": kind,
        "number": order.number,
        "status": order.status,
        "payment_status": order.payment_status,
        "total": order.total,
        "total_formatted": format_money(order.total, order.currency, runtime.config.locale),
        "customer_name": order.customer_name,
        "created_at": order.created_at.isoformat() if order.created_at else "",
    }


def _order_channels(ctx: Any, order: Order) -> list[str]:
    slug = ctx.runtime.slug
    channels = [role_channel(slug, role) for role in STAFF_ROLES]
    if order.user_id is not None:
        channels.append(user_channel(slug, order.user_id))
    return channels


async def _order(ctx: Any, event: Any) -> Order | None:
    order_id = event.payload.get("order_id")
    return await ctx.db.get(Order, int(order_id)) if order_id is not None else None


async def order_created(ctx: Any, event: Any) -> None:
    """``order.placed`` → ``order:created`` (staff and the customer), and the stock now
    left of each product in it → ``inventory:updated`` (staff)."""
    order = await _order(ctx, event)
    if order is None:
        return
    _publish_later(
        ctx, _order_channels(ctx, order), order_message(ctx.runtime, "order:created", order)
    )
    rows = await ctx.db.execute(
        select(OrderLine.product_id, OrderLine.sku, Inventory.quantity, Inventory.reserved)
        .join(Inventory, Inventory.product_id == OrderLine.product_id)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.id)
    )
    staff = [role_channel(ctx.runtime.slug, role) for role in STAFF_ROLES]
    for product_id, sku, quantity, reserved in rows:
        _publish_later(
            ctx,
            staff,
            {"type": "inventory:updated", "product_id": product_id, "sku": sku,
             "available": quantity - reserved},
        )  # fmt: skip


async def order_updated(ctx: Any, event: Any) -> None:
    order = await _order(ctx, event)
    if order is None:
        return
    _publish_later(
        ctx, _order_channels(ctx, order), order_message(ctx.runtime, "order:updated", order)
    )


async def stock_changed(ctx: Any, event: Any) -> None:
    """``inventory.restocked`` → ``inventory:updated`` for staff."""
    product_id = int(event.payload["product_id"])
    inventory = await ctx.db.scalar(select(Inventory).where(Inventory.product_id == product_id))
    if inventory is None:
        return
    staff = [role_channel(ctx.runtime.slug, role) for role in STAFF_ROLES]
    _publish_later(
        ctx,
        staff,
        {"type": "inventory:updated", "product_id": product_id, "available": inventory.available},
    )


EVENT_HANDLERS: dict[str, list[Any]] = {
    "order.placed": [order_created],
    "inventory.restocked": [stock_changed],
    **{name: [order_updated] for name in ORDER_UPDATES},
}

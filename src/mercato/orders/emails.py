"""The customer's order emails: confirmed (paid), shipped, delivered, cancelled, refunded.
Rendered when queued (platform.email), so they say what the order was at that moment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from mercato.kit.i18n import N_, _
from mercato.models.orders import Order, OrderLine, Refund
from mercato.orders import access
from mercato.platform.email import queue_email

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.runtime import StoreRuntime

SUBJECTS = {
    "confirmed": N_("Your order %(number)s is confirmed"),
    "shipped": N_("Your order %(number)s is on its way"),
    "delivered": N_("Your order %(number)s has been delivered"),
    "cancelled": N_("Your order %(number)s has been cancelled"),
    "refunded": N_("A refund for your order %(number)s"),
}


async def send_status_email(
    db: AsyncSession,
    runtime: StoreRuntime,
    order: Order,
    status: str,
    *,
    note: str = "",
    refund: Refund | None = None,
) -> None:
    if status not in SUBJECTS or not order.email:
        return
    lines = list(
        await db.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
        )
    )
    await queue_email(
        db,
        runtime,
        to=order.email,
        subject=_(SUBJECTS[status], number=order.number),
        template=f"emails/order_{status}",
        context={
            "order": order,
            "lines": lines,
            "note": note,
            "refund": refund,
            "link": access.order_path(runtime, order, absolute=True),
            "name": order.customer_name,
        },
    )

"""Scheduled order work."""

from __future__ import annotations

import logging

from mercato.orders import service
from mercato.platform.scheduler import JobContext

log = logging.getLogger(__name__)


async def expire_unpaid_orders(ctx: JobContext) -> None:
    """Cancel orders whose stock hold ran out before the payment arrived ("payment not
    received in time") and give their stock back. Each slot catches up on everything due."""
    cancelled = await service.expire_unpaid(ctx.db, ctx.runtime, ctx.slot)
    if cancelled:
        log.info("cancelled unpaid orders", extra={"count": cancelled, "store": ctx.runtime.slug})

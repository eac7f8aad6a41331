"""Outbox handler and scheduled sweep for the waiting lists."""

from __future__ import annotations

import logging

from mercato.platform.outbox import HandlerContext
from mercato.platform.scheduler import JobContext
from mercato.waitlist import service

log = logging.getLogger(__name__)
RESTOCKED = "inventory.restocked"  # {"product_id", "available"}, emitted by inventory


async def on_restocked(ctx: HandlerContext, event) -> None:
    """Idempotent: a redelivered event finds the people already told and the budget spent."""
    product_id = int(event.payload["product_id"])
    told = await service.notify_returned(ctx.db, ctx.runtime, product_id)
    if told:
        log.info("waiting list notified", extra={"product_id": product_id, "count": told})


async def sweep(ctx: JobContext) -> None:
    """Catches what an event missed (lost, or stock added while not sold out)."""
    for product_id in await service.products_to_sweep(ctx.db):
        await service.notify_returned(ctx.db, ctx.runtime, product_id, now=ctx.slot)

"""Scheduled cart work."""

from __future__ import annotations

import logging

from mercato.cart import service as cart_service
from mercato.platform.scheduler import JobContext

log = logging.getLogger(__name__)


async def delete_expired_carts(ctx: JobContext) -> None:
    """Guest carts live 30 days after their last change; then they go, with their items."""
    deleted = await cart_service.delete_expired(ctx.db, ctx.slot)
    if deleted:
        log.info("deleted expired guest carts", extra={"count": deleted, "store": ctx.runtime.slug})

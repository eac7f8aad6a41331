"""Scheduled inventory work."""

from __future__ import annotations

import logging

from mercato.inventory import service as inventory_service
from mercato.platform.scheduler import JobContext

log = logging.getLogger(__name__)


async def release_expired_reservations(ctx: JobContext) -> None:
    """Give back holds whose checkout was abandoned (DESIGN.md §4: reservations expire and a
    job releases them). Runs in the job's transaction; a hold consumed meanwhile is skipped."""
    released = await inventory_service.release_expired(ctx.db, ctx.slot)
    if released:
        log.info(
            "released expired stock holds", extra={"count": released, "store": ctx.runtime.slug}
        )

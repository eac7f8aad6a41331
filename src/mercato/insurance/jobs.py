"""Scheduled insurance work, once per slot across instances (platform.scheduler)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from mercato.insurance import service as insurance_service

if TYPE_CHECKING:
    from mercato.platform.scheduler import JobContext

log = logging.getLogger("mercato.insurance.jobs")


async def renewal_reminders(ctx: JobContext) -> None:
    sent = await insurance_service.send_renewal_reminders(ctx.db, ctx.runtime)
    log.info("renewal reminders", extra={"sent": sent, "store": ctx.runtime.slug})


async def expire_policies(ctx: JobContext) -> None:
    ended = await insurance_service.expire_policies(ctx.db, ctx.runtime)
    stale = await insurance_service.cancel_stale_applications(ctx.db, ctx.runtime)
    log.info(
        "policies expired",
        extra={"expired": ended, "stale_cancelled": stale, "store": ctx.runtime.slug},
    )

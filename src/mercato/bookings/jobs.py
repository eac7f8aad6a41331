"""Scheduled booking work: the day-before reminder email, once per booking."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from mercato.bookings import service
from mercato.kit.i18n import _, use_language
from mercato.kit.time import utcnow
from mercato.platform.email import queue_email
from mercato.web.i18n import primary_language

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.runtime import StoreRuntime
    from mercato.platform.scheduler import JobContext

log = logging.getLogger("mercato.bookings.jobs")


def calendar_of(runtime: StoreRuntime) -> service.Calendar:
    return service.Calendar(timezone=runtime.config.timezone, currency=runtime.config.currency)


async def send_reminders(db: AsyncSession, runtime: StoreRuntime, cal: service.Calendar) -> int:
    """Queue one reminder email per confirmed booking of tomorrow; returns how many."""
    sent = 0
    # A worker has no request language: the subject is written in the store's own, like
    # the body the templates render.
    with use_language(primary_language(runtime.config.locale), runtime.config.locale):
        sent = await _queue_reminders(db, runtime, cal)
    return sent


async def _queue_reminders(db: AsyncSession, runtime: StoreRuntime, cal: service.Calendar) -> int:
    sent = 0
    for booking, customer in await service.due_reminders(db, cal):
        if not await service.mark_reminded(db, booking, cal.now):
            continue
        await queue_email(
            db,
            runtime,
            to=customer.email,
            subject=_("Reminder: booking %(number)s tomorrow", number=booking.number),
            template="emails/booking_reminder",
            context={
                "booking": booking,
                "customer": customer,
                "link": f"bookings/{booking.number}",
            },
        )
        sent += 1
    return sent


async def booking_reminders(ctx: JobContext) -> None:
    cal = service.Calendar(
        timezone=ctx.runtime.config.timezone, currency=ctx.runtime.config.currency, now=utcnow()
    )
    sent = await send_reminders(ctx.db, ctx.runtime, cal)
    log.info("booking reminders", extra={"sent": sent, "store": ctx.runtime.slug})

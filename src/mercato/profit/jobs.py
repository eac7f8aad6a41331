"""The weekly profit report (Monday 08:00 store time): emailed to every admin (the whole
store) and to every seller (their own products only), for the seven days before the slot."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mercato.models import Role, User, UserRole
from mercato.models.b2b import Seller
from mercato.platform.email import queue_email
from mercato.platform.scheduler import JobContext
from mercato.profit import reports, settings

log = logging.getLogger(__name__)


async def admin_emails(db) -> list[tuple[int, str]]:
    rows = await db.execute(
        select(User.id, User.email)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Role, Role.id == UserRole.role_id)
        .where(Role.name == "admin")
        .order_by(User.id)
    )
    return [(i, e) for i, e in rows.all() if e]


async def weekly_profit_report(ctx: JobContext) -> str:
    db, runtime = ctx.db, ctx.runtime
    if not settings.as_typed(
        settings.WEEKLY_REPORT, (await settings.current(db))[settings.WEEKLY_REPORT]
    ):
        return "weekly report switched off"
    zone = runtime.config.timezone
    end = ctx.slot.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)
    start = end - timedelta(days=6)
    common = dict(
        start=start, end=end, timezone=zone, currency=runtime.config.currency, group="day"
    )
    full = await reports.build(db, **common)
    sent = 0
    for _, email in await admin_emails(db):
        await queue_email(
            db,
            runtime,
            to=email,
            subject=f"Profit report {start} to {end}",
            template="profit/email_weekly",
            context={"report": full, "own": False},
        )
        sent += 1
    sellers = (
        await db.execute(
            select(Seller.id, User.email).join(User, User.id == Seller.user_id).order_by(Seller.id)
        )
    ).all()
    for seller_id, email in sellers:
        if not email:
            continue
        own = await reports.build(db, **common, seller_id=seller_id)
        await queue_email(
            db,
            runtime,
            to=email,
            subject=f"Your profit {start} to {end}",
            template="profit/email_weekly",
            context={"report": own, "own": True},
        )
        sent += 1
    log.info("weekly profit reports queued", extra={"count": sent, "store": runtime.slug})
    return f"{sent} reports queued"

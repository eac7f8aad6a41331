"""Demo support tickets from stores/<slug>/seed/tickets.yaml: a customer's questions, some
answered by staff. Idempotent: a customer who already has tickets is left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import yaml
from sqlalchemy import select

from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.bookings import Booking
from mercato.models.support import SupportTicket
from mercato.support import service


async def seed_support(db, ctx) -> str:  # noqa: ANN001 - (AsyncSession, SeedContext)
    path = ctx.seed_dir / "tickets.yaml"
    if not path.is_file():
        return "no tickets.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    made = 0
    done: set[int] = set()
    for item in data.get("tickets", []):
        customer = await db.scalar(select(User).where(User.email == item["customer"]))
        staff = await db.scalar(select(User).where(User.email == item.get("staff", "")))
        if customer is None:
            continue
        if customer.id not in done:
            if await db.scalar(
                select(SupportTicket.id).where(SupportTicket.customer_id == customer.id).limit(1)
            ):
                continue
            done.add(customer.id)
        start = utcnow() - timedelta(hours=float(item.get("hours_ago", 1)))
        booking_number = ""
        if item.get("about_booking"):
            booking_number = (
                await db.scalar(
                    select(Booking.number)
                    .where(Booking.customer_id == customer.id)
                    .order_by(Booking.id)
                    .limit(1)
                )
                or ""
            )
        ticket = await service.open_ticket(
            db,
            customer,
            subject=item["subject"],
            body=item["body"],
            priority=item.get("priority", "normal"),
            channel=item.get("channel", "ticket"),
            booking_number=booking_number,
            now=start,
        )
        for n, reply in enumerate(item.get("replies", [])):
            when = start + timedelta(minutes=float(reply.get("after_minutes", 30 * (n + 1))))
            author = staff if reply.get("staff") and staff else customer
            await service.post_message(
                db, ticket, author, reply["body"], from_staff=author is staff, now=when
            )
        if item.get("status"):
            ticket.status = item["status"]
        made += 1
    await db.flush()
    return f"{made} tickets"

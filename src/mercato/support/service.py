"""Support rules: tickets (optionally about the customer's own order or booking), replies,
assignment, statuses, SLA targets per priority, and live delivery of new messages.

Object rules: a customer reads and writes only their own tickets (another's number is
``NotFound``); linking another customer's order or booking is refused on its field. Staff
actions need ``support.manage`` (checked by the web layers).

Live chat: a new message writes a ``support.message`` outbox event in the same
transaction; its handler pushes ``message:new`` to the other side's user channel after the
commit (the customer, or the assigned staff member), so a rolled-back reply is never shown.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.i18n import N_, Labels, _, use_language
from mercato.kit.time import utcnow
from mercato.models import Order, OutboxEvent, User
from mercato.models.bookings import Booking
from mercato.models.support import (
    TICKET_CHANNELS,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    SupportMessage,
    SupportTicket,
)
from mercato.platform import outbox
from mercato.platform.notifications import notify, user_channel
from mercato.web.i18n import primary_language

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.outbox import HandlerContext

MESSAGE_EVENT = "support.message"
# Time to first staff response, by priority.
SLA_FIRST_RESPONSE = {
    "urgent": timedelta(hours=1),
    "high": timedelta(hours=4),
    "normal": timedelta(hours=8),
    "low": timedelta(hours=24),
}
# English msgids, read in the language of the request (staff and customers alike).
PRIORITY_LABELS = Labels(
    {"low": N_("Low"), "normal": N_("Normal"), "high": N_("High"), "urgent": N_("Urgent")}
)
STATUS_LABELS = Labels(
    {
        "open": N_("Waiting for us"),
        "answered": N_("Answered"),
        "resolved": N_("Resolved"),
        "closed": N_("Closed"),
    }
)
MAX_BODY = 4000


@dataclass
class SlaView:
    due_at: datetime
    first_response_at: datetime | None
    first_response_minutes: int | None
    breached: bool


def sla_of(ticket: SupportTicket, now: datetime) -> SlaView:
    responded = ticket.first_response_at
    minutes = int((responded - ticket.created_at).total_seconds() // 60) if responded else None
    breached = (responded or now) > ticket.first_response_due_at
    return SlaView(ticket.first_response_due_at, responded, minutes, breached)


def _body(text: str) -> str:
    body = text.strip()
    if not body:
        raise ValidationFailed(_("Please write a message."), field="body")
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            _("A message has at most %(limit)s characters.", limit=MAX_BODY), field="body"
        )
    return body


async def _new_number(db: AsyncSession) -> str:
    for _attempt in range(10):
        number = f"HT-{secrets.randbelow(900000) + 100000}"
        if await db.scalar(select(SupportTicket.id).where(SupportTicket.number == number)) is None:
            return number
    raise Conflict(_("Could not number the request; please try again."))


async def open_ticket(
    db: AsyncSession,
    customer: User,
    *,
    subject: str,
    body: str,
    priority: str = "normal",
    channel: str = "ticket",
    order_number: str = "",
    booking_number: str = "",
    now: datetime | None = None,
) -> SupportTicket:
    now = now or utcnow()
    subject = " ".join(subject.split())[:200]
    if channel == "chat" and not subject:
        subject = _("Live chat")
    if len(subject) < 3:
        raise ValidationFailed(
            _("Please enter a subject (at least 3 characters)."), field="subject"
        )
    if priority not in TICKET_PRIORITIES:
        raise ValidationFailed(_("That priority is not valid."), field="priority")
    if channel not in TICKET_CHANNELS:
        raise ValidationFailed(_("That channel is not valid."), field="channel")
    text = _body(body)
    order_id = booking_id = None
    if order_number.strip():
        # Only the customer's own order: another's number is refused like an unknown one.
        order_id = await db.scalar(
            select(Order.id).where(
                Order.number == order_number.strip()[:32], Order.user_id == customer.id
            )
        )
        if order_id is None:
            raise ValidationFailed(_("There is no such order in your account."), field="order")
    if booking_number.strip():
        booking_id = await db.scalar(
            select(Booking.id).where(
                Booking.number == booking_number.strip()[:20], Booking.customer_id == customer.id
            )
        )
        if booking_id is None:
            raise ValidationFailed(_("There is no such booking in your account."), field="booking")
    ticket = SupportTicket(
        number=await _new_number(db),
        customer_id=customer.id,
        subject=subject,
        channel=channel,
        priority=priority,
        order_id=order_id,
        booking_id=booking_id,
        first_response_due_at=now + SLA_FIRST_RESPONSE[priority],
        last_message_at=now,
        created_at=now,
        updated_at=now,
    )
    db.add(ticket)
    await db.flush()
    db.add(SupportMessage(ticket_id=ticket.id, author_id=customer.id, body=text, created_at=now))
    await db.flush()
    await outbox.emit(db, "ticket.created", {"ticket_id": ticket.id, "number": ticket.number})
    return ticket


async def post_message(
    db: AsyncSession,
    ticket: SupportTicket,
    author: User,
    body: str,
    *,
    from_staff: bool,
    link: str = "",
    now: datetime | None = None,
) -> SupportMessage:
    """Add a message. A staff reply counts as the first response once and marks the ticket
    answered; a customer's message reopens it. A closed ticket takes no messages."""
    now = now or utcnow()
    if ticket.status == "closed":
        raise Conflict(_("This request is closed; please open a new one."), field="body")
    message = SupportMessage(
        ticket_id=ticket.id,
        author_id=author.id,
        from_staff=from_staff,
        body=_body(body),
        created_at=now,
    )
    db.add(message)
    ticket.last_message_at = now
    ticket.updated_at = now
    if from_staff:
        ticket.status = "answered"
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        if ticket.assigned_to_id is None:
            ticket.assigned_to_id = author.id  # whoever answers first owns it
    else:
        ticket.status = "open"
    await db.flush()
    await outbox.emit(db, MESSAGE_EVENT, {"message_id": message.id, "ticket_id": ticket.id})
    if from_staff:
        await notify(
            db,
            user_id=ticket.customer_id,
            title=_("New reply to request %(number)s", number=ticket.number),
            body=message.body[:200],
            link=link,
        )
    return message


async def update_ticket(
    db: AsyncSession,
    ticket: SupportTicket,
    *,
    status: str | None = None,
    priority: str | None = None,
    assigned_to_id: int | None | str = "keep",
) -> dict[str, Any]:
    """Staff changes; returns the before values for the audit row."""
    before = {
        "status": ticket.status,
        "priority": ticket.priority,
        "assigned_to_id": ticket.assigned_to_id,
    }
    if status is not None:
        if status not in TICKET_STATUSES:
            raise ValidationFailed(_("That status is not valid."), field="status")
        ticket.status = status
        ticket.resolved_at = utcnow() if status in ("resolved", "closed") else None
    if priority is not None:
        if priority not in TICKET_PRIORITIES:
            raise ValidationFailed(_("That priority is not valid."), field="priority")
        if priority != ticket.priority:
            ticket.priority = priority
            # The clock is re-set from the ticket's start for the new priority.
            ticket.first_response_due_at = ticket.created_at + SLA_FIRST_RESPONSE[priority]
    if assigned_to_id != "keep":
        ticket.assigned_to_id = assigned_to_id  # type: ignore[assignment]
    ticket.updated_at = utcnow()
    await db.flush()
    return before


async def close_by_customer(db: AsyncSession, ticket: SupportTicket) -> None:
    result = await db.execute(
        update(SupportTicket)
        .where(SupportTicket.id == ticket.id, SupportTicket.status != "closed")
        .values(status="closed", resolved_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise Conflict(_("This request is already closed."))
    ticket.status = "closed"


# --- reading ---------------------------------------------------------------------------------


async def get_for_customer(db: AsyncSession, customer_id: int, number: str) -> SupportTicket:
    ticket = await db.scalar(
        select(SupportTicket).where(
            SupportTicket.number == number[:20], SupportTicket.customer_id == customer_id
        )
    )
    if ticket is None:
        raise NotFound(_("There is no such support request."))
    return ticket


async def get_by_number(db: AsyncSession, number: str) -> SupportTicket:
    ticket = await db.scalar(select(SupportTicket).where(SupportTicket.number == number[:20]))
    if ticket is None:
        raise NotFound(_("There is no such support request."))
    return ticket


async def messages_of(db: AsyncSession, ticket_id: int) -> list[tuple[SupportMessage, User]]:
    rows = await db.execute(
        select(SupportMessage, User)
        .join(User, User.id == SupportMessage.author_id)
        .where(SupportMessage.ticket_id == ticket_id)
        .order_by(SupportMessage.id)
    )
    return [(m, u) for m, u in rows]


async def list_for_customer(db: AsyncSession, customer_id: int) -> list[SupportTicket]:
    return list(
        await db.scalars(
            select(SupportTicket)
            .where(SupportTicket.customer_id == customer_id)
            .order_by(SupportTicket.last_message_at.desc(), SupportTicket.id.desc())
            .limit(100)
        )
    )


async def list_all(
    db: AsyncSession, *, status: str = "", assigned_to_id: int | None = None, limit: int = 200
) -> list[tuple[SupportTicket, User]]:
    stmt = select(SupportTicket, User).join(User, User.id == SupportTicket.customer_id)
    if status:
        stmt = stmt.where(SupportTicket.status == status)
    if assigned_to_id:
        stmt = stmt.where(SupportTicket.assigned_to_id == assigned_to_id)
    rows = await db.execute(
        stmt.order_by(SupportTicket.first_response_due_at, SupportTicket.id).limit(limit)
    )
    return [(t, u) for t, u in rows]


async def staff_users(db: AsyncSession) -> list[User]:
    from mercato.models import Role, UserRole

    return list(
        await db.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .join(Role, Role.id == UserRole.role_id)
            .where(Role.is_staff.is_(True), User.deleted_at.is_(None))
            .distinct()
            .order_by(User.name)
        )
    )


async def sla_summary(db: AsyncSession, now: datetime) -> dict[str, Any]:
    """Counts for the staff overview: open tickets, overdue first responses, and the average
    time to first response of answered tickets (minutes)."""
    open_count = await db.scalar(
        select(func.count())
        .select_from(SupportTicket)
        .where(SupportTicket.status.in_(("open", "answered")))
    )
    overdue = await db.scalar(
        select(func.count())
        .select_from(SupportTicket)
        .where(
            SupportTicket.first_response_at.is_(None),
            SupportTicket.status == "open",
            SupportTicket.first_response_due_at < now,
        )
    )
    answered = list(
        await db.execute(
            select(SupportTicket.created_at, SupportTicket.first_response_at).where(
                SupportTicket.first_response_at.is_not(None)
            )
        )
    )
    minutes = [(r - c).total_seconds() / 60 for c, r in answered if r is not None]
    return {
        "open": int(open_count or 0),
        "overdue": int(overdue or 0),
        "answered": len(minutes),
        "avg_first_response_minutes": round(sum(minutes) / len(minutes)) if minutes else None,
    }


# --- live delivery -----------------------------------------------------------------------------


def message_json(message: SupportMessage, author: User, ticket: SupportTicket) -> dict[str, Any]:
    return {
        "type": "message:new",
        "ticket": ticket.number,
        "id": message.id,
        "from_staff": message.from_staff,
        "author": author.name or (_("Staff") if message.from_staff else _("Customer")),
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


async def push_message(ctx: HandlerContext, event: OutboxEvent) -> None:
    """Handler for ``support.message``: tell the other side's open pages, after commit.
    A repeated delivery repeats the push; pages ignore a message id they already show."""
    message = await ctx.db.get(SupportMessage, int(event.payload["message_id"]))
    ticket = await ctx.db.get(SupportTicket, int(event.payload["ticket_id"]))
    if message is None or ticket is None:
        return
    author = await ctx.db.get(User, message.author_id)
    assert author is not None
    recipient = ticket.customer_id if message.from_staff else ticket.assigned_to_id
    if recipient is None:
        return
    # The worker has no request language: a nameless author is named in the store's own.
    config = ctx.runtime.config
    with use_language(primary_language(config.locale), config.locale):
        payload = message_json(message, author, ticket)
    channel = user_channel(ctx.runtime.slug, recipient)
    hub = ctx.runtime.hub

    async def publish() -> None:
        await hub.publish(channel, payload)

    ctx.after_commit.append(publish)

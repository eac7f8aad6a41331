"""Admin pages for support: the queue ordered by first-response due time with SLA figures,
a ticket's conversation with reply, status, priority and assignment (audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError
from mercato.kit.i18n import _
from mercato.kit.time import utcnow
from mercato.models import Order, User
from mercato.models.bookings import Booking
from mercato.platform import audit
from mercato.support import service
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/support")
Manager = Annotated[User, Depends(require_permission("support.manage"))]
Number = Annotated[str, Path(max_length=20)]


@router.get("")
async def queue(request: Request, db: Db, _: Manager) -> Response:
    status = request.query_params.get("status", "")
    status = status if status in service.STATUS_LABELS else ""
    now = utcnow()
    rows = await service.list_all(db, status=status)
    staff = await service.staff_users(db)
    return admin_render(
        request,
        "admin/support_tickets.html",
        {
            "rows": [(t, u, service.sla_of(t, now)) for t, u in rows],
            "status": status,
            "labels": service.STATUS_LABELS,
            "priorities": service.PRIORITY_LABELS,
            "summary": await service.sla_summary(db, now),
            "staff_names": {s.id: s.name or s.email for s in staff},
        },
        section="support",
    )


@router.get("/{number}")
async def ticket_page(request: Request, number: Number, db: Db, _: Manager) -> Response:
    ticket = await service.get_by_number(db, number)
    order = await db.get(Order, ticket.order_id) if ticket.order_id else None
    booking = await db.get(Booking, ticket.booking_id) if ticket.booking_id else None
    return admin_render(
        request,
        "admin/support_ticket.html",
        {
            "ticket": ticket,
            "customer": await db.get(User, ticket.customer_id),
            "messages": await service.messages_of(db, ticket.id),
            "order_number": order.number if order else "",
            "booking_number": booking.number if booking else "",
            "sla": service.sla_of(ticket, utcnow()),
            "labels": service.STATUS_LABELS,
            "priorities": service.PRIORITY_LABELS,
            "staff": await service.staff_users(db),
        },
        section="support",
    )


@router.post("/{number}")
async def update(request: Request, number: Number, db: Db, user: Manager) -> Response:
    ticket = await service.get_by_number(db, number)
    form = await request.form()
    assigned = str(form.get("assigned_to") or "")
    staff_ids = {s.id for s in await service.staff_users(db)}
    assignee = int(assigned) if assigned.isdigit() and int(assigned) in staff_ids else None
    try:
        before = await service.update_ticket(
            db,
            ticket,
            status=str(form.get("status") or ticket.status),
            priority=str(form.get("priority") or ticket.priority),
            assigned_to_id=assignee,
        )
    except DomainError as exc:
        return redirect(request, f"admin/support/{ticket.number}", exc.message, "error")
    await audit.record(
        db,
        actor=user,
        action="support.ticket.update",
        entity_type="support_ticket",
        entity_id=ticket.number,
        before=before,
        after={
            "status": ticket.status,
            "priority": ticket.priority,
            "assigned_to_id": ticket.assigned_to_id,
        },
        request=request,
    )
    return redirect(request, f"admin/support/{ticket.number}", _("Saved."))


@router.post("/{number}/messages")
async def reply(
    request: Request, number: Number, db: Db, runtime: Runtime, user: Manager
) -> Response:
    ticket = await service.get_by_number(db, number)
    form = await request.form()
    try:
        await service.post_message(
            db,
            ticket,
            user,
            str(form.get("body") or ""),
            from_staff=True,
            link=runtime.path(f"support/{ticket.number}"),
        )
    except DomainError as exc:
        return redirect(request, f"admin/support/{ticket.number}#reply", exc.message, "error")
    await audit.record(
        db,
        actor=user,
        action="support.reply",
        entity_type="support_ticket",
        entity_id=ticket.number,
        request=request,
    )
    return redirect(request, f"admin/support/{ticket.number}#reply", _("Reply sent."))

"""Support pages: the customer's tickets, opening one (about their own order or booking),
the conversation with replies and live chat. Plain forms work without JavaScript;
support-chat.js adds staff replies as they arrive over the store WebSocket."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy import select

from mercato.bookings import service as bookings_service
from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError
from mercato.kit.i18n import _
from mercato.models import Order
from mercato.support import service
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter(prefix="/support")
Number = Annotated[str, Path(max_length=20)]
FIELDS = ("subject", "priority", "order", "booking", "body", "channel")


async def _list_page(
    request: Request, db: Db, user, values=None, errors=None, status_code=200
) -> Response:  # noqa: ANN001
    orders = list(
        await db.scalars(
            select(Order.number).where(Order.user_id == user.id).order_by(Order.id.desc()).limit(20)
        )
    )
    bookings = [b.number for b in await bookings_service.list_for_customer(db, user.id, limit=20)]
    return render(
        request,
        "support/tickets.html",
        {
            "tickets": await service.list_for_customer(db, user.id),
            "orders": orders,
            "bookings": bookings,
            "priorities": service.PRIORITY_LABELS,
            "labels": service.STATUS_LABELS,
            "values": values or {"priority": "normal"},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("")
async def tickets_page(request: Request, db: Db, user: CurrentUser) -> Response:
    return await _list_page(request, db, user)


@router.post("")
async def open_ticket(request: Request, db: Db, user: CurrentUser) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "").strip()[:4000] for k in FIELDS}
    try:
        ticket = await service.open_ticket(
            db,
            user,
            subject=values["subject"],
            body=values["body"],
            priority=values["priority"] or "normal",
            channel="chat" if values["channel"] == "chat" else "ticket",
            order_number=values["order"],
            booking_number=values["booking"],
        )
    except DomainError as exc:
        return await _list_page(request, db, user, values, {exc.field or "form": exc.message}, 422)
    return redirect(
        request, f"support/{ticket.number}", _("Request sent. Our staff will answer soon.")
    )


@router.get("/{number}")
async def ticket_page(request: Request, number: Number, db: Db, user: CurrentUser) -> Response:
    ticket = await service.get_for_customer(db, user.id, number)
    return render(
        request,
        "support/ticket.html",
        {
            "ticket": ticket,
            "messages": await service.messages_of(db, ticket.id),
            "labels": service.STATUS_LABELS,
            "priorities": service.PRIORITY_LABELS,
            "errors": {},
        },
    )


@router.post("/{number}/messages")
async def reply(
    request: Request, number: Number, db: Db, runtime: Runtime, user: CurrentUser
) -> Response:
    ticket = await service.get_for_customer(db, user.id, number)
    form = await request.form()
    try:
        await service.post_message(db, ticket, user, str(form.get("body") or ""), from_staff=False)
    except DomainError as exc:
        return redirect(request, f"support/{ticket.number}#reply", exc.message, "error")
    return redirect(request, f"support/{ticket.number}#reply", _("Message sent."))


@router.post("/{number}/close")
async def close(request: Request, number: Number, db: Db, user: CurrentUser) -> Response:
    ticket = await service.get_for_customer(db, user.id, number)
    try:
        await service.close_by_customer(db, ticket)
    except DomainError as exc:
        return redirect(request, f"support/{ticket.number}", exc.message, "error")
    return redirect(request, f"support/{ticket.number}", _("Request closed. Thank you!"))

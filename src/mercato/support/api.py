"""Support tickets in the JSON API, under /<store>/api/v1/tickets.

A person's access token reads and writes only their own tickets (another's number is 404);
``support.manage`` reads the queue, replies as staff and changes status, priority and
assignment. API keys cannot act as a customer: conversations are a person's.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from mercato.identity.api_deps import ApiPrincipal, Principal, require_api_permission
from mercato.kit.errors import NotFound, PermissionDenied
from mercato.kit.time import utcnow
from mercato.models.support import SupportTicket
from mercato.support import service
from mercato.web.deps import Db, Runtime

router = APIRouter(prefix="/tickets", tags=["support"])
MANAGE = "support.manage"
Number = Annotated[str, Path(max_length=20)]
Manager = Annotated[ApiPrincipal, Depends(require_api_permission(MANAGE))]


def ticket_out(t: SupportTicket) -> dict[str, Any]:
    sla = service.sla_of(t, utcnow())
    return {
        "number": t.number,
        "subject": t.subject,
        "channel": t.channel,
        "status": t.status,
        "priority": t.priority,
        "assigned_to_id": t.assigned_to_id,
        "created_at": t.created_at.isoformat(),
        "last_message_at": t.last_message_at.isoformat(),
        "first_response_due_at": sla.due_at.isoformat(),
        "first_response_minutes": sla.first_response_minutes,
        "sla_breached": sla.breached,
    }


def _person(principal: ApiPrincipal) -> ApiPrincipal:
    if principal.via != "token":
        raise PermissionDenied("Support conversations are used with a person's access token.")
    return principal


async def _visible(db: Db, principal: ApiPrincipal, number: str) -> tuple[SupportTicket, bool]:
    if principal.can(MANAGE):
        return await service.get_by_number(db, number), True
    _person(principal)
    return await service.get_for_customer(db, principal.user.id, number), False


class TicketIn(BaseModel):
    subject: str = Field("", max_length=200)
    body: str = Field(max_length=4000)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    channel: Literal["ticket", "chat"] = "ticket"
    order_number: str = Field("", max_length=32)
    booking_number: str = Field("", max_length=20)


@router.get("")
async def mine(principal: Principal, db: Db) -> list[dict[str, Any]]:
    _person(principal)
    return [ticket_out(t) for t in await service.list_for_customer(db, principal.user.id)]


@router.post("", status_code=201)
async def create(body: TicketIn, principal: Principal, db: Db) -> dict[str, Any]:
    _person(principal)
    ticket = await service.open_ticket(
        db,
        principal.user,
        subject=body.subject,
        body=body.body,
        priority=body.priority,
        channel=body.channel,
        order_number=body.order_number,
        booking_number=body.booking_number,
    )
    return ticket_out(ticket)


@router.get("/queue")
async def queue(_: Manager, db: Db, status: str = "") -> dict[str, Any]:
    now = utcnow()
    return {
        "summary": await service.sla_summary(db, now),
        "tickets": [
            {**ticket_out(t), "customer_email": u.email}
            for t, u in await service.list_all(db, status=status[:10])
        ],
    }


@router.get("/{number}")
async def read(number: Number, principal: Principal, db: Db) -> dict[str, Any]:
    ticket, _ = await _visible(db, principal, number)
    return {
        **ticket_out(ticket),
        "messages": [
            {k: v for k, v in service.message_json(m, u, ticket).items() if k != "type"}
            for m, u in await service.messages_of(db, ticket.id)
        ],
    }


class MessageIn(BaseModel):
    body: str = Field(max_length=4000)


@router.post("/{number}/messages", status_code=201)
async def post(
    number: Number, body: MessageIn, principal: Principal, db: Db, runtime: Runtime
) -> dict[str, Any]:
    ticket, staff = await _visible(db, principal, number)
    if staff and ticket.customer_id == principal.user.id:
        staff = False  # a staff member writing in their own ticket writes as its customer
    message = await service.post_message(
        db,
        ticket,
        principal.user,
        body.body,
        from_staff=staff,
        link=runtime.path(f"support/{ticket.number}"),
    )
    return {
        k: v
        for k, v in service.message_json(message, principal.user, ticket).items()
        if k != "type"
    }


class TicketUpdate(BaseModel):
    status: Literal["open", "answered", "resolved", "closed"] | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    assigned_to_id: int | None = Field(None, ge=1, le=2**63 - 1)
    unassign: bool = False


@router.patch("/{number}")
async def update(number: Number, body: TicketUpdate, principal: Manager, db: Db) -> dict[str, Any]:
    ticket = await service.get_by_number(db, number)
    assignee: int | None | str = "keep"
    if body.unassign:
        assignee = None
    elif body.assigned_to_id is not None:
        if body.assigned_to_id not in {s.id for s in await service.staff_users(db)}:
            raise NotFound("No such staff member.", field="assigned_to_id")
        assignee = body.assigned_to_id
    await service.update_ticket(
        db, ticket, status=body.status, priority=body.priority, assigned_to_id=assignee
    )
    return ticket_out(ticket)

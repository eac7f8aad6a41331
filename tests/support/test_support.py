"""Support tickets and live chat: linking only one's own booking or order, SLA clock and
first response, statuses, customers never reading another's ticket (service, pages, API),
staff replies pushed live as ``message:new`` to the customer only, admin queue and audit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from mercato.bookings import service as bookings_service
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.models import AuditEntry, Notification, OutboxEvent, User
from mercato.models.support import SupportMessage
from mercato.platform.notifications import user_channel
from mercato.platform.outbox import HandlerContext
from mercato.platform.seeding import ensure_user, sync_roles
from mercato.support import service
from tests.bookings.support import (
    NOW,
    PASSWORD,
    at,
    calendar,
    make_district,
    make_service,
    make_technician,
    make_user,
    request,
)
from tests.helpers import csrf_from, signin

STORE = "audio-tai-loc"


async def _person(db, runtime, roles=("customer",)) -> User:
    n = await make_user(db)
    all_roles = await sync_roles(db, runtime.modules)
    user, _ = await ensure_user(
        db,
        all_roles,
        email=f"sp-{n.id}@example.vn",
        password=PASSWORD,
        name=f"Người {n.id}",
        role_names=list(roles),
    )
    return user


async def _ticket(db, customer, **kw):
    return await service.open_ticket(
        db,
        customer,
        subject=kw.pop("subject", "Loa bị rè"),
        body=kw.pop("body", "Loa sub rè khi mở lớn."),
        now=NOW,
        **kw,
    )


async def test_a_ticket_may_link_the_customers_own_booking_only(db, runtime):
    svc = await make_service(db)
    await make_technician(db, [svc])
    owner = await _person(db, runtime)
    booking = await bookings_service.create_booking(
        db, owner, request(svc, at("09:00"), await make_district(db)), calendar()
    )
    ticket = await _ticket(db, owner, booking_number=booking.number)
    assert ticket.booking_id == booking.id
    stranger = await _person(db, runtime)
    with pytest.raises(ValidationFailed) as refused:
        await _ticket(db, stranger, booking_number=booking.number)
    assert refused.value.field == "booking"
    with pytest.raises(ValidationFailed) as refused:
        await _ticket(db, stranger, order_number="AT-000000")
    assert refused.value.field == "order"


@pytest.mark.parametrize(
    ("priority", "hours"), [("urgent", 1), ("high", 4), ("normal", 8), ("low", 24)]
)
async def test_sla_target_follows_priority(db, runtime, priority, hours):
    ticket = await _ticket(db, await _person(db, runtime), priority=priority)
    assert ticket.first_response_due_at == NOW + timedelta(hours=hours)


async def test_first_response_is_the_first_staff_reply_and_sla_is_judged_on_it(db, runtime):
    customer = await _person(db, runtime)
    staff = await _person(db, runtime, ("staff",))
    ticket = await _ticket(db, customer, priority="high")  # due 4 h after NOW
    await service.post_message(
        db, ticket, customer, "Thêm thông tin", from_staff=False, now=NOW + timedelta(minutes=10)
    )
    assert ticket.first_response_at is None and ticket.status == "open"
    await service.post_message(
        db, ticket, staff, "Chào chị", from_staff=True, now=NOW + timedelta(minutes=90)
    )
    await service.post_message(
        db, ticket, staff, "Bổ sung", from_staff=True, now=NOW + timedelta(hours=6)
    )
    sla = service.sla_of(ticket, NOW + timedelta(hours=7))
    assert sla.first_response_minutes == 90 and not sla.breached
    assert ticket.status == "answered" and ticket.assigned_to_id == staff.id
    # A customer's message reopens it
    await service.post_message(
        db, ticket, customer, "Vẫn rè", from_staff=False, now=NOW + timedelta(hours=8)
    )
    assert ticket.status == "open"


async def test_an_unanswered_ticket_past_its_target_is_breached(db, runtime):
    ticket = await _ticket(db, await _person(db, runtime), priority="urgent")
    assert not service.sla_of(ticket, NOW + timedelta(minutes=59)).breached
    assert service.sla_of(ticket, NOW + timedelta(minutes=61)).breached
    summary = await service.sla_summary(db, NOW + timedelta(hours=2))
    assert summary["overdue"] >= 1


async def test_a_closed_ticket_takes_no_more_messages(db, runtime):
    customer = await _person(db, runtime)
    ticket = await _ticket(db, customer)
    await service.close_by_customer(db, ticket)
    with pytest.raises(Conflict):
        await service.post_message(db, ticket, customer, "Còn nữa", from_staff=False)
    with pytest.raises(Conflict):
        await service.close_by_customer(db, ticket)


@pytest.mark.parametrize(
    ("subject", "body", "field"),
    [("", "x" * 10, "subject"), ("Loa rè", "   ", "body"), ("Loa rè", "x" * 4001, "body")],
)
async def test_bad_input_is_refused_on_its_field(db, runtime, subject, body, field):
    with pytest.raises(ValidationFailed) as refused:
        await service.open_ticket(db, await _person(db, runtime), subject=subject, body=body)
    assert refused.value.field == field


async def test_service_reads_only_the_customers_own_tickets(db, runtime):
    owner = await _person(db, runtime)
    ticket = await _ticket(db, owner)
    stranger = await _person(db, runtime)
    with pytest.raises(NotFound):
        await service.get_for_customer(db, stranger.id, ticket.number)
    assert await service.list_for_customer(db, stranger.id) == []


# --- live delivery ------------------------------------------------------------------


async def _deliver(db, runtime, message_id: int) -> None:
    event = await db.scalar(
        select(OutboxEvent)
        .where(OutboxEvent.event_type == service.MESSAGE_EVENT)
        .order_by(OutboxEvent.id.desc())
    )
    assert event.payload["message_id"] == message_id
    ctx = HandlerContext(runtime=runtime, db=db, event=event)
    await service.push_message(ctx, event)
    for callback in ctx.after_commit:
        await callback()


async def test_a_staff_reply_reaches_the_customer_live_and_nobody_else(db, runtime):
    customer = await _person(db, runtime)
    stranger = await _person(db, runtime)
    staff = await _person(db, runtime, ("staff",))
    ticket = await _ticket(db, customer)
    async with (
        runtime.hub.subscribe([user_channel(STORE, customer.id)]) as mine,
        runtime.hub.subscribe([user_channel(STORE, stranger.id)]) as theirs,
    ):
        message = await service.post_message(
            db, ticket, staff, "Shop gọi lại ngay ạ", from_staff=True
        )
        await _deliver(db, runtime, message.id)
        pushed = await asyncio.wait_for(mine.get(), 2)
        assert theirs.empty()
    assert pushed["type"] == "message:new" and pushed["ticket"] == ticket.number
    assert pushed["body"] == "Shop gọi lại ngay ạ" and pushed["from_staff"] is True
    # and a notification for the badge (notification:new)
    note = await db.scalar(select(Notification).where(Notification.user_id == customer.id))
    assert note is not None and ticket.number in note.title


async def test_a_customer_message_reaches_the_assigned_staff(db, runtime):
    customer = await _person(db, runtime)
    staff = await _person(db, runtime, ("staff",))
    ticket = await _ticket(db, customer)
    await service.update_ticket(db, ticket, assigned_to_id=staff.id)
    async with runtime.hub.subscribe([user_channel(STORE, staff.id)]) as queue:
        message = await service.post_message(db, ticket, customer, "Em đang chờ", from_staff=False)
        await _deliver(db, runtime, message.id)
        pushed = await asyncio.wait_for(queue.get(), 2)
    assert pushed["from_staff"] is False and pushed["body"] == "Em đang chờ"


# --- pages and API ------------------------------------------------------------------


async def test_customer_opens_a_ticket_and_a_stranger_cannot_read_or_write_it(client, db, runtime):
    owner = await _person(db, runtime)
    await signin(client, STORE, owner.email, PASSWORD)
    token = await csrf_from(client, f"/{STORE}/support")
    made = await client.post(
        f"/{STORE}/support",
        data={
            "csrf_token": token,
            "subject": "Amply không lên nguồn",
            "body": "Bật không sáng đèn.",
            "priority": "high",
        },
    )
    assert made.status_code == 303
    number = made.headers["location"].rsplit("/", 1)[-1]
    page = await client.get(f"/{STORE}/support/{number}")
    assert (
        page.status_code == 200
        and "Bật không sáng đèn." in page.text
        and "data-chat-thread" in page.text
    )
    client.cookies.clear()
    stranger = await _person(db, runtime)
    await signin(client, STORE, stranger.email, PASSWORD)
    assert (await client.get(f"/{STORE}/support/{number}")).status_code == 404
    token = await csrf_from(client, f"/{STORE}/support")
    write = await client.post(
        f"/{STORE}/support/{number}/messages", data={"csrf_token": token, "body": "xen vào"}
    )
    assert write.status_code == 404
    assert (
        await client.post(f"/{STORE}/support/{number}/close", data={"csrf_token": token})
    ).status_code == 404
    count = await db.scalar(
        select(SupportMessage.id)
        .join(service.SupportTicket)
        .where(service.SupportTicket.number == number, SupportMessage.body == "xen vào")
    )
    assert count is None
    # and a customer is not staff
    assert (await client.get(f"/{STORE}/admin/support")).status_code in (403, 404)


async def test_a_form_error_is_shown_on_its_field(client, db, runtime):
    owner = await _person(db, runtime)
    await signin(client, STORE, owner.email, PASSWORD)
    token = await csrf_from(client, f"/{STORE}/support")
    refused = await client.post(
        f"/{STORE}/support", data={"csrf_token": token, "subject": "A", "body": "x"}
    )
    assert refused.status_code == 422 and 'id="subject-error"' in refused.text


async def test_staff_answer_from_the_admin_queue(client, db, runtime):
    customer = await _person(db, runtime)
    ticket = await _ticket(db, customer, priority="urgent")
    admin = await _person(db, runtime, ("admin",))
    await signin(client, STORE, admin.email, PASSWORD)
    queue = await client.get(f"/{STORE}/admin/support")
    assert queue.status_code == 200 and ticket.number in queue.text and "Quá hạn" in queue.text
    token = await csrf_from(client, f"/{STORE}/admin/support/{ticket.number}")
    sent = await client.post(
        f"/{STORE}/admin/support/{ticket.number}/messages",
        data={"csrf_token": token, "body": "Shop đã nhận."},
    )
    assert sent.status_code == 303
    await db.refresh(ticket)
    assert ticket.status == "answered" and ticket.first_response_at is not None
    saved = await client.post(
        f"/{STORE}/admin/support/{ticket.number}",
        data={
            "csrf_token": token,
            "status": "resolved",
            "priority": "high",
            "assigned_to": str(admin.id),
        },
    )
    assert saved.status_code == 303
    await db.refresh(ticket)
    assert (ticket.status, ticket.priority, ticket.assigned_to_id) == ("resolved", "high", admin.id)
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "support.ticket.update"))
    assert audit is not None and audit.before["status"] == "answered"


async def _token(client, email: str) -> dict[str, str]:
    response = await client.post(
        f"/{STORE}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_api_tickets_are_private_to_their_customer(client, db, runtime):
    owner = await _person(db, runtime)
    headers = await _token(client, owner.email)
    made = await client.post(
        f"/{STORE}/api/v1/tickets",
        headers=headers,
        json={"subject": "Micro hú", "body": "Micro bị hú."},
    )
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    assert (
        await client.post(
            f"/{STORE}/api/v1/tickets/{number}/messages", headers=headers, json={"body": "Thêm"}
        )
    ).status_code == 201
    read = await client.get(f"/{STORE}/api/v1/tickets/{number}", headers=headers)
    assert [m["body"] for m in read.json()["messages"]] == ["Micro bị hú.", "Thêm"]
    stranger = await _token(client, (await _person(db, runtime)).email)
    assert (
        await client.get(f"/{STORE}/api/v1/tickets/{number}", headers=stranger)
    ).status_code == 404
    assert (
        await client.post(
            f"/{STORE}/api/v1/tickets/{number}/messages", headers=stranger, json={"body": "x"}
        )
    ).status_code == 404
    assert (await client.get(f"/{STORE}/api/v1/tickets/queue", headers=stranger)).status_code == 403
    assert (
        await client.patch(
            f"/{STORE}/api/v1/tickets/{number}", headers=stranger, json={"status": "closed"}
        )
    ).status_code == 403
    staff = await _token(client, (await _person(db, runtime, ("staff",))).email)
    queue = await client.get(f"/{STORE}/api/v1/tickets/queue", headers=staff)
    assert queue.status_code == 200 and any(t["number"] == number for t in queue.json()["tickets"])
    answered = await client.post(
        f"/{STORE}/api/v1/tickets/{number}/messages", headers=staff, json={"body": "Đã nhận"}
    )
    assert answered.status_code == 201 and answered.json()["from_staff"] is True

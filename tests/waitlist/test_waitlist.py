"""Waiting lists: one open request per address, oldest first, never more people told than
units available, idempotent under redelivery, the sweep catches a missed event."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from mercato.inventory import service as inventory_service
from mercato.kit.time import utcnow
from mercato.models import EmailMessage, Inventory, OutboxEvent, StockAlert
from mercato.models.inventory import MovementKind
from mercato.platform.outbox import HandlerContext, emit
from mercato.platform.scheduler import JobContext
from mercato.platform.worker import process_batch
from mercato.waitlist import events, service
from tests.customers.factories import STORE, signin_as
from tests.helpers import csrf_from

ROOT = f"/{STORE}"


async def alerts(db, product_id: int) -> list[StockAlert]:
    return list(
        await db.scalars(
            select(StockAlert)
            .where(StockAlert.product_id == product_id)
            .order_by(StockAlert.id)
            .execution_options(populate_existing=True)
        )
    )


async def set_stock(db, product_id: int, quantity: int, reserved: int = 0) -> None:
    await db.execute(
        update(Inventory)
        .where(Inventory.product_id == product_id)
        .values(quantity=quantity, reserved=reserved)
    )


async def deliver(db, runtime, product_id: int, available: int) -> None:
    event = await emit(db, events.RESTOCKED, {"product_id": product_id, "available": available})
    await events.on_restocked(HandlerContext(runtime=runtime, db=db, event=event), event)


async def test_one_open_request_per_address(db, make_product):
    p = await make_product(stock=0)
    assert await service.request_alert(db, p.id, "Ada@Example.com") is True
    assert await service.request_alert(db, p.id, "ada@example.com") is False
    assert [a.email for a in await alerts(db, p.id)] == ["ada@example.com"]


async def test_in_stock_product_takes_no_request(db, make_product):
    import pytest

    from mercato.kit.errors import ValidationFailed

    p = await make_product(stock=4)
    with pytest.raises(ValidationFailed):
        await service.request_alert(db, p.id, "ada@example.com")


async def test_never_more_people_than_units_oldest_first(db, runtime, make_product):
    p = await make_product(stock=0, max_per_customer=1)
    for n in range(5):
        await service.request_alert(db, p.id, f"c{n}@example.com")
    await set_stock(db, p.id, 3, reserved=1)  # two units to sell
    await deliver(db, runtime, p.id, 2)
    told = [a.email for a in await alerts(db, p.id) if a.notified_at]
    assert told == ["c0@example.com", "c1@example.com"]
    mail = await db.scalar(select(EmailMessage).where(EmailMessage.to_address == "c0@example.com"))
    assert (
        f"{ROOT}/essences/{p.slug}" in mail.text_body
        and "at most 1 per collector" in mail.text_body
    )
    # Redelivery of the same event tells nobody else: the two units are spoken for.
    await deliver(db, runtime, p.id, 2)
    assert len([a for a in await alerts(db, p.id) if a.notified_at]) == 2
    count = await db.scalar(
        select(EmailMessage.id)
        .where(EmailMessage.template == "waitlist/emails/back_in_stock")
        .limit(3)
        .offset(2)
    )
    assert count is None


async def test_rechecks_stock_so_sold_units_are_not_offered(db, runtime, make_product):
    p = await make_product(stock=0)
    for n in range(3):
        await service.request_alert(db, p.id, f"c{n}@example.com")
    await set_stock(db, p.id, 0)  # the event arrives after the units were sold again
    await deliver(db, runtime, p.id, 5)
    assert all(a.notified_at is None for a in await alerts(db, p.id))


async def test_batches_of_fifty(db, runtime, make_product):
    p = await make_product(stock=0)
    for n in range(60):
        await service.request_alert(db, p.id, f"c{n:02}@example.com")
    await set_stock(db, p.id, 55)
    await deliver(db, runtime, p.id, 55)
    told = [a.email for a in await alerts(db, p.id) if a.notified_at]
    assert len(told) == 55 and told[-1] == "c54@example.com"


async def test_restock_through_inventory_emits_and_worker_notifies(db, runtime, make_product):
    p = await make_product(stock=0)
    await service.request_alert(db, p.id, "first@example.com")
    await service.request_alert(db, p.id, "second@example.com")
    await inventory_service.adjust(db, p.id, 1, reason="delivery", kind=MovementKind.RESTOCK)
    event = await db.scalar(
        select(OutboxEvent)
        .where(OutboxEvent.event_type == events.RESTOCKED)
        .order_by(OutboxEvent.id.desc())
    )
    assert event is not None and event.payload["product_id"] == p.id
    await db.commit()  # the worker reads committed rows (a savepoint in the test transaction)
    await process_batch(runtime)
    told = [a.email for a in await alerts(db, p.id) if a.notified_at]
    assert told == ["first@example.com"]


async def test_sweep_catches_a_missed_event(db, runtime, make_product):
    p = await make_product(stock=0)
    await service.request_alert(db, p.id, "ada@example.com")
    await set_stock(db, p.id, 2)  # stock came back but no event was delivered
    await events.sweep(JobContext(runtime=runtime, db=db, slot=utcnow()))
    assert [a.notified_at is not None for a in await alerts(db, p.id)] == [True]


async def test_people_told_long_ago_do_not_block_a_new_restock(db, runtime, make_product):
    p = await make_product(stock=0)
    await service.request_alert(db, p.id, "old@example.com")
    await service.request_alert(db, p.id, "new@example.com")
    await set_stock(db, p.id, 1)
    await deliver(db, runtime, p.id, 1)
    old = (await alerts(db, p.id))[0]
    old.notified_at = utcnow() - timedelta(days=3)
    await db.flush()
    await deliver(db, runtime, p.id, 1)
    assert all(a.notified_at for a in await alerts(db, p.id))


async def test_notify_me_form_and_product_page_context(
    client, db, runtime, make_user, make_product
):
    await make_user("clara@example.com")
    p = await make_product(stock=0, max_per_customer=2)
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, f"{ROOT}/account/overview")
    r = await client.post(
        f"{ROOT}/waitlist/{p.id}",
        data={
            "csrf_token": token,
            "email": "clara@example.com",
            "next": f"{ROOT}/essences/{p.slug}",
        },
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"{ROOT}/essences/{p.slug}")
    [alert] = await alerts(db, p.id)
    assert alert.user_id is not None
    again = await client.post(
        f"{ROOT}/waitlist/{p.id}", data={"csrf_token": token, "email": "clara@example.com"}
    )
    assert again.status_code == 303 and len(await alerts(db, p.id)) == 1
    assert (
        await client.post(f"{ROOT}/waitlist/{p.id}", data={"email": "x@example.com"})
    ).status_code == 403
    page = await client.get(f"{ROOT}/essences/{p.slug}")
    if (
        page.status_code == 200 and "notify-me" in page.text
    ):  # the product page includes the partial
        assert "You are on the waiting list" in page.text
        assert "at most 2 per collector" in page.text


async def test_notify_form_partial_renders(runtime, make_product, db):
    p = await make_product(stock=0, max_per_customer=3)
    template = runtime.templates.get_template("waitlist/_notify_form.html")

    class Req:
        class url:
            path = f"{ROOT}/essences/{p.slug}"

    html = template.render(
        product=p,
        waitlist_open=True,
        waitlist_email="ada@example.com",
        waitlist_waiting=False,
        max_per_customer=3,
        csrf_token="t",
        request=Req,
    )
    assert 'value="ada@example.com"' in html and "at most 3 per collector" in html
    assert f'action="{ROOT}/waitlist/{p.id}"' in html

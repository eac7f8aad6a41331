"""Admin order pages: permissions, filters, valid-next-state buttons, ship, refund, cancel,
notes, each change audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mercato.kit.time import utcnow
from mercato.models import AuditEntry
from mercato.models.orders import Order, OrderEvent
from tests.helpers import csrf_in
from tests.orders.conftest import BASE, sign_in_as
from tests.orders.support import make_order, make_product, stock
from tests.orders.test_lifecycle import _pay

ADMIN = f"{BASE}/admin/orders"


async def _reload(db, order: Order) -> Order:
    return await db.scalar(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
    )


async def test_customers_cannot_reach_admin_orders(client, db, runtime, alice):
    order, _ = await make_order(db, runtime, user=alice)
    await sign_in_as(client, db, alice)
    assert (await client.get(ADMIN)).status_code == 403
    assert (await client.get(f"{ADMIN}/{order.number}")).status_code == 403


async def test_list_filters_by_status_date_and_search(client, db, runtime, staff):
    await sign_in_as(client, db, staff)
    old, _ = await make_order(
        db, runtime, email="old@example.test", now=utcnow() - timedelta(days=40)
    )
    new, _ = await make_order(db, runtime, email="findme@example.test")
    await _pay(db, runtime, new)
    page = await client.get(ADMIN)
    assert old.number in page.text and new.number in page.text
    by_status = await client.get(ADMIN, params={"status": "confirmed"})
    assert new.number in by_status.text and old.number not in by_status.text
    recent = await client.get(
        ADMIN, params={"from": (utcnow() - timedelta(days=2)).date().isoformat()}
    )
    assert new.number in recent.text and old.number not in recent.text
    found = await client.get(ADMIN, params={"q": "FINDME"})
    assert new.number in found.text and old.number not in found.text
    assert (
        await client.get(ADMIN, params={"from": "not-a-date", "status": "zzz"})
    ).status_code == 200


async def test_staff_ships_with_tracking_then_delivers(client, db, runtime, staff):
    await sign_in_as(client, db, staff)
    order, _ = await make_order(db, runtime)
    order = await _pay(db, runtime, order)
    page = await client.get(f"{ADMIN}/{order.number}")
    # Only the valid next steps are offered
    assert 'value="processing"' in page.text and 'value="shipped"' not in page.text
    token = csrf_in(page.text)
    skip = await client.post(
        f"{ADMIN}/{order.number}/status", data={"csrf_token": token, "status": "delivered"}
    )
    assert skip.status_code == 422
    ok = await client.post(
        f"{ADMIN}/{order.number}/status", data={"csrf_token": token, "status": "processing"}
    )
    assert ok.status_code == 303
    bad = await client.post(
        f"{ADMIN}/{order.number}/status",
        data={"csrf_token": token, "status": "shipped", "tracking_url": "ftp://x"},
    )
    assert bad.status_code == 422 and "https://" in bad.text
    await client.post(
        f"{ADMIN}/{order.number}/status",
        data={
            "csrf_token": token,
            "status": "shipped",
            "tracking_number": "LP42",
            "tracking_url": "https://track.example/LP42",
        },
    )
    order = await _reload(db, order)
    assert (order.status, order.tracking_number) == ("shipped", "LP42")
    actions = list(
        await db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "order", AuditEntry.entity_id == order.number
            )
        )
    )
    assert sorted(actions) == ["order.processing", "order.shipped"]


async def test_refund_form_partial_with_bounds_and_restock(client, db, runtime, staff):
    await sign_in_as(client, db, staff)
    product = await make_product(db, stock=5, price=4200)
    order, _ = await make_order(db, runtime, items=[(product, 2)], shipping=1500)  # total 99.00
    order = await _pay(db, runtime, order)
    token = csrf_in((await client.get(f"{ADMIN}/{order.number}")).text)
    url = f"{ADMIN}/{order.number}/refund"
    too_much = await client.post(url, data={"csrf_token": token, "amount": "99.01", "reason": "x"})
    assert too_much.status_code == 422
    decimals = await client.post(url, data={"csrf_token": token, "amount": "1.005", "reason": "x"})
    assert decimals.status_code == 422
    no_reason = await client.post(url, data={"csrf_token": token, "amount": "10"})
    assert no_reason.status_code == 422
    assert (await _reload(db, order)).refunded_total == 0
    ok = await client.post(
        url, data={"csrf_token": token, "amount": "10.50", "reason": "Late delivery"}
    )
    assert ok.status_code == 303
    order = await _reload(db, order)
    assert (order.refunded_total, order.payment_status, order.status) == (
        1050,
        "partially_refunded",
        "confirmed",
    )
    rest = await client.post(
        url,
        data={"csrf_token": token, "amount": "88.50", "reason": "Changed mind", "restock": "on"},
    )
    assert rest.status_code == 303
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("cancelled", "refunded")
    assert await stock(db, product) == (5, 0)


async def test_cancel_and_internal_note(client, db, runtime, staff, alice):
    await sign_in_as(client, db, staff)
    product = await make_product(db, stock=3)
    order, _ = await make_order(db, runtime, user=alice, items=[(product, 2)])
    token = csrf_in((await client.get(f"{ADMIN}/{order.number}")).text)
    note = await client.post(
        f"{ADMIN}/{order.number}/notes", data={"csrf_token": token, "note": "Called the customer"}
    )
    assert note.status_code == 303
    missing = await client.post(f"{ADMIN}/{order.number}/cancel", data={"csrf_token": token})
    assert missing.status_code == 422
    cancel = await client.post(
        f"{ADMIN}/{order.number}/cancel", data={"csrf_token": token, "reason": "Duplicate order"}
    )
    assert cancel.status_code == 303
    assert (await _reload(db, order)).status == "cancelled"
    assert await stock(db, product) == (3, 0)
    # The note is internal: the customer's page does not show it
    client.cookies.clear()
    await sign_in_as(client, db, alice)
    page = await client.get(f"{BASE}/orders/{order.number}")
    assert "Called the customer" not in page.text and "Duplicate order" in page.text
    [event] = await db.scalars(
        select(OrderEvent).where(OrderEvent.kind == "note", OrderEvent.order_id == order.id)
    )
    assert event.is_internal


async def test_admin_without_csrf_is_refused(client, db, runtime, staff):
    await sign_in_as(client, db, staff)
    order, _ = await make_order(db, runtime)
    response = await client.post(f"{ADMIN}/{order.number}/cancel", data={"reason": "x"})
    assert response.status_code == 403
    assert (await _reload(db, order)).status == "pending"

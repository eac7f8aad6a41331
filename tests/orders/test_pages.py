"""Customer order pages and API: the owner or the guest key sees an order; anybody else
gets a 404 (pages, invoice, status and API alike); query counts stay bounded."""

from __future__ import annotations

from sqlalchemy import event, select

from mercato.models.orders import Order
from mercato.payments.providers import sandbox
from mercato.platform import worker
from tests.helpers import csrf_in
from tests.orders.conftest import BASE, bearer, sign_in_as
from tests.orders.support import make_order, make_product, stock
from tests.orders.test_lifecycle import _pay


async def _reload(db, order: Order) -> Order:
    return await db.scalar(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
    )


async def test_owner_sees_the_order_and_another_customer_gets_404(client, db, runtime, alice, bob):
    # Given Alice's paid order
    order, _ = await make_order(db, runtime, user=alice, gift_message="Pour maman, avec amour")
    await _pay(db, runtime, order)
    # When Alice opens it, its invoice and its status
    await sign_in_as(client, db, alice)
    page = await client.get(f"{BASE}/orders/{order.number}")
    assert page.status_code == 200
    assert "Pour maman, avec amour" in page.text and order.number in page.text
    pdf = await client.get(f"{BASE}/orders/{order.number}/invoice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (await client.get(f"{BASE}/account/orders")).text.count(order.number) >= 1
    # Then Bob, signed in, gets 404 for every one of them
    client.cookies.clear()
    await sign_in_as(client, db, bob)
    for suffix in ("", "/invoice.pdf", "/status.json"):
        assert (await client.get(f"{BASE}/orders/{order.number}{suffix}")).status_code == 404
    assert order.number not in (await client.get(f"{BASE}/account/orders")).text
    # And Bob cannot cancel it either
    token = csrf_in((await client.get(f"{BASE}/account/orders")).text)
    cancel = await client.post(f"{BASE}/orders/{order.number}/cancel", data={"csrf_token": token})
    assert cancel.status_code == 404


async def test_api_shows_only_your_orders(client, db, runtime, alice, bob):
    order, key = await make_order(db, runtime, user=alice)
    alice_auth = await bearer(db, runtime, alice)
    bob_auth = await bearer(db, runtime, bob)
    api = f"{BASE}/api/v1/orders"
    mine = await client.get(api, headers=alice_auth)
    assert [o["number"] for o in mine.json()["items"]] == [order.number]
    assert (await client.get(f"{api}/{order.number}", headers=alice_auth)).status_code == 200
    # Bob: not in his list, 404 by number, 404 on cancel, even with Alice's order's key
    assert (await client.get(api, headers=bob_auth)).json()["items"] == []
    assert (await client.get(f"{api}/{order.number}", headers=bob_auth)).status_code == 404
    cancel = await client.post(f"{api}/{order.number}/cancel", headers=bob_auth)
    assert cancel.status_code == 404
    assert (await _reload(db, order)).status == "pending"
    # Anonymous listing needs a sign-in
    assert (await client.get(api)).status_code == 403


async def test_guest_reaches_the_order_with_its_key_only(client, db, runtime):
    product = await make_product(db, stock=3)
    order, key = await make_order(db, runtime, items=[(product, 1)])
    url = f"{BASE}/orders/{order.number}"
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, params={"key": "x" * 40})).status_code == 404
    assert (await client.get(url, params={"key": key})).status_code == 200
    api = f"{BASE}/api/v1/orders/{order.number}"
    assert (await client.get(api, headers={"X-Order-Key": "wrong"})).status_code == 404
    body = (await client.get(api, headers={"X-Order-Key": key})).json()
    assert (body["status"], body["lines"][0]["quantity"]) == ("pending", 1)
    # The guest cancels through the API with the key: stock comes back
    cancelled = await client.post(f"{api}/cancel", headers={"X-Order-Key": key})
    assert cancelled.json()["status"] == "cancelled"
    assert await stock(db, product) == (3, 0)


async def test_sandbox_journey_through_the_pages_and_the_worker(client, db, runtime):
    # Given a guest's pending order
    order, key = await make_order(db, runtime)
    url = f"{BASE}/orders/{order.number}?key={key}"
    page = await client.get(url)
    assert "Pay" in page.text
    # When the guest presses "pay now"
    go = await client.post(
        f"{BASE}/orders/{order.number}/pay",
        data={"csrf_token": csrf_in(page.text), "key": key, "provider": "sandbox"},
    )
    assert go.status_code == 303
    pay_url = go.headers["location"].removeprefix("http://testserver")
    card_page = await client.get(pay_url)
    assert card_page.status_code == 200 and "4242 4242 4242 4242" in card_page.text
    # A wrong card number is explained in the form
    form = {"csrf_token": csrf_in(card_page.text), "expiry": "12/34", "cvc": "123"}
    hidden = dict(
        (name, value)
        for name, value in __import__("re").findall(
            r'name="(return|cancel|sig)" value="([^"]*)"', card_page.text
        )
    )
    form.update({k: v.replace("&amp;", "&") for k, v in hidden.items()})
    wrong = await client.post(pay_url.split("?")[0], data={**form, "card_number": "1234"})
    assert wrong.status_code == 422 and "test card" in wrong.text
    # And with the success card, the shopper is sent back to a "waiting" order page
    done = await client.post(
        pay_url.split("?")[0], data={**form, "card_number": sandbox.CARD_SUCCEEDS}
    )
    assert done.status_code == 303
    back = done.headers["location"]
    assert back.startswith(f"http://testserver{BASE}/orders/{order.number}?key={key}")
    waiting = await client.get(back.removeprefix("http://testserver"))
    assert "waiting for the payment confirmation" in waiting.text
    assert (await _reload(db, order)).payment_status == "unpaid"  # the browser proves nothing
    # When the worker delivers the signed event
    await worker.process_batch(runtime)
    # Then the order is paid
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    status = await client.get(f"{BASE}/orders/{order.number}/status.json", params={"key": key})
    assert status.json()["paid"] is True


async def test_declined_then_delayed_card(client, db, runtime):
    from mercato.payments import service as payments_service

    order, key = await make_order(db, runtime)
    url = await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url="/atelier-arome/",
        cancel_url="/atelier-arome/",
    )
    reference = url.split("/sandbox/")[1].split("?")[0]
    assert (
        await payments_service.sandbox_submit(db, runtime, reference, sandbox.CARD_DECLINED)
        == "declined"
    )
    await worker.process_batch(runtime)
    order = await _reload(db, order)
    assert (order.status, order.payment_status) == ("pending", "failed")
    # The shopper retries with the delayed card: processing first, paid once the bank answers
    url = await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url="/atelier-arome/",
        cancel_url="/atelier-arome/",
    )
    reference = url.split("/sandbox/")[1].split("?")[0]
    await payments_service.sandbox_submit(db, runtime, reference, "4000 0000 0000 3220")
    await worker.process_batch(runtime)
    assert (await _reload(db, order)).payment_status == "failed"  # not yet
    from sqlalchemy import update

    from mercato.kit.time import utcnow
    from mercato.models import OutboxEvent

    await db.execute(
        update(OutboxEvent).where(OutboxEvent.status == "pending").values(next_attempt_at=utcnow())
    )
    await worker.process_batch(runtime)
    assert (await _reload(db, order)).payment_status == "paid"


async def _statements(client, runtime, url: str) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = await client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen)


async def test_detail_and_history_query_counts_do_not_grow(client, db, runtime, alice):
    await sign_in_as(client, db, alice)
    small, _ = await make_order(db, runtime, user=alice, items=[(await make_product(db), 1)])
    big_items = [(await make_product(db), 1) for _ in range(8)]
    big, _ = await make_order(db, runtime, user=alice, items=big_items)
    await client.get(f"{BASE}/account/orders")  # warm up
    one = await _statements(client, runtime, f"{BASE}/orders/{small.number}")
    eight = await _statements(client, runtime, f"{BASE}/orders/{big.number}")
    assert one == eight <= 20  # includes the other modules' page dependencies
    few = await _statements(client, runtime, f"{BASE}/account/orders")
    for _ in range(9):
        await make_order(db, runtime, user=alice)
    many = await _statements(client, runtime, f"{BASE}/account/orders")
    assert few == many <= 20


async def test_status_long_poll_answers_when_the_payment_is_confirmed(
    client, db, runtime, monkeypatch
):
    import asyncio

    from mercato.orders import repository

    # Given a guest's order awaiting payment, and a return page asking to wait for a change
    order, key = await make_order(db, runtime)
    real, asked = repository.payment_state, asyncio.Event()

    async def payment_state(session, order_id):
        asked.set()  # the request is now waiting and reading the order again
        return await real(session, order_id)

    monkeypatch.setattr(repository, "payment_state", payment_state)
    poll = asyncio.create_task(
        client.get(f"{BASE}/orders/{order.number}/status.json", params={"key": key, "wait": 10})
    )
    await asyncio.wait_for(asked.wait(), 10)
    # When the provider's signed event marks it paid meanwhile
    await _pay(db, runtime, order)
    # Then the waiting request answers with the paid state (not the state it started with)
    answer = await asyncio.wait_for(poll, 15)
    assert answer.status_code == 200
    assert answer.json()["paid"] is True
    assert answer.headers["cache-control"] == "no-store"


async def test_status_without_wait_answers_at_once_and_wait_is_bounded(client, db, runtime):
    order, key = await make_order(db, runtime)
    url = f"{BASE}/orders/{order.number}/status.json"
    assert (await client.get(url, params={"key": key})).json()["paid"] is False
    assert (await client.get(url, params={"key": key, "wait": 3600})).status_code == 422

"""Realtime through the outbox: a placed order reaches the admin dashboard's socket (staff
role channel) and its customer's socket as ``order:created``, with ``inventory:updated``
for staff; a status change reaches them as ``order:updated``; another customer hears
nothing, and a customer's socket never joins a role channel."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from mercato.identity.sessions import SESSION_COOKIE, start_session
from mercato.models.identity import Role, User, UserRole
from mercato.notifications import ws
from mercato.platform.outbox import emit
from mercato.platform.worker import process_batch
from tests.cart.support import make_product
from tests.notifications.conftest import AsgiWebSocket
from tests.orders.support import make_order

SLUG = "audio-tai-loc"
HEADERS = {"host": "testserver", "origin": "http://testserver"}


async def _user(adb, email: str, role: str | None = None) -> User:
    user = User(email=email, name=email.split("@")[0].title())
    adb.add(user)
    await adb.flush()
    if role:
        found = await adb.scalar(select(Role).where(Role.name == role))
        if found is None:
            found = Role(name=role, permissions=["*"], is_staff=role != "customer")
            adb.add(found)
            await adb.flush()
        adb.add(UserRole(user_id=user.id, role_id=found.id))
        await adb.flush()
    return user


async def _socket(app, adb, user: User) -> AsgiWebSocket:
    token = await start_session(adb, user, days=1)
    conn = AsgiWebSocket(app, f"/{SLUG}/ws", {**HEADERS, "cookie": f"{SESSION_COOKIE}={token}"})
    await conn.connect()
    return conn


async def test_order_events_reach_staff_and_the_customer_only(app, adb, audio):
    admin = await _user(adb, "quanly@audio.test", "admin")
    mai = await _user(adb, "mai@audio.test", "customer")
    other = await _user(adb, "khac@audio.test", "customer")
    assert await ws.staff_roles(audio, admin.id) == ["admin"]
    assert await ws.staff_roles(audio, mai.id) == []
    dashboard = await _socket(app, adb, admin)
    mine = await _socket(app, adb, mai)
    theirs = await _socket(app, adb, other)
    try:
        # When Mai's order is placed (its outbox event delivered by the worker)
        product = await make_product(adb, price=2_990_000, stock=7)
        order, _ = await make_order(adb, audio, user=mai, items=[(product, 2)], currency="VND")
        await emit(adb, "order.placed", {"order_id": order.id})
        await process_batch(audio)
        # Then the dashboard hears order:created and the stock left; Mai hears her order
        heard = [await dashboard.receive_json() for _ in range(3)]
        # (the first is the new product's opening stock, announced by inventory.restocked)
        assert [m["type"] for m in heard] == [
            "inventory:updated",
            "order:created",
            "inventory:updated",
        ]
        created = heard[1]
        assert created["number"] == order.number and created["total_formatted"].endswith("₫")
        assert heard[2] == {
            "type": "inventory:updated",
            "product_id": product.id,
            "sku": product.sku,
            "available": 5,
        }
        assert (await mine.receive_json())["number"] == order.number
        # When the order ships
        order.status = "shipped"
        await emit(adb, "order.shipped", {"order_id": order.id, "number": order.number})
        await process_batch(audio)
        updated = await mine.receive_json()
        assert (updated["type"], updated["status"]) == ("order:updated", "shipped")
        assert (await dashboard.receive_json())["type"] == "order:updated"
        # Another customer heard nothing at all
        with pytest.raises((asyncio.TimeoutError, TimeoutError)):
            await theirs.receive_json(timeout=0.5)
    finally:
        for conn in (dashboard, mine, theirs):
            await conn.close()


async def test_live_panel_and_order_page_scripts_are_served(client):
    js = await client.get(f"/{SLUG}/audio-assets/live-orders.js")
    assert js.status_code == 200 and "mercato:live" in js.text
    assert (await client.get(f"/{SLUG}/audio-assets/other.js")).status_code == 404
    order_js = await client.get(f"/{SLUG}/orders-assets/order-live.js")
    assert order_js.status_code == 200 and "order:updated" in order_js.text

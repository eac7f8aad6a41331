"""The same paid event delivered twice at the same moment, on separate connections and
transactions (SQLite file and PostgreSQL): the order is paid once, the stock sold once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from mercato.db import Database
from mercato.models.inventory import StockMovement
from mercato.models.orders import Order, OrderEvent
from mercato.payments import service as payments_service
from mercato.platform.migrate import upgrade
from tests.conftest import PG_URL
from tests.inventory.test_concurrency import _pg_admin
from tests.orders.support import make_order, make_product
from tests.payments.support import (
    STRIPE_WEBHOOK_SECRET,
    stripe_attempt,
    stripe_event,
    stripe_signature,
    with_stripe,
)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request, tmp_path) -> AsyncIterator[Database]:
    name = ""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'pay.db'}"
    else:
        if not PG_URL:
            pytest.skip("set MERCATO_TEST_DATABASE_URL to run on PostgreSQL")
        name = f"{make_url(PG_URL).database}_webhook_race"
        await _pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _pg_admin(PG_URL, f'CREATE DATABASE "{name}"')
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        yield db
    finally:
        await db.dispose()
        if name:
            await _pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _deliver(database: Database, runtime, body: bytes) -> str:
    headers = {"stripe-signature": stripe_signature(body, STRIPE_WEBHOOK_SECRET)}
    async with database.transaction(write=True) as session:
        return await payments_service.handle_webhook(session, runtime, "stripe", body, headers)


async def test_two_simultaneous_deliveries_pay_once(database, runtime, monkeypatch):
    with_stripe(runtime, monkeypatch)
    async with database.transaction() as session:
        product = await make_product(session, stock=4)
        order, _ = await make_order(session, runtime, items=[(product, 2)])
        attempt = await stripe_attempt(session, order)
        body = stripe_event("checkout.session.completed", attempt.reference, order)
        order_id, number = order.id, order.number
    outcomes = await asyncio.gather(
        *[_deliver(database, runtime, body) for _ in range(3)], return_exceptions=True
    )
    # Each delivery is answered: one pays, the others find the event already stored
    assert sorted(outcomes) == ["duplicate", "duplicate", "paid"]
    async with database.transaction() as session:
        order = await session.get(Order, order_id)
        assert (order.status, order.payment_status) == ("confirmed", "paid")
        sales = await session.scalar(
            select(func.count())
            .select_from(StockMovement)
            .where(StockMovement.reference == number, StockMovement.kind == "sale")
        )
        paid = await session.scalar(
            select(func.count())
            .select_from(OrderEvent)
            .where(OrderEvent.order_id == order_id, OrderEvent.to_status == "confirmed")
        )
        assert (sales, paid) == (1, 1)

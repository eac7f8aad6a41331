"""Under real concurrency (separate connections and transactions, SQLite file and, when
MERCATO_TEST_DATABASE_URL is set, PostgreSQL): a delivery is never booked twice, and two
deliveries of one order.paid event write one set of profit rows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from mercato.db import Database
from mercato.inventory import service as inventory_service
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import Inventory, Product, User
from mercato.models.orders import Order, OrderLine
from mercato.models.profit import ProfitEntry
from mercato.platform.migrate import upgrade
from mercato.procurement import service
from mercato.profit import service as profit_service
from tests.conftest import PG_URL, _pg_admin

WHERE = dict(currency="BDT", timezone="Asia/Dhaka")


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request, tmp_path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url, name = f"sqlite+aiosqlite:///{tmp_path / 'po.db'}", ""
    else:
        if not PG_URL:
            pytest.skip("set MERCATO_TEST_DATABASE_URL to run on PostgreSQL")
        name = f"{make_url(PG_URL).database}_procurement_race"
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


async def test_six_clerks_book_one_delivery_of_a_hundred(database):
    # Given a sent purchase order of 100 units
    async with database.transaction() as session:
        product = Product(
            name="Jute sack", slug="race-jute", sku="RACE-1", price=100, cost_price=50
        )
        session.add(product)
        await session.flush()
        await inventory_service.create_inventory(session, product.id, quantity=15)
        po = await service.create_purchase_order(
            session, supplier="Mills", lines=[service.LineIn(product.id, 100)], **WHERE
        )
        await service.send(session, po.number)
        (line,) = await service.po_lines(session, po)
        number, line_id, product_id = po.number, line.id, product.id

    async def book() -> str:
        try:
            async with database.transaction(write=True) as session:
                await service.receive(session, number, {line_id: 30})
        except (ValidationFailed, Conflict):
            return "refused"
        return "booked"

    # When six clerks book 30 units each at the same moment
    outcomes = await asyncio.gather(*(book() for _ in range(6)))
    # Then three bookings fit and the rest are refused; stock rose by exactly 90
    assert outcomes.count("booked") == 3
    async with database.transaction(write=False) as session:
        assert (await session.get(Inventory, product_id)).quantity == 105
        (line,) = await service.po_lines(session, await service.get_po(session, number))
        assert line.quantity_received == 90
        assert (await service.get_po(session, number)).status == "partially_received"


async def test_two_deliveries_of_one_payment_event_write_once(database):
    async with database.transaction() as session:
        user = User(email="race@example.test", name="Race", password_hash="x")
        product = Product(
            name="Rice", slug="race-rice", sku="RACE-2", price=13_500, cost_price=8_000
        )
        session.add_all([user, product])
        await session.flush()
        order = Order(
            number="RACE-0001",
            user_id=user.id,
            email=user.email,
            currency="BDT",
            store_currency="BDT",
            subtotal=1_350_000,
            total=1_350_000,
            status="confirmed",
            payment_status="paid",
            paid_at=utcnow(),
        )
        session.add(order)
        await session.flush()
        session.add(
            OrderLine(
                order_id=order.id,
                product_id=product.id,
                sku="RACE-2",
                name="Rice",
                quantity=100,
                unit_price=13_500,
                line_total=1_350_000,
            )
        )
        order_id = order.id

    async def deliver() -> str:
        try:
            async with database.transaction(write=True) as session:
                found = await session.get(Order, order_id)
                await profit_service.record_sale(session, found, store_currency="BDT")
        except IntegrityError:
            return "lost the race"  # the worker retries it; the retry finds the rows
        return "written"

    outcomes = await asyncio.gather(deliver(), deliver())
    assert "written" in outcomes
    assert await deliver() == "written"  # a retry is harmless
    async with database.transaction(write=False) as session:
        count = await session.scalar(
            select(func.count()).select_from(ProfitEntry).where(ProfitEntry.order_id == order_id)
        )
        assert count == 1

"""No oversell under real concurrency (DESIGN.md §4): separate connections, separate
transactions, on a migrated SQLite file and, when MERCATO_TEST_DATABASE_URL is set, on a
PostgreSQL database of its own (the rolled-back test transaction cannot be shared)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from mercato.db import Database
from mercato.inventory import repository as inventory_repo
from mercato.inventory import service as inventory_service
from mercato.inventory.service import OutOfStock
from mercato.models.inventory import StockMovement, StockReservation
from mercato.platform.migrate import upgrade
from tests.conftest import PG_URL, _pg_admin
from tests.inventory.support import make_product

TTL = timedelta(minutes=15)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request, tmp_path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'stock.db'}"
        name = ""
    else:
        if not PG_URL:
            pytest.skip("set MERCATO_TEST_DATABASE_URL to run on PostgreSQL")
        name = f"{make_url(PG_URL).database}_inventory_race"
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


async def _attempt(database: Database, items: list[tuple[int, int]], reference: str) -> str:
    try:
        async with database.transaction(write=True) as session:
            await inventory_service.reserve(session, items, reference=reference, ttl=TTL)
    except OutOfStock:
        return "out of stock"
    return "reserved"


async def test_twenty_shoppers_for_the_last_five_units(database):
    # Given the last 5 units of an essence
    async with database.transaction() as session:
        product_id = (await make_product(session, stock=5)).id
    # When 20 shoppers each reserve 1 at the same moment, each in its own transaction
    outcomes = await asyncio.gather(
        *(_attempt(database, [(product_id, 1)], f"cart-{i}") for i in range(20))
    )
    # Then exactly 5 succeed and 15 are told it is out of stock
    assert outcomes.count("reserved") == 5
    assert outcomes.count("out of stock") == 15
    # And the stock never went negative: all 5 reserved, 5 holds, 5 reserve movements
    async with database.transaction(write=False) as session:
        inventory = await inventory_repo.get_inventory(session, product_id)
        assert (inventory.quantity, inventory.reserved, inventory.available) == (5, 5, 0)
        holds = await session.scalar(
            select(func.count()).where(StockReservation.product_id == product_id)
        )
        reserves = await session.scalar(
            select(func.count()).where(
                StockMovement.product_id == product_id, StockMovement.kind == "reserve"
            )
        )
        assert (holds, reserves) == (5, 5)


async def test_multi_line_orders_in_opposite_orders_do_not_deadlock(database):
    # Given 5 units each of two essences
    async with database.transaction() as session:
        a = (await make_product(session, stock=5)).id
        b = (await make_product(session, stock=5)).id
    # When 12 orders want one of each, half listing them in the opposite order
    orders = [[(a, 1), (b, 1)] if i % 2 else [(b, 1), (a, 1)] for i in range(12)]
    outcomes = await asyncio.wait_for(
        asyncio.gather(*(_attempt(database, items, f"o-{i}") for i, items in enumerate(orders))),
        timeout=60,
    )
    # Then 5 orders get both units, the others nothing (no deadlock, no half order)
    assert outcomes.count("reserved") == 5
    assert outcomes.count("out of stock") == 7
    async with database.transaction(write=False) as session:
        for product_id in (a, b):
            inventory = await inventory_repo.get_inventory(session, product_id)
            assert (inventory.quantity, inventory.reserved) == (5, 5)


async def test_concurrent_releases_give_the_units_back_once(database):
    # Given an order holding 3 units
    async with database.transaction() as session:
        product_id = (await make_product(session, stock=3)).id
        await inventory_service.reserve(session, [(product_id, 3)], reference="ORD-7", ttl=TTL)

    async def release() -> int:
        async with database.transaction(write=True) as session:
            return await inventory_service.release(session, "ORD-7")

    # When five processes release it at once (cancel, expiry job, retries)
    released = await asyncio.gather(*(release() for _ in range(5)))
    # Then exactly one released it and the counters are whole
    assert sorted(released) == [0, 0, 0, 0, 1]
    async with database.transaction(write=False) as session:
        inventory = await inventory_repo.get_inventory(session, product_id)
        assert (inventory.quantity, inventory.reserved) == (3, 0)

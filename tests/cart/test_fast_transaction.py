"""The cart's Core path on a real pooled database (SQLite file, PostgreSQL). Its statements
run on the driver's connection itself (mercato.cart.fast): inside the request's transaction
when one is open, so a rollback still undoes them; on PostgreSQL with none open, each write
is one statement that is its own transaction (docs/decisions.md)."""

from __future__ import annotations

from sqlalchemy import text

from mercato.cart import fast
from mercato.cart import service as cart_service
from tests.cart.support import make_product
from tests.inventory.test_concurrency import database  # noqa: F401 - the fixture


async def _guest_cart(store_db):
    async with store_db.transaction(write=True) as session:
        product = await make_product(session, stock=10)
        cart, token = await cart_service.open_cart(session)
    return product.id, cart.id, fast.Owner(user_id=None, token=token)


async def _quantities(store_db, cart_id: int) -> list[int]:
    async with store_db.transaction(write=False) as session:
        return [line.quantity for line in await fast.lines(session, cart_id)]


async def test_in_an_open_transaction_a_rolled_back_add_leaves_nothing(database):  # noqa: F811
    product, cart, owner = await _guest_cart(database)
    session = database.session(write=True)
    try:
        await session.execute(text("SELECT 1"))  # the request read through SQLAlchemy first
        assert (await fast.add_item(session, owner, product, 2, limit=99)).cart == cart
        assert [line.quantity for line in await fast.lines(session, cart)] == [2]
    finally:
        await session.rollback()
        await session.close()
    assert await _quantities(database, cart) == []


async def test_a_first_add_is_kept_on_postgresql_and_rolled_back_on_sqlite(database):  # noqa: F811
    product, cart, owner = await _guest_cart(database)
    session = database.session(write=True)
    try:
        assert (await fast.add_item(session, owner, product, 2, limit=99)).cart == cart
    finally:
        await session.rollback()
        await session.close()
    # SQLite: the request's transaction (the API commits it before its answer, commit_writes).
    # PostgreSQL: the touch and the upsert were one statement, committed by itself.
    assert await _quantities(database, cart) == ([] if database.sqlite else [2])


async def test_committed_adds_and_removes_are_kept(database):  # noqa: F811
    product, cart, owner = await _guest_cart(database)
    async with database.transaction(write=True) as session:
        await fast.add_item(session, owner, product, 3, limit=99)
    assert await _quantities(database, cart) == [3]
    async with database.transaction(write=True) as session:
        assert await fast.remove_item(session, owner, cart, product)
        assert not await fast.remove_item(session, owner, cart, product)
    assert await _quantities(database, cart) == []

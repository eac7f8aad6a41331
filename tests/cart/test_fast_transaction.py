"""The cart's Core path writes inside the request's transaction, on a real pooled database
(SQLite file, PostgreSQL): its statements run on the driver's connection itself
(mercato.cart.fast), and a rollback of the unit of work must still undo them."""

from __future__ import annotations

from mercato.cart import fast
from mercato.cart import service as cart_service
from tests.cart.support import make_product
from tests.inventory.test_concurrency import database  # noqa: F401 - the fixture


async def test_a_rolled_back_add_leaves_nothing_and_a_committed_one_stays(database):  # noqa: F811
    async with database.transaction(write=True) as session:
        product = await make_product(session, stock=10)
        cart, token = await cart_service.open_cart(session)
    owner = fast.Owner(user_id=None, token=token)

    # A request that added, read its line back, then failed: its unit of work rolls back.
    session = database.session(write=True)
    try:
        assert await fast.add_item(session, owner, product.id, 2, limit=99) == cart.id
        assert [line.quantity for line in await fast.lines(session, cart.id)] == [2]
    finally:
        await session.rollback()
        await session.close()
    async with database.transaction(write=False) as session:
        assert await fast.lines(session, cart.id) == []

    # One that succeeded: committed by its unit of work, through SQLAlchemy's connection.
    async with database.transaction(write=True) as session:
        await fast.add_item(session, owner, product.id, 3, limit=99)
    async with database.transaction(write=False) as session:
        assert [line.quantity for line in await fast.lines(session, cart.id)] == [3]

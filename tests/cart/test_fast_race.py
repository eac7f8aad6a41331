"""Adds through the cart API's Core path racing quantity changes through the ORM path, on
the same cart, each in its own transaction and connection (SQLite file and PostgreSQL): all
succeed. The two paths must lock the cart row and its line in the same order; in opposite
orders PostgreSQL found a deadlock under load and one request answered 500."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from mercato.cart import fast
from mercato.cart import service as cart_service
from mercato.models.commerce import CartItem
from tests.cart.support import make_product
from tests.inventory.test_concurrency import database  # noqa: F401 - the fixture

RACERS = 24


async def test_adds_and_quantity_changes_of_one_cart_all_succeed(database, runtime):  # noqa: F811
    # Given a guest cart holding one unit of a well-stocked essence
    async with database.transaction(write=True) as session:
        product = await make_product(session, stock=10_000)
        product_id = product.id
        cart, token = await cart_service.open_cart(session)
        session.add(CartItem(cart_id=cart.id, product_id=product_id, quantity=1))
    owner = fast.Owner(user_id=None, token=token)

    async def add() -> str:
        async with database.transaction(write=True) as session:
            await fast.add_item(session, owner, product_id, 1, limit=99)
        return "added"

    async def set_one() -> str:
        async with database.transaction(write=True) as session:
            found = await cart_service.find_cart(session, token=token)
            await cart_service.set_quantity(session, found, product_id, 1, runtime=runtime)
        return "set"

    # When adds and "set to one" requests hit the cart at the same moment, three times over
    for _ in range(3):
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(add() if i % 2 else set_one() for i in range(RACERS))), timeout=60
        )
        # Then every one of them went through (none died on a deadlock)
        assert outcomes.count("added") == RACERS // 2
        assert outcomes.count("set") == RACERS // 2
    async with database.transaction(write=False) as session:
        quantity = await session.scalar(
            select(CartItem.quantity).where(CartItem.product_id == product_id)
        )
    assert 1 <= quantity <= 1 + RACERS // 2

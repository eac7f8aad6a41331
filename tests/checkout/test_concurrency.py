"""MUST HOLD: 20 shoppers check out the last 5 units at once, each in its own transaction
on its own connection (SQLite file and PostgreSQL): exactly 5 orders, 15 clear refusals,
stock never below zero."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from mercato.cart import service as cart_service
from mercato.checkout import service as checkout_service
from mercato.checkout.service import CheckoutDetails
from mercato.inventory import repository as inventory_repo
from mercato.kit.errors import Conflict
from mercato.models.orders import Order
from tests.cart.support import make_product
from tests.checkout.support import ADDRESS, make_pricing
from tests.inventory.test_concurrency import database  # noqa: F401 - the fixture

SHOPPERS = 20


async def test_twenty_checkouts_for_the_last_five_units(database, runtime):  # noqa: F811
    # Given the last 5 units of an essence and 20 guests with 1 in their cart each
    async with database.transaction() as session:
        rates = await make_pricing(session)
        product = await make_product(session, name="Calabrian Bergamot", stock=5)
        product_id = product.id
        tokens = []
        for _ in range(SHOPPERS):
            cart, token = await cart_service.open_cart(session)
            session.add(
                __import__("mercato.models.commerce", fromlist=["CartItem"]).CartItem(
                    cart_id=cart.id, product_id=product_id, quantity=1
                )
            )
            tokens.append(token)

    async def checkout(i: int) -> str:
        try:
            async with database.transaction(write=True) as session:
                cart = await cart_service.find_cart(session, token=tokens[i])
                await checkout_service.place_order(
                    session,
                    runtime,
                    cart,
                    CheckoutDetails(f"shopper{i}@example.test", ADDRESS, rates["signed"]),
                )
        except Conflict as exc:
            assert "Calabrian Bergamot" in exc.message
            return "out of stock"
        return "placed"

    # When they all press "Pay" at the same moment
    outcomes = await asyncio.wait_for(
        asyncio.gather(*(checkout(i) for i in range(SHOPPERS))), timeout=120
    )
    # Then exactly 5 orders are placed and 15 shoppers are told the product is gone
    assert outcomes.count("placed") == 5
    assert outcomes.count("out of stock") == 15
    async with database.transaction(write=False) as session:
        inventory = await inventory_repo.get_inventory(session, product_id)
        assert (inventory.quantity, inventory.reserved, inventory.available) == (5, 5, 0)
        assert await session.scalar(select(func.count()).select_from(Order)) == 5

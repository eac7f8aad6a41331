"""MUST HOLD: a voucher's usage limits hold when many orders use it at the same moment,
each in its own transaction on its own connection (SQLite file and PostgreSQL)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from mercato.cart import service as cart_service
from mercato.checkout import service as checkout_service
from mercato.checkout.service import CheckoutDetails
from mercato.kit.errors import Conflict
from mercato.models.orders import Order
from mercato.models.promotions import Voucher, VoucherRedemption
from mercato.promotions import checkout as voucher_checkout
from tests.inventory.test_concurrency import database  # noqa: F401 - the fixture
from tests.promotions import support

SHOPPERS = 12


async def _setup(database, audio, *, usage_limit, per_customer_limit=None):  # noqa: F811
    async with database.transaction() as session:
        rate = await support.vn_shipping(session)
        product = await support.product(session, price=3_000_000, stock=100)
        voucher = await support.voucher(
            session, usage_limit=usage_limit, per_customer_limit=per_customer_limit
        )
        tokens = []
        for _ in range(SHOPPERS):
            cart, token = await support.guest_cart(session, [(product, 1)])
            view = await cart_service.view(session, cart, runtime=audio)
            await voucher_checkout.apply_code(session, audio, cart, view, voucher.code)
            tokens.append(token)
    return rate, voucher.id, tokens


async def _race(database, audio, rate, tokens, email_of):  # noqa: F811
    async def checkout(i: int) -> str:
        try:
            async with database.transaction(write=True) as session:
                cart = await cart_service.find_cart(session, token=tokens[i])
                await checkout_service.place_order(
                    session, audio, cart, CheckoutDetails(email_of(i), support.ADDRESS, rate)
                )
        except Conflict as exc:
            assert exc.field == "voucher", exc.message
            return "refused"
        return "placed"

    return await asyncio.wait_for(
        asyncio.gather(*(checkout(i) for i in range(SHOPPERS))), timeout=180
    )


async def test_a_voucher_for_three_orders_is_used_three_times(database, app):  # noqa: F811
    audio = app.state.runtimes["audio-tai-loc"]
    # Given a voucher good for 3 orders and 12 shoppers holding it in their carts
    rate, voucher_id, tokens = await _setup(database, audio, usage_limit=3)
    # When they all place their order at once
    outcomes = await _race(database, audio, rate, tokens, lambda i: f"shopper{i}@example.vn")
    # Then exactly 3 orders carry it and 9 are refused; nothing else was written for them
    assert outcomes.count("placed") == 3 and outcomes.count("refused") == 9
    async with database.transaction(write=False) as session:
        assert (await session.get(Voucher, voucher_id)).used_count == 3
        assert await session.scalar(select(func.count()).select_from(VoucherRedemption)) == 3
        assert await session.scalar(select(func.count()).select_from(Order)) == 3


async def test_one_use_per_customer_holds_under_concurrency(database, app):  # noqa: F811
    audio = app.state.runtimes["audio-tai-loc"]
    rate, voucher_id, tokens = await _setup(database, audio, usage_limit=None, per_customer_limit=1)
    # The same customer (one email) tries to use it on 12 orders at once
    outcomes = await _race(database, audio, rate, tokens, lambda i: "same@example.vn")
    assert outcomes.count("placed") == 1
    async with database.transaction(write=False) as session:
        assert (await session.get(Voucher, voucher_id)).used_count == 1

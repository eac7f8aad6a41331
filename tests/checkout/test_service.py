"""Checkout rules at the service level: zones, tax, delivery dates, placing an order."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mercato.cart import service as cart_service
from mercato.checkout import service as checkout_service
from mercato.checkout.service import CheckoutDetails
from mercato.inventory import repository as inventory_repo
from mercato.inventory.service import OutOfStock
from mercato.kit.errors import ValidationFailed
from mercato.models.orders import Order, OrderLine
from mercato.models.platform import OutboxEvent
from mercato.pricing import service as pricing_service
from tests.cart.support import make_product
from tests.checkout.support import ADDRESS, make_pricing


async def test_zone_by_country_with_rest_of_world_fallback(db):
    rates = await make_pricing(db)
    us = await pricing_service.shipping_options(db, "US", 20000)
    assert [(o.name, o.amount) for o in us] == [("Signed courier", 0), ("Express", 3500)]
    cheap = await pricing_service.shipping_options(db, "us", 5000)
    assert cheap[0].amount == 1500
    world = await pricing_service.shipping_options(db, "JP", 5000)
    assert [o.rate_id for o in world] == [rates["world"]]


async def test_most_specific_tax_rule_wins(db):
    await make_pricing(db)
    assert (await pricing_service.tax_rule_for(db, "US", "ny")).name == "Sales tax (NY)"
    assert await pricing_service.tax_rule_for(db, "US", "TX") is None
    assert (await pricing_service.tax_rule_for(db, "FR", "")).is_inclusive


def test_earliest_delivery_skips_weekends_and_the_cutoff():
    tz = "Europe/Paris"
    # Monday 10:00 Paris, before a 14:00 cut-off, 2 working days → Wednesday
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert checkout_service.earliest_delivery(monday, tz, 2, 14) == date(2026, 11, 25)
    # Monday 15:00 Paris, after the cut-off → leaves Tuesday → Thursday
    late = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    assert checkout_service.earliest_delivery(late, tz, 2, 14) == date(2026, 11, 26)
    # Friday after the cut-off, 1 day → leaves Monday → Tuesday
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert checkout_service.earliest_delivery(friday, tz, 1, 14) == date(2026, 12, 1)


async def _cart_with(db, product, quantity=1):
    cart, _ = await cart_service.open_cart(db)
    await cart_service.add_item(db, cart, product.id, quantity)
    return cart


async def test_place_order_reserves_stock_snapshots_and_empties_the_cart(db, runtime):
    rates = await make_pricing(db)
    product = await make_product(db, name="Calabrian Bergamot", stock=5, price=4500)
    cart = await _cart_with(db, product, 2)
    details = CheckoutDetails(
        email="guest@example.test",
        address=ADDRESS,
        shipping_rate_id=rates["express"],
        currency="EUR",
        gift_wrap=True,
        gift_message="For you",
    )
    placed = await checkout_service.place_order(db, runtime, cart, details, idempotency_key="k1")
    order = placed.order
    assert order.number.startswith("AA-") and len(order.number) == 9
    assert order.currency == "EUR" and order.exchange_rate_micros == 920_000
    assert order.status == "pending" and order.payment_status == "unpaid"
    assert order.total == (
        order.subtotal + order.shipping_total + order.gift_wrap_total + order.tax_total
    )
    assert placed.access_key and order.access_token_hash
    lines = list(await db.scalars(select(OrderLine).where(OrderLine.order_id == order.id)))
    assert lines[0].unit_price == 4140 and lines[0].snapshot["store_unit_price"] == 4500
    assert lines[0].snapshot["latin_name"] == "Citrus bergamia"
    stock = await inventory_repo.get_inventory(db, product.id)
    assert (stock.quantity, stock.reserved) == (5, 2)
    assert (await cart_service.view(db, cart)).is_empty
    event = await db.scalar(
        select(OutboxEvent)
        .where(OutboxEvent.event_type == "order.placed")
        .order_by(OutboxEvent.id.desc())
    )
    assert event.payload == {"order_id": order.id}
    # The same Idempotency-Key gives the same order, not a second one
    again = await checkout_service.place_order(db, runtime, cart, details, idempotency_key="k1")
    assert again.order.id == order.id and again.replayed
    assert again.access_key == placed.access_key


async def test_out_of_stock_writes_nothing(db, runtime):
    rates = await make_pricing(db)
    product = await make_product(db, name="Calabrian Bergamot", stock=2)
    cart = await _cart_with(db, product, 2)
    stock = await inventory_repo.get_inventory(db, product.id)
    stock.reserved = 1  # someone else's order took one meanwhile
    await db.flush()
    details = CheckoutDetails("g@example.test", ADDRESS, rates["signed"])
    before = await db.scalar(select(Order.id).order_by(Order.id.desc()).limit(1))
    with pytest.raises(Exception) as refused:
        await checkout_service.place_order(db, runtime, cart, details)
    assert "Calabrian Bergamot" in str(refused.value)
    assert await db.scalar(select(Order.id).order_by(Order.id.desc()).limit(1)) == before


async def test_place_order_validates_before_writing(db, runtime):
    rates = await make_pricing(db)
    product = await make_product(db)
    cart = await _cart_with(db, product)
    bad = [
        (CheckoutDetails("nope", ADDRESS, rates["signed"]), "email"),
        (
            CheckoutDetails("g@example.test", {**ADDRESS, "city": ""}, rates["signed"]),
            "address.city",
        ),
        (CheckoutDetails("g@example.test", ADDRESS, rates["eu"]), "shipping_rate_id"),
        (
            CheckoutDetails("g@example.test", ADDRESS, rates["signed"], gift_message="x" * 501),
            "gift_message",
        ),
        (
            CheckoutDetails("g@example.test", ADDRESS, rates["signed"], delivery_date="2020-01-01"),
            "delivery_date",
        ),
    ]
    for details, field in bad:
        with pytest.raises(ValidationFailed) as refused:
            await checkout_service.place_order(db, runtime, cart, details)
        assert refused.value.field == field
    assert not (await cart_service.view(db, cart)).is_empty


def test_out_of_stock_is_a_conflict():
    assert issubclass(OutOfStock, Exception) and OutOfStock.status_code == 409

"""Cart rules at the service level: per-customer limits, merging at sign-in, expiry."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from mercato.cart import service as cart_service
from mercato.kit.errors import ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.commerce import Cart
from mercato.models.orders import Order, OrderLine
from tests.cart.support import STORE, add, make_product
from tests.helpers import signin


async def make_user(db, email="clara@example.test") -> User:
    from mercato.kit.security import hash_password

    user = User(
        email=email,
        name="Clara",
        password_hash=hash_password("Neroli-Morning-Walk-7"),
        email_verified_at=utcnow(),
    )
    db.add(user)
    await db.flush()
    return user


async def past_order(db, user: User | None, product, quantity, status="confirmed", email=""):
    order = Order(
        number=f"T-{uuid.uuid4().hex[:12]}",
        user_id=user.id if user else None,
        email=email or (user.email if user else ""),
        status=status,
        currency="USD",
        store_currency="USD",
        subtotal=product.price * quantity,
        total=product.price * quantity,
    )
    db.add(order)
    await db.flush()
    db.add(
        OrderLine(
            order_id=order.id,
            product_id=product.id,
            sku=product.sku,
            name=product.name,
            quantity=quantity,
            unit_price=product.price,
            line_total=product.price * quantity,
        )
    )
    await db.flush()


async def test_per_customer_limit_counts_cart_and_paid_orders(db):
    # Given a limited edition of 2 per customer, and a customer who bought 1 already
    user = await make_user(db)
    product = await make_product(db, name="Tuberose Absolute", stock=20, max_per_customer=2)
    await past_order(db, user, product, 1)
    await past_order(db, user, product, 5, status="cancelled")  # does not count
    cart, _ = await cart_service.open_cart(db, user_id=user.id)
    # When they add 1 it fits; a second is refused with the reason
    await cart_service.add_item(db, cart, product.id, 1)
    with pytest.raises(ValidationFailed) as refused:
        await cart_service.add_item(db, cart, product.id, 1)
    assert "limited to 2 units per customer" in refused.value.message
    assert refused.value.code == "limit_per_customer"


async def test_guest_orders_count_by_email_at_checkout(db):
    product = await make_product(db, name="Oud", stock=20, max_per_customer=1)
    await past_order(db, None, product, 1, email="Guest@Example.test")
    product = await cart_service.sellable_product(db, product.id)
    cap, reason = await cart_service.allowed_quantity(
        db, product, user_id=None, email="guest@example.test"
    )
    assert (cap, reason) == (0, "limit")


async def test_merge_adds_quantities_capped_by_stock(db):
    user = await make_user(db)
    a = await make_product(db, name="Calabrian Bergamot", stock=3)
    b = await make_product(db, name="Damask Rose", stock=10)
    mine, _ = await cart_service.open_cart(db, user_id=user.id)
    await cart_service.add_item(db, mine, a.id, 2)
    guest, token = await cart_service.open_cart(db)
    await cart_service.add_item(db, guest, a.id, 2)
    await cart_service.add_item(db, guest, b.id, 1)
    notes = await cart_service.merge_guest_cart(db, token=token, user_id=user.id)
    view = await cart_service.view(db, mine)
    assert {line.product.name: line.quantity for line in view.lines} == {
        "Calabrian Bergamot": 3,
        "Damask Rose": 1,
    }
    assert notes == ["Only 3 left of Calabrian Bergamot: your cart now has 3."]
    assert await db.get(Cart, guest.id) is None


async def test_signing_in_merges_the_browser_cart(client, db):
    user = await make_user(db, "merge@example.test")
    product = await make_product(db, name="Vetiver", stock=5)
    await add(client, product.id, 2)
    await signin(client, "atelier-arome", "merge@example.test", "Neroli-Morning-Walk-7")
    cart = await db.scalar(select(Cart).where(Cart.user_id == user.id))
    assert cart is not None
    page = await client.get(f"{STORE}/cart")
    assert "Vetiver" in page.text and 'value="2"' in page.text


async def test_expired_guest_carts_are_deleted(db):
    product = await make_product(db)
    old, _ = await cart_service.open_cart(db)
    await cart_service.add_item(db, old, product.id, 1)
    old.expires_at = utcnow() - timedelta(minutes=1)
    fresh, _ = await cart_service.open_cart(db)
    await db.flush()
    assert await cart_service.delete_expired(db) >= 1
    assert await db.get(Cart, old.id) is None
    assert await db.get(Cart, fresh.id) is not None

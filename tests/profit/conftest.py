"""Fixtures of the profit and procurement tests: the wholesale store, an admin, a seller
with products, a buyer, paid orders made the way checkout and the payment webhook make them."""

from __future__ import annotations

import itertools
from datetime import timedelta

import httpx
import pytest

from mercato.identity import tokens
from mercato.identity.sessions import SESSION_COOKIE, start_session
from mercato.inventory import service as inventory_service
from mercato.kit.time import utcnow
from mercato.models import Product
from mercato.models.b2b import ProductSeller, Seller
from mercato.models.orders import Order, OrderLine
from mercato.platform.seeding import ensure_user, sync_roles

STORE = "wholesale"
ROOT = f"/{STORE}"
API = f"{ROOT}/api/v1"
PASSWORD = "Jute-Godown-Ledger-41"
_serial = itertools.count(1)


@pytest.fixture
def wholesale(app):
    return app.state.runtimes[STORE]


@pytest.fixture
async def wdb(wholesale):
    async with wholesale.db.session(write=True) as session:
        yield session


@pytest.fixture
async def wroles(wdb, wholesale):
    return await sync_roles(wdb, wholesale.modules)


@pytest.fixture
def make_user(wdb, wroles):
    async def make(email: str, *roles: str, name: str = "Rahim"):
        user, _ = await ensure_user(
            wdb, wroles, email=email, password=PASSWORD, name=name, role_names=list(roles)
        )
        return user

    return make


@pytest.fixture
async def admin(make_user):
    return await make_user("admin@profit.test", "admin", name="Farhana")


@pytest.fixture
async def seller_user(make_user):
    return await make_user("seller@profit.test", "seller", name="Abdul")


@pytest.fixture
async def seller(wdb, seller_user) -> Seller:
    row = Seller(user_id=seller_user.id, display_name="Karim Looms")
    wdb.add(row)
    await wdb.flush()
    return row


@pytest.fixture
async def other_seller(wdb, make_user) -> Seller:
    user = await make_user("seller2@profit.test", "seller", name="Rokeya")
    row = Seller(user_id=user.id, display_name="Bogura Spices")
    wdb.add(row)
    await wdb.flush()
    return row


@pytest.fixture
async def buyer(make_user):
    return await make_user("buyer@profit.test", "buyer", name="Tanvir")


@pytest.fixture
def make_product(wdb):
    async def make(
        *,
        price: int = 13_500,
        cost: int | None = 8_000,
        stock: int = 500,
        seller=None,
        name: str = "",
        reorder_level: int = 0,
    ) -> Product:
        n = next(_serial)
        product = Product(
            name=name or f"Jute sack {n}",
            slug=f"profit-item-{n}",
            sku=f"PRF-{n:05d}",
            price=price,
            cost_price=cost,
        )
        wdb.add(product)
        await wdb.flush()
        # Without wholesale terms the reorder level is the core's low-stock threshold.
        await inventory_service.create_inventory(
            wdb, product.id, quantity=stock, low_stock_threshold=reorder_level
        )
        if seller is not None:
            wdb.add(ProductSeller(product_id=product.id, seller_id=seller.id))
            await wdb.flush()
        return product

    return make


@pytest.fixture
def make_order(wdb):
    async def make(user, items, *, paid: bool = True, when=None) -> Order:
        """An order as checkout writes it (stock held), paid as the webhook marks it."""
        now = when or utcnow()
        number = f"W{next(_serial):06d}"
        subtotal = sum(p.price * q for p, q in items)
        order = Order(
            number=number,
            user_id=user.id,
            email=user.email,
            customer_name=user.name,
            currency="BDT",
            store_currency="BDT",
            subtotal=subtotal,
            total=subtotal,
            reservation_expires_at=now + timedelta(minutes=30),
            created_at=now,
        )
        wdb.add(order)
        await wdb.flush()
        for product, qty in items:
            wdb.add(
                OrderLine(
                    order_id=order.id,
                    product_id=product.id,
                    sku=product.sku,
                    name=product.name,
                    quantity=qty,
                    unit_price=product.price,
                    line_total=product.price * qty,
                    snapshot={"store_unit_price": product.price},
                )
            )
        await inventory_service.reserve(
            wdb,
            [(p.id, q) for p, q in items],
            reference=number,
            ttl=timedelta(minutes=30),
            now=now,
        )
        if paid:
            await inventory_service.consume(wdb, number, now=now)
            order.status = "confirmed"
            order.payment_status = "paid"
            order.paid_at = now
        await wdb.flush()
        return order

    return make


async def sign_in_as(client: httpx.AsyncClient, db, user) -> None:
    token = await start_session(db, user, days=1)
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local", path=f"{ROOT}/")


async def bearer(db, runtime, user) -> dict[str, str]:
    pair = await tokens.issue_token_pair(db, runtime, user)
    return {"Authorization": f"Bearer {pair.access_token}"}
